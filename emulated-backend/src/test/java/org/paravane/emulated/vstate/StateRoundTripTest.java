package org.paravane.emulated.vstate;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.cpu.Msr;
import org.paravane.api.cpu.PendingEvents;
import org.paravane.api.cpu.VcpuState;
import org.paravane.emulated.EmulatedBackend;
import org.paravane.emulated.testing.Kernels;
import org.paravane.emulated.testing.TestVm;

/** The complete state moves between VMs mid-run: the guest finishes as if nothing happened. */
class StateRoundTripTest {

    private static VcpuState withoutTsc(VcpuState s) {
        return s.withMsrs(s.msrs().with(Msr.TSC, 0));
    }

    @Test
    void stateReadBackEqualsStateWritten() {
        try (TestVm t = new TestVm()) {
            Vcpu v = t.start(0, 3, "nop");
            VcpuState s = v.state();
            s = s.withEvents(new PendingEvents(new PendingEvents.PendingException(14, 6, 0x1234), 0x41, true, true, false))
                    .withMsrs(s.msrs().with(Msr.KERNEL_GS_BASE, 0x5000).with(Msr.TSC_AUX, 3).with(Msr.CSTAR, 0x77));
            v.setState(s);
            assertThat(withoutTsc(v.state())).isEqualTo(withoutTsc(s));
        }
    }

    @Test
    void aKernelMovedBetweenVmsEveryFewThousandInstructionsGivesTheSameChecksum() {
        int kernel = 4;
        long iters = 3;
        byte[] code = Kernels.build(kernel, iters);
        EmulatedBackend backend = new EmulatedBackend();
        TestVm[] vms = {new TestVm(backend, 1, 16 << 20, org.paravane.api.memory.PageSource.ZERO, false),
                new TestVm(backend, 1, 16 << 20, org.paravane.api.memory.PageSource.ZERO, false)};
        try {
            vms[0].load(TestVm.CODE, code);
            Vcpu v = vms[0].start(0, 3, TestVm.CODE);
            v.setBudget(new org.paravane.api.backend.RunBudget(7919, 0));
            int at = 0;
            int moves = 0;
            for (;;) {
                VcpuExit e = vms[at].vcpu(0).run();
                if (e instanceof VcpuExit.Mmio m) {
                    assertThat(m.data().get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0))
                            .isEqualTo(Kernels.expected(kernel, iters));
                    break;
                }
                assertThat(e).isInstanceOf(VcpuExit.Interrupted.class);
                VcpuState s = vms[at].vcpu(0).state();
                MemorySegment from = vms[at].mem(0, 16 << 20);
                int next = 1 - at;
                vms[next].mem(0, 16 << 20).copyFrom(from);
                vms[next].vcpu(0).setState(s);
                vms[next].vcpu(0).setBudget(new org.paravane.api.backend.RunBudget(7919, 0));
                at = next;
                moves++;
            }
            assertThat(moves).isGreaterThan(50);
        } finally {
            vms[0].close();
            vms[1].close();
        }
    }
}
