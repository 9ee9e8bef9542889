package org.paravane.emulated.cpu.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The VEX #UD rules and the BMI2 operand order (the host CPU agrees: ExtensionDifferentialTest in difftest). */
class VexDecodingTest {

    static Decoded decode(String hex) {
        byte[] b = HexFormat.of().parseHex(hex.replace(" ", ""));
        return new Decoder().decode(0x1000, k -> k < b.length ? b[k] & 0xFF : -1);
    }

    @Test
    void bmiEncodingsDecodeWithTheirOperands() {
        assertThat(decode("c4 e2 60 f2 c1").toString()).isEqualTo("andn eax, ebx, ecx");
        assertThat(decode("c4 e3 7b f0 c1 03").toString()).isEqualTo("rorx eax, ecx, 0x3");
        assertThat(decode("c4 c2 e3 f6 47 40").toString()).isEqualTo("mulx rax, rbx, qword ptr [r15 + 0x40]");
        assertThat(decode("c4 e2 70 f5 c3").toString()).isEqualTo("bzhi eax, ebx, ecx");
        assertThat(decode("c4 e2 f3 f7 c3").toString()).isEqualTo("shrx rax, rbx, rcx");
        assertThat(decode("66 48 0f 38 f6 c3").toString()).isEqualTo("adcx rax, rbx");
        assertThat(decode("66 0f c7 f0").toString()).isEqualTo("rdrand ax");
        assertThat(decode("48 0f c7 f8").toString()).isEqualTo("rdseed rax");
    }

    @Test
    void vexAfterALegacyPrefixOrRexIsUndefined() {
        for (String prefix : new String[] {"66", "f2", "f3", "f0", "40", "48"}) {
            assertThat(decode(prefix + " c4 e2 60 f2 c1").mnemonic()).as(prefix).isEqualTo(Mnemonic.UD);
        }
        assertThat(decode("2e c4 e2 60 f2 c1").mnemonic()).as("a segment prefix is allowed").isEqualTo(Mnemonic.ANDN);
    }

    @Test
    void lengthVvvvReservedMapsAndGroupMembersAreUndefined() {
        assertThat(decode("c4 e2 64 f2 c1").mnemonic()).as("VEX.L=1").isEqualTo(Mnemonic.UD);
        assertThat(decode("c4 e3 73 f0 c1 03").mnemonic()).as("RORX with vvvv != 1111").isEqualTo(Mnemonic.UD);
        assertThat(decode("c4 e2 78 f3 c1").mnemonic()).as("group 17 /0").isEqualTo(Mnemonic.UD);
        assertThat(decode("c4 e0 60 f2 c1").mnemonic()).as("map 0").isEqualTo(Mnemonic.UD);
        assertThat(decode("c5 f8 77").mnemonic()).as("AVX: VZEROUPPER").isEqualTo(Mnemonic.UNSUPPORTED);
        assertThat(decode("c4 e3 73 f0 c1 03").length()).isEqualTo(6);
    }
}
