package org.paravane.vmm.kernel.abi.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InitialStackTest {
    private static final long TOP = 0x7fff_ffff_f000L;

    private static String string(InitialStack.Image image, long address) {
        byte[] b = image.bytes();
        int at = (int) (address - image.rsp());
        int end = at;
        while (b[end] != 0) {
            end++;
        }
        return new String(b, at, end - at);
    }

    @Test
    void argcArgvEnvpAndAuxvSitWhereTheAbiSays() throws Exception {
        byte[] random = new byte[16];
        for (int i = 0; i < 16; i++) {
            random[i] = (byte) (i + 1);
        }
        InitialStack.Image image = InitialStack.build("p", TOP, List.of("/bin/p", "-x"), List.of("A=1"), "/bin/p",
                new long[] {InitialStack.AT_PAGESZ, 4096, InitialStack.AT_HWCAP, 0x178bfbff}, random);
        assertThat(image.rsp() % 16).as("RSP 16-byte aligned at entry").isZero();
        assertThat(image.rsp() + image.bytes().length).isEqualTo(TOP);
        ByteBuffer b = ByteBuffer.wrap(image.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getLong()).isEqualTo(2);
        assertThat(string(image, b.getLong())).isEqualTo("/bin/p");
        assertThat(string(image, b.getLong())).isEqualTo("-x");
        assertThat(b.getLong()).isZero();
        assertThat(string(image, b.getLong())).isEqualTo("A=1");
        assertThat(b.getLong()).isZero();
        Map<Long, Long> auxv = new HashMap<>();
        for (long type = b.getLong(); ; type = b.getLong()) {
            long value = b.getLong();
            if (type == InitialStack.AT_NULL) {
                break;
            }
            auxv.put(type, value);
        }
        assertThat(auxv).containsEntry((long) InitialStack.AT_PAGESZ, 4096L).containsEntry((long) InitialStack.AT_HWCAP, 0x178bfbffL);
        assertThat(string(image, auxv.get((long) InitialStack.AT_PLATFORM))).isEqualTo("x86_64");
        assertThat(string(image, auxv.get((long) InitialStack.AT_EXECFN))).isEqualTo("/bin/p");
        long randomAt = auxv.get((long) InitialStack.AT_RANDOM);
        for (int i = 0; i < 16; i++) {
            assertThat(image.bytes()[(int) (randomAt - image.rsp()) + i]).isEqualTo((byte) (i + 1));
        }
        assertThat(auxv).doesNotContainKey(33L);   // AT_SYSINFO_EHDR: there is no vDSO
    }

    @Test
    void tooLongAnArgumentListIsRefused() {
        String big = "x".repeat(1 << 20);
        assertThatThrownBy(() -> InitialStack.build("p", TOP, List.of(big, big, big), List.of(), "p", new long[0], new byte[16]))
                .hasMessageContaining("argument list too long");
    }
}
