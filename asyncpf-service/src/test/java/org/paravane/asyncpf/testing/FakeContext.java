package org.paravane.asyncpf.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.paravane.api.asyncpf.GuestApfContext;
import org.paravane.api.asyncpf.Sleeper;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.asyncpf.wait.ThreadSleeper;

/**
 * One vCPU's guest-side async PF context: the area's token slot, the ACK MSR, the guest's table, and thread sleepers
 * for the calling thread. Records the order of the area and MSR accesses.
 */
public final class FakeContext implements GuestApfContext {

    public final AtomicInteger token = new AtomicInteger();
    public final AtomicInteger acks = new AtomicInteger();
    public final List<String> calls = new CopyOnWriteArrayList<>();
    private final int vcpu;
    private final SleeperTable table;
    private volatile Sleeper taskSleeper;
    private volatile Sleeper vcpuSleeper;

    public FakeContext(int vcpu, SleeperTable table) {
        this.vcpu = vcpu;
        this.table = table;
    }

    /** Use {@code sleeper} for schedule waits instead of a thread sleeper of the caller. */
    public FakeContext withTaskSleeper(Sleeper sleeper) {
        this.taskSleeper = sleeper;
        return this;
    }

    private volatile org.paravane.api.asyncpf.WaitMode forced;

    /** Force one wait mode for every fault, as the "halt everywhere" experiment does. */
    public FakeContext forcing(org.paravane.api.asyncpf.WaitMode mode) {
        this.forced = mode;
        return this;
    }

    @Override
    public org.paravane.api.asyncpf.WaitMode forcedMode() {
        return forced;
    }

    public FakeContext withVcpuSleeper(Sleeper sleeper) {
        this.vcpuSleeper = sleeper;
        return this;
    }

    @Override
    public int readToken() {
        calls.add("readToken");
        return token.get();
    }

    @Override
    public void clearToken() {
        calls.add("clearToken");
        token.set(0);
    }

    @Override
    public void acknowledge() {
        calls.add("acknowledge");
        acks.incrementAndGet();
    }

    @Override
    public SleeperTable sleepers() {
        calls.add("sleepers");
        return table;
    }

    @Override
    public Sleeper taskSleeper() {
        calls.add("taskSleeper");
        Sleeper s = taskSleeper;
        return s != null ? s : new ThreadSleeper(vcpu);
    }

    @Override
    public Sleeper vcpuSleeper() {
        calls.add("vcpuSleeper");
        Sleeper s = vcpuSleeper;
        return s != null ? s : new ThreadSleeper(vcpu);
    }
}
