package org.paravane.vmm.linux.futex;

import java.util.concurrent.atomic.AtomicInteger;
import org.paravane.vmm.kernel.abi.KernelSection;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.AddressSpace;
import org.paravane.vmm.kernel.wait.Waker;

/** A calling task for futex tests: its own clock, and a waker that counts its wakes. */
final class FakeTask implements SyscallTask {
    final AtomicInteger wakes = new AtomicInteger();
    private final Waker waker = wakes::incrementAndGet;
    private final int id;
    volatile long now;

    FakeTask(int id) {
        this.id = id;
    }

    @Override
    public Waker waker() {
        return waker;
    }

    @Override
    public long nanosSinceStart() {
        return now;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String name() {
        return "task " + id;
    }

    @Override
    public int cpl() {
        return 3;
    }

    @Override
    public AddressSpace memory() {
        throw new UnsupportedOperationException("futexes go through FutexMemory");
    }

    @Override
    public void write(String text) {
    }

    @Override
    public void kernelMessage(String message) {
    }

    @Override
    public void report(String name, long value) {
    }

    @Override
    public void enter(KernelSection section) {
    }

    @Override
    public boolean leave(KernelSection section) {
        return false;
    }

    @Override
    public long cpuNanos() {
        return 0;
    }

    @Override
    public long fsBase() {
        return 0;
    }

    @Override
    public void setFsBase(long base) {
    }

    @Override
    public long gsBase() {
        return 0;
    }

    @Override
    public void setGsBase(long base) {
    }

    @Override
    public void flushTlb() {
    }

    @Override
    public int newTaskId() {
        throw new UnsupportedOperationException("no task creation in futex tests");
    }

    @Override
    public SyscallTask spawn(int id, org.paravane.vmm.kernel.abi.NewTask spec) {
        throw new UnsupportedOperationException("no task creation in futex tests");
    }

    @Override
    public void terminate(int code, int signal, String failure) {
        throw new UnsupportedOperationException("no ends in futex tests");
    }

    @Override
    public byte[] fpuState() {
        throw new UnsupportedOperationException("no FP state in futex tests");
    }

    @Override
    public void setFpuState(byte[] fxsave) {
        throw new UnsupportedOperationException("no FP state in futex tests");
    }

    @Override
    public int codeSelector() {
        return 0;
    }

    @Override
    public int stackSelector() {
        return 0;
    }

    @Override
    public void interrupt() {
    }

    @Override
    public Runnable schedule(long nanos, Runnable action) {
        throw new UnsupportedOperationException("no timers in futex tests");
    }
}
