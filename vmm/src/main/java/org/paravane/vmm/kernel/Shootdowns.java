package org.paravane.vmm.kernel;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;
import org.paravane.vmm.kernel.mm.AddressSpace;
import org.paravane.vmm.kernel.mm.TlbShootdown;

/**
 * The TLB shootdown of a VM's guest kernel: marks a space's translations stale on every vCPU that may hold them, kicks
 * those running guest code (a kicked vCPU's run returns, as an IPI interrupts a CPU), and waits until each has left
 * guest code; every marked vCPU flushes before it next runs guest code ({@link VcpuTlb}). The caller's own vCPU is
 * not in guest code while it calls, so it is only marked.
 */
final class Shootdowns implements TlbShootdown {
    private final VcpuTlb[] tlbs;
    private final IntConsumer kick;
    private final LongAdder shootdowns = new LongAdder();
    private final LongAdder waits = new LongAdder();

    Shootdowns(int vcpus, IntConsumer kick) {
        this.tlbs = new VcpuTlb[vcpus];
        for (int i = 0; i < vcpus; i++) {
            tlbs[i] = new VcpuTlb();
        }
        this.kick = kick;
    }

    VcpuTlb of(int vcpu) {
        return tlbs[vcpu];
    }

    @Override
    public void shootDown(AddressSpace space) {
        shootDown(space.root());
    }

    void shootDown(long root) {
        shootdowns.increment();
        long[] runs = new long[tlbs.length];
        for (int i = 0; i < tlbs.length; i++) {
            runs[i] = tlbs[i].request(root);
            if (runs[i] >= 0) {
                kick.accept(i);
            }
        }
        for (int i = 0; i < tlbs.length; i++) {
            if (runs[i] >= 0) {
                int vcpu = i;
                waits.increment();
                tlbs[i].await(runs[i], () -> kick.accept(vcpu));
            }
        }
    }

    /** Shootdowns requested so far. */
    long shootdowns() {
        return shootdowns.sum();
    }

    /** vCPUs kicked and waited for (they ran guest code of the space when asked). */
    long remoteWaits() {
        return waits.sum();
    }
}
