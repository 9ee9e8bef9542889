package org.paravane.emulated.cpu.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Decoder;
import org.paravane.emulated.cpu.exec.Binder;
import org.paravane.emulated.cpu.exec.Insn;
import org.paravane.testkit.Asm;

/**
 * Which SSE forms the translator inlines ({@code SseOps}, {@code SseCalls}): the ones {@link SseTranslationTest}
 * checks against the interpreter are translated (else that test would compare the interpreter with itself), MMX and
 * the forms whose operands the block does not read stay with their {@code Insn}.
 */
class SseFormsTest {

    private static Insn bind(String instruction) {
        byte[] code = Asm.assemble(instruction, 0x1000);
        Decoded d = new Decoder().decode(0x1000, i -> i < code.length ? code[i] & 0xFF : -1);
        assertThat(d.length()).as(instruction).isEqualTo(code.length);
        return Binder.bind(d);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "comisd xmm0, xmm1", "comisd xmm0, [rsi + 8]", "ucomisd xmm1, xmm0", "comiss xmm0, xmm1",
        "ucomiss xmm1, [rsi]", "cvtsd2si eax, xmm0", "cvttsd2si rdx, xmm0", "cvtsd2si rcx, [rsi]",
        "cvttsd2si ecx, [rsi]", "cvtss2si eax, xmm1", "cvttss2si rax, xmm1", "cvtsd2ss xmm1, xmm0",
        "cvtss2sd xmm2, xmm1", "cvtss2sd xmm8, dword ptr [rsi + 4]", "cvtsi2sd xmm3, rdx", "cvtsi2sd xmm4, ecx",
        "cvtsi2ss xmm5, r8", "cvtsi2ss xmm6, dword ptr [rsi]", "cvtsi2sd xmm7, qword ptr [rsi]",
        "cvtpd2ps xmm9, [rsi + 48]", "cvtps2pd xmm10, xmm1", "cvtdq2pd xmm11, xmm0", "cvtdq2ps xmm12, [rsi]",
        "cvttps2dq xmm13, xmm9", "cvttpd2dq xmm14, [rsi]", "cvtps2dq xmm15, xmm12", "cvtpd2dq xmm9, xmm0",
        "movq xmm0, rax", "movd xmm1, eax", "movq rdx, xmm0", "movd ebx, xmm0", "movd [rdi], xmm1",
        "movd xmm2, [rdi + 4]", "movq [rdi + 8], xmm0", "movq xmm3, [rdi + 8]", "movd r8d, xmm2",
        "paddq xmm0, xmm1", "pcmpeqb xmm1, xmm0", "pmovmskb eax, xmm1", "paddb xmm2, [rsi]", "psubb xmm2, xmm1",
        "pcmpgtb xmm2, xmm0", "pminub xmm2, xmm1", "pcmpeqd xmm3, xmm2", "pshufd xmm4, xmm2, 0x1B",
        "pslldq xmm4, 3", "psrldq xmm3, 5", "palignr xmm4, xmm3, 7", "psllq xmm4, 9", "pshufb xmm4, xmm2",
        "punpcklbw xmm5, xmm4", "pandn xmm5, xmm2", "movmskpd edx, xmm5", "paddd xmm0, [rsi + 4]",
        "addsd xmm0, [rsi]", "cmpltsd xmm6, xmm4", "unpcklpd xmm0, [rsi]", "movlpd xmm0, [rsi + 40]",
        "movhpd xmm0, [rsi + 48]", "movhlps xmm1, xmm0", "movlhps xmm1, xmm0", "movlps xmm2, [rsi]",
        "movhps xmm2, [rsi + 16]", "movlpd [rdi], xmm1", "movhpd [rdi + 8], xmm2", "movhps [rdi + 16], xmm0",
        "movlps [rdi + 24], xmm2", "movntdq [rdi], xmm0", "movntps [rdi], xmm1", "movntpd [rdi], xmm2"})
    void translated(String instruction) {
        assertThat(InlineForms.supports(bind(instruction))).as(instruction).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"paddb mm0, mm1", "movd mm0, eax", "movq rax, mm1", "cvtpi2ps xmm0, mm1",
        "pinsrw xmm0, eax, 1", "pinsrw xmm0, word ptr [rsi], 1", "pextrw eax, xmm0, 1", "ldmxcsr [rsi]",
        "stmxcsr [rsi]", "lock add [rsi], eax", "fadd st, st(1)", "ptest xmm0, xmm1"})
    void leftToItsInsn(String instruction) {
        assertThat(InlineForms.supports(bind(instruction))).as(instruction).isFalse();
    }
}
