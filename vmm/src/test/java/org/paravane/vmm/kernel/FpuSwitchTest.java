package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.cpu.ControlRegisters;
import org.paravane.api.cpu.SpecialRegisters;

/** The FPU setup of the kernel's contexts and the policy choice; the switching itself: FloatingPointTasksTest. */
class FpuSwitchTest {
    private static final long CR0_EM = 1L << 2, CR0_TS = 1L << 3;

    @AfterEach
    void clear() {
        System.clearProperty(FpuSwitch.POLICY_PROPERTY);
    }

    @Test
    void taskAndHaltContextsEnableSseWithoutTrappingFpInstructions() {
        for (int cpl : new int[] {0, 3}) {
            ControlRegisters c = PlatformLayout.specialRegisters(0, cpl, 0x1000).control();
            assertThat(c.cr4() & (ControlRegisters.CR4_OSFXSR | ControlRegisters.CR4_OSXMMEXCPT))
                    .as("OSFXSR and OSXMMEXCPT").isEqualTo(ControlRegisters.CR4_OSFXSR | ControlRegisters.CR4_OSXMMEXCPT);
            assertThat(c.cr0() & (ControlRegisters.CR0_MP | ControlRegisters.CR0_NE))
                    .as("MP and NE").isEqualTo(ControlRegisters.CR0_MP | ControlRegisters.CR0_NE);
            assertThat(c.cr0() & (CR0_EM | CR0_TS)).as("EM and TS clear").isZero();
        }
    }

    @Test
    void taskSwitchedAddsOnlyTs() {
        SpecialRegisters s = PlatformLayout.specialRegisters(0, 3, 0x1000);
        SpecialRegisters ts = FpuSwitch.withTaskSwitched(s);
        assertThat(ts.control().cr0()).isEqualTo(s.control().cr0() | CR0_TS);
        assertThat(ts.segments()).isEqualTo(s.segments());
        assertThat(ts.control().cr3()).isEqualTo(s.control().cr3());
        assertThat(ts.control().cr4()).isEqualTo(s.control().cr4());
    }

    @Test
    void policyIsEagerUnlessAskedAndABadNameIsNamed() {
        assertThat(FpuSwitch.policy()).isEqualTo(FpuSwitch.Policy.EAGER);
        System.setProperty(FpuSwitch.POLICY_PROPERTY, "Lazy");
        assertThat(FpuSwitch.policy()).isEqualTo(FpuSwitch.Policy.LAZY);
        System.setProperty(FpuSwitch.POLICY_PROPERTY, "sometimes");
        assertThatThrownBy(FpuSwitch::policy).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(FpuSwitch.POLICY_PROPERTY).hasMessageContaining("'sometimes'");
    }
}
