package org.paravane.emulated.vstate;

import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.paravane.emulated.cpu.Atomics;
import org.paravane.emulated.cpu.Cpu;

/**
 * Stops every other vCPU of a VM at an instruction boundary for an access no host CAS can make atomic (a split lock,
 * CMPXCHG16B): the bus lock of a real machine. vCPUs that are not executing guest instructions (halted, waiting for a
 * page, outside {@code run()}) already count as stopped.
 */
final class ExclusiveSection implements Atomics.Exclusive {
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean requested;
    private volatile List<EmulatedVcpu> vcpus = List.of();

    void setVcpus(List<EmulatedVcpu> all) {
        this.vcpus = all;
    }

    boolean requested() {
        return requested;
    }

    @Override
    public void enter(Cpu c) {
        EmulatedVcpu self = vcpus.get(c.vcpuId);
        self.setExecuting(false);
        lock.lock();
        requested = true;
        for (EmulatedVcpu v : vcpus) {
            if (v != self) {
                v.requestAttention(EmulatedVcpu.EXCLUSIVE);
            }
        }
        for (EmulatedVcpu v : vcpus) {
            while (v != self && v.executing()) {
                Thread.onSpinWait();
            }
        }
    }

    @Override
    public void exit(Cpu c) {
        requested = false;
        lock.unlock();
        for (EmulatedVcpu v : vcpus) {
            v.wakeFromExclusive();
        }
        vcpus.get(c.vcpuId).setExecuting(true);
        awaitRelease(vcpus.get(c.vcpuId));
    }

    /** Called by a vCPU that saw the request: waits, not executing, until the section is over. */
    void awaitRelease(EmulatedVcpu v) {
        while (requested) {
            v.setExecuting(false);
            while (requested) {
                LockSupport.parkNanos(this, 50_000);
            }
            v.setExecuting(true);
        }
    }
}
