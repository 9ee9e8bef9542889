package org.paravane.asyncpf.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.paravane.api.asyncpf.HostVcpuPort;
import org.paravane.api.memory.GuestMemory;

/** A vCPU as the host engine sees it, with its guest state set by the test and its injections recorded. */
public final class TestPort implements HostVcpuPort {

    public record PageFaultInjection(long cr2, int errorCode) {
    }

    private final int vcpuId;
    private final GuestMemory memory;
    public volatile int cpl = 3;
    public volatile boolean interruptsAllowed = true;
    public volatile boolean exceptionPending;
    public volatile boolean pagingEnabled = true;
    public final List<PageFaultInjection> pageFaults = new CopyOnWriteArrayList<>();
    public final List<Integer> interrupts = new CopyOnWriteArrayList<>();
    public final AtomicInteger kicks = new AtomicInteger();
    /** Unparked by every kick (a halted vCPU thread). */
    public volatile Thread kickTarget;

    public TestPort(int vcpuId, GuestMemory memory) {
        this.vcpuId = vcpuId;
        this.memory = memory;
    }

    @Override
    public int vcpuId() {
        return vcpuId;
    }

    @Override
    public GuestMemory memory() {
        return memory;
    }

    @Override
    public int cpl() {
        return cpl;
    }

    @Override
    public boolean interruptsAllowed() {
        return interruptsAllowed;
    }

    @Override
    public boolean exceptionPending() {
        return exceptionPending;
    }

    @Override
    public boolean pagingEnabled() {
        return pagingEnabled;
    }

    @Override
    public void injectPageFault(long cr2, int errorCode) {
        pageFaults.add(new PageFaultInjection(cr2, errorCode));
    }

    @Override
    public void injectInterrupt(int vector) {
        interrupts.add(vector);
    }

    @Override
    public void kick() {
        kicks.incrementAndGet();
        Thread t = kickTarget;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
