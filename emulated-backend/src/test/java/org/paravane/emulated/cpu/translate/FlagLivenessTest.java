package org.paravane.emulated.cpu.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.emulated.cpu.Cpu.ARITH;
import static org.paravane.emulated.cpu.Cpu.CF;
import static org.paravane.emulated.cpu.Cpu.ZF;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Decoder;
import org.paravane.testkit.Asm;

/** The flags live after each instruction of a block, on K1's loop body and around the exits. */
class FlagLivenessTest {

    private static Decoded[] decode(String source) {
        byte[] code = Asm.assemble(source, 0x1000);
        List<Decoded> list = new ArrayList<>();
        Decoder decoder = new Decoder();
        for (int pos = 0; pos < code.length; ) {
            int at = pos;
            Decoded d = decoder.decode(0x1000 + pos, i -> at + i < code.length ? code[at + i] & 0xFF : -1);
            list.add(d);
            pos += d.length();
        }
        return list.toArray(Decoded[]::new);
    }

    private static boolean[] all(int n, boolean value) {
        boolean[] b = new boolean[n];
        Arrays.fill(b, value);
        return b;
    }

    @Test
    void xorshiftKeepsOnlyTheCarryOfTheRotateAndTheFlagsOfTheLastDec() {
        Decoded[] d = decode("l: mov rdx, rax\n shl rdx, 13\n xor rax, rdx\n mov rdx, rax\n shr rdx, 7\n xor rax, rdx\n"
                + " mov rdx, rax\n shl rdx, 17\n xor rax, rdx\n add rbx, rax\n rol rbx, 5\n dec rcx\n jnz l");
        long[] live = FlagLiveness.liveAfter(d, all(d.length, true), false);
        for (int i = 0; i <= 9; i++) {
            assertThat(live[i]).as("after instruction %d", i).isZero();   // shifts, XORs and the ADD: dead
        }
        assertThat(live[10]).as("after the rotate: DEC keeps its CF").isEqualTo(CF);
        assertThat(live[11]).isEqualTo(ARITH);                            // the loop may leave after the JNZ
        assertThat(live[12]).isEqualTo(ARITH);
    }

    @Test
    void everyExitKeepsEveryFlag() {
        Decoded[] d = decode("add rax, rbx\n mov rcx, [rsi]\n cmp rax, 1\n add rdx, 1\n jz l\n l: nop");
        long[] live = FlagLiveness.liveAfter(Arrays.copyOf(d, 5), all(5, true), false);
        assertThat(live[0]).as("a load may fault: the ADD's flags are the state at the fault").isEqualTo(ARITH);
        assertThat(live[1]).as("after the load, as after any instruction that may fault or stop").isEqualTo(ARITH);
        assertThat(live[2]).as("the ADD after the CMP sets them all").isZero();
        assertThat(live[3]).isEqualTo(ARITH);

        boolean[] interpreted = all(5, true);
        interpreted[3] = false;                                            // the ADD through its Insn: reads the Cpu
        assertThat(FlagLiveness.liveAfter(Arrays.copyOf(d, 5), interpreted, false)[2]).isEqualTo(ARITH);
        assertThat(FlagLiveness.liveAfter(Arrays.copyOf(d, 5), all(5, true), true))
                .as("a translation that may stop before any instruction").containsOnly(ARITH);
    }

    @Test
    void aConditionReadsOnlyItsFlagsAndPassesTheOthersThrough() {
        Decoded[] d = decode("sub rax, 1\n inc rbx\n jz l\n l: nop");
        long[] live = FlagLiveness.liveAfter(Arrays.copyOf(d, 3), all(3, true), false);
        assertThat(live[0]).as("INC keeps CF: the SUB's carry is the one at the exit").isEqualTo(CF);
        assertThat(FlagLiveness.condition(0x4)).isEqualTo(ZF);
    }
}
