package org.paravane.vmm.kernel.abi.linux;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SyscallNamesTest {
    @Test
    void namesFollowTheX8664Numbers() {
        assertThat(SyscallNames.of(0)).isEqualTo("read");
        assertThat(SyscallNames.of(60)).isEqualTo("exit");
        assertThat(SyscallNames.of(231)).isEqualTo("exit_group");
        assertThat(SyscallNames.of(334)).isEqualTo("rseq");
        assertThat(SyscallNames.of(435)).isEqualTo("clone3");
        assertThat(SyscallNames.of(439)).isEqualTo("faccessat2");
        assertThat(SyscallNames.of(1000)).isEqualTo("syscall_1000");
        assertThat(SyscallNames.of(-1)).isEqualTo("syscall_18446744073709551615");
    }
}
