package org.paravane.emulated.cpu.translate;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.Vcpu;
import org.paravane.emulated.testing.TestVm;

/**
 * Translated SSE instructions ({@code SseOps}) against the interpreter: general registers, the whole FXSAVE image
 * (XMM0-15, MXCSR) and the memory they store to, at every exit and every single step, for programs that end in a
 * fault in the middle of a block (misaligned, crossing into an absent page, #XM from an unmasked exception) or in the
 * result store; and {@link #CONVERSIONS}, the forms {@code SseCalls} and the MOVD/MOVQ moves translate, over NaNs,
 * infinities, out-of-range values, the four rounding modes and unmasked exceptions.
 */
class SseTranslationTest {
    private static final long EDGE = (16 << 20) - 8;        // the last 8 bytes of RAM: a 16-byte store crosses out

    static final String[] PROGRAMS = {
        // packed and scalar arithmetic on registers and memory, moves, logic, unpacks; a loop keeps it in one block
        "lea rsi, [rip + d]\n mov ecx, 40\n movapd xmm0, [rsi]\n movupd xmm1, [rsi + 8]\n pxor xmm7, xmm7\n"
                + " l: addpd xmm0, xmm1\n mulsd xmm0, [rsi + 16]\n movapd xmm2, xmm0\n unpckhpd xmm2, xmm2\n"
                + " subsd xmm2, xmm1\n divsd xmm2, [rsi]\n sqrtsd xmm3, xmm2\n maxsd xmm3, xmm7\n minpd xmm1, xmm0\n"
                + " unpcklpd xmm3, xmm2\n xorpd xmm1, [rsi + 32]\n andpd xmm1, [rsi + 48]\n andnpd xmm7, xmm3\n"
                + " orpd xmm7, xmm1\n addss xmm4, [rsi + 4]\n mulps xmm5, xmm4\n movss xmm6, xmm4\n movq xmm5, xmm3\n"
                + " movsd xmm4, xmm0\n cmpltsd xmm6, xmm4\n punpcklqdq xmm6, xmm5\n movdqu [rsi + 72], xmm6\n"
                + " movsd [rsi + 64], xmm0\n movss [rsi + 68], xmm2\n movq [rsi + 88], xmm1\n"
                + " dec ecx\n jnz l\n movq rax, xmm0\n mov [0xF0000000], rax\n"
                + " .align 16\n d: .double 1.5, -2.25, 3.0e10, 0.1, 0.0, -0.0, 7.0, 1.0e-300, 0, 0, 0, 0",
        // a misaligned MOVAPD load in the middle of a block: XMM written before it stays, RIP at it
        "lea rsi, [rip + d]\n movsd xmm0, [rsi]\n addsd xmm0, xmm0\n mov eax, 1\n movapd xmm1, [rsi + 8]\n nop\n"
                + " .align 16\n d: .double 2.5, 3.5, 4.5",
        // a 16-byte store crossing into absent memory: #PF on the second page, nothing written to the first
        "mov rdi, " + EDGE + "\n mov qword ptr [rdi], 77\n movsd xmm1, [rdi]\n addsd xmm1, xmm1\n movups [rdi], xmm1\n nop",
        // #XM: divide by zero with ZE unmasked, after PE was raised and recorded by earlier instructions
        "lea rsi, [rip + d]\n movsd xmm0, [rsi]\n divsd xmm0, [rsi + 8]\n stmxcsr [rsi + 24]\n"
                + " and dword ptr [rsi + 24], 0xFDFF\n ldmxcsr [rsi + 24]\n movsd xmm1, xmm0\n divsd xmm1, [rsi + 16]\n nop\n"
                + " .align 16\n d: .double 1.0, 3.0, 0.0, 0.0",
        // #XM in a translated loop between a CMP and an ADD that redefines its flags: the CMP's flags are in the frame
        "lea rsi, [rip + d]\n stmxcsr [rsi + 64]\n and dword ptr [rsi + 64], 0xFDFF\n ldmxcsr [rsi + 64]\n"
                + " movsd xmm0, [rsi + 32]\n xor edi, edi\n mov eax, 3\n"
                + " l: movsd xmm1, [rsi + rdi*8]\n mov ebx, 5\n cmp eax, ebx\n divsd xmm0, xmm1\n add eax, 1\n"
                + " inc edi\n jmp l\n .align 16\n d: .double 1.0, 2.0, 3.0, 0.0, 1.0, 0, 0, 0, 0",
    };

    /** Doubles: QNaN, SNaN, +inf, -inf, -0.0, 1.0, 2.5, -2.5, 1e20, 2^31 - 0.5, -2^31 - 1, a denormal, 2^63. */
    private static final String SPECIALS = " .align 16\n d: .quad 0x7FF8000000000000, 0x7FF0000000000001,"
            + " 0x7FF0000000000000, 0xFFF0000000000000, 0x8000000000000000, 0x3FF0000000000000, 0x4004000000000000,"
            + " 0xC004000000000000, 0x4415AF1D78B58C40, 0x41DFFFFFFFE00000, 0xC1E0000000200000, 1, 0x43E0000000000000,"
            + " 0, 0, 0, 0, 0, 0, 0";

    /** Sets MXCSR to {@code value} (through [rsi + 152], the table's last zero). */
    private static String mxcsr(String value) {
        return " mov dword ptr [rsi + 152], " + value + "\n ldmxcsr [rsi + 152]\n";
    }

    /** COMIS/UCOMIS, the conversions, MOVD/MOVQ with general registers, packed integer operations and PMOVMSKB. */
    static final String[] CONVERSIONS = {
        // COMIS/UCOMIS over every pair of neighbours in the table: Jcc on the flags in the block, ADC and SETcc
        // (interpreted) on the flags in the Cpu, RFLAGS at the exit; MXCSR.IE from the QNaN and SNaN compares
        "lea rsi, [rip + d]\n xor edi, edi\n xor ebx, ebx\n xor r8d, r8d\n"
                + " l: movsd xmm0, [rsi + rdi*8]\n movsd xmm1, [rsi + rdi*8 + 8]\n ucomisd xmm0, xmm1\n ja 1f\n"
                + " add ebx, 1\n 1: comisd xmm0, [rsi + rdi*8 + 8]\n jp 2f\n add ebx, 0x100\n"
                + " 2: ucomisd xmm1, xmm0\n adc r8, rdi\n comiss xmm0, xmm1\n sete al\n movzx eax, al\n add r8, rax\n"
                + " ucomiss xmm1, [rsi + rdi*8]\n jbe 3f\n add ebx, 0x10000\n 3: comisd xmm1, xmm1\n jnz 4f\n"
                + " add r8, 0x100\n 4: inc edi\n cmp edi, 12\n jb l\n ucomisd xmm0, xmm1\n mov rax, rbx\n mov [0xF0000000], rax\n"
                + SPECIALS,
        // every conversion of every table entry under the four rounding modes, GPR and XMM results accumulated
        "lea rsi, [rip + d]\n xor r9d, r9d\n"
                + " o: mov eax, r9d\n shl eax, 13\n or eax, 0x1F80\n mov [rsi + 152], eax\n ldmxcsr [rsi + 152]\n"
                + " xor edi, edi\n"
                + " l: movsd xmm0, [rsi + rdi*8]\n cvtsd2si eax, xmm0\n add ebx, eax\n cvttsd2si rdx, xmm0\n"
                + " xor r8, rdx\n cvtsd2si rcx, [rsi + rdi*8]\n add r10, rcx\n cvttsd2si ecx, [rsi + rdi*8]\n"
                + " add r11, rcx\n cvtsd2ss xmm1, xmm0\n cvtss2si eax, xmm1\n add r12, rax\n cvttss2si rax, xmm1\n"
                + " add r13, rax\n cvtss2sd xmm2, xmm1\n cvtsi2sd xmm3, rdx\n cvtsi2sd xmm4, ecx\n"
                + " cvtsi2ss xmm5, r8\n cvtsi2ss xmm6, dword ptr [rsi + rdi*8]\n cvtsi2sd xmm7, qword ptr [rsi + rdi*8]\n"
                + " cvtss2sd xmm8, dword ptr [rsi + rdi*8 + 4]\n cvtpd2ps xmm9, [rsi + 48]\n cvtps2pd xmm10, xmm1\n"
                + " cvtdq2pd xmm11, xmm0\n cvtdq2ps xmm12, [rsi + 64]\n cvttps2dq xmm13, xmm9\n"
                + " cvttpd2dq xmm14, [rsi + 80]\n cvtps2dq xmm15, xmm12\n cvtpd2dq xmm9, xmm0\n"
                + " pxor xmm2, xmm3\n pxor xmm2, xmm4\n pxor xmm2, xmm5\n pxor xmm2, xmm6\n pxor xmm2, xmm7\n"
                + " pxor xmm2, xmm8\n pxor xmm2, xmm9\n pxor xmm2, xmm10\n pxor xmm2, xmm11\n pxor xmm2, xmm13\n"
                + " pxor xmm2, xmm14\n pxor xmm2, xmm15\n paddq xmm0, xmm2\n"
                + " inc edi\n cmp edi, 13\n jb l\n inc r9d\n cmp r9d, 4\n jb o\n mov rax, rbx\n mov [0xF0000000], rax\n" + SPECIALS,
        // #XM: CVTTSD2SI of a NaN with IM unmasked after translated conversions; the destination keeps its value
        "lea rsi, [rip + d]\n" + mxcsr("0x1F00") + " mov eax, 7\n cvtsd2si ecx, [rsi + 40]\n cvttsd2si eax, [rsi]\n"
                + " nop\n" + SPECIALS,
        // #XM: CVTSD2SS overflow with OE unmasked (1e20 fits; 2^63 fits; DBL_MAX does not)
        "lea rsi, [rip + d]\n" + mxcsr("0x1B80") + " movsd xmm0, [rsi + 64]\n cvtsd2ss xmm1, xmm0\n"
                + " mov rax, 0x7FEFFFFFFFFFFFFF\n movq xmm2, rax\n cvtsd2ss xmm1, xmm2\n nop\n" + SPECIALS,
        // #XM: CVTSI2SS of an integer a binary32 cannot hold, PE unmasked
        "lea rsi, [rip + d]\n" + mxcsr("0x0F80") + " mov eax, 1024\n cvtsi2ss xmm0, eax\n mov rax, 0x7FFFFFFFFFFFFFF1\n"
                + " cmp eax, 1\n cvtsi2ss xmm0, rax\n nop\n" + SPECIALS,
        // #XM: COMISD of a QNaN with IM unmasked after a CMP: the CMP's flags in the frame; UCOMISD of it was quiet
        "lea rsi, [rip + d]\n" + mxcsr("0x1F00") + " movsd xmm0, [rsi]\n ucomisd xmm0, [rsi + 40]\n cmp esi, 3\n"
                + " comisd xmm0, [rsi + 40]\n nop\n" + SPECIALS,
        // a COMISD and a CVTTSD2SI whose operand is absent memory: #PF, the flags and registers before them
        "mov rdi, " + (16 << 20) + "\n mov eax, 7\n cmp eax, 9\n cvttsd2si eax, [rdi]\n nop",
        "mov rdi, " + (16 << 20) + "\n xorpd xmm0, xmm0\n comisd xmm0, xmm0\n cmp edi, 9\n comisd xmm0, [rdi]\n nop",
        // MOVD/MOVQ between XMM and general registers or memory, with integer ops between them
        "lea rsi, [rip + d]\n mov rdi, " + (EDGE - 64) + "\n mov ecx, 20\n mov rax, 0x123456789ABCDEF0\n"
                + " l: movq xmm0, rax\n movd xmm1, eax\n paddq xmm0, xmm1\n movq rdx, xmm0\n movd ebx, xmm0\n"
                + " add rax, rdx\n rol rax, 7\n movd [rsi + 128], xmm1\n movd xmm2, [rsi + 132]\n"
                + " movq [rsi + 136], xmm0\n movq xmm3, [rsi + 136]\n movd r8d, xmm2\n add rax, r8\n movq r9, xmm3\n"
                + " xor rax, r9\n dec ecx\n jnz l\n mov [0xF0000000], rax\n" + SPECIALS,
        // half moves: MOVLPD/MOVHPD/MOVLPS/MOVHPS both ways, MOVHLPS/MOVLHPS; the stores read back; then one faults
        "lea rsi, [rip + d]\n mov rdi, " + (EDGE - 32) + "\n mov ecx, 3\n"
                + " l: movlpd xmm0, [rsi + 40]\n movhpd xmm0, [rsi + rcx*8 + 48]\n movhlps xmm1, xmm0\n movlhps xmm1, xmm0\n"
                + " movlps xmm2, [rsi + rcx*8]\n movhps xmm2, [rsi + 16]\n movlpd [rdi], xmm1\n movhpd [rdi + 8], xmm2\n"
                + " movhps [rdi + 16], xmm0\n movlps [rdi + 24], xmm2\n mov rax, [rdi]\n add rax, [rdi + 8]\n"
                + " xor rax, [rdi + 16]\n add rbx, rax\n dec ecx\n jnz l\n mov r8, " + (16 << 20) + "\n cmp ecx, 2\n"
                + " movhpd xmm1, [r8]\n nop\n" + SPECIALS,
        // a strlen-like scan: packed byte compares, PMOVMSKB, shuffles, byte shifts, PALIGNR, PSHUFB, MOVMSKPD
        "lea rsi, [rip + s]\n pxor xmm0, xmm0\n xor ecx, ecx\n xor ebx, ebx\n"
                + " l: movdqa xmm1, [rsi + rcx]\n pcmpeqb xmm1, xmm0\n pmovmskb eax, xmm1\n movdqa xmm2, [rsi + rcx]\n"
                + " paddb xmm2, [rsi + rcx]\n psubb xmm2, xmm1\n pcmpgtb xmm2, xmm0\n pminub xmm2, xmm1\n"
                + " pcmpeqd xmm3, xmm2\n pshufd xmm4, xmm2, 0x1B\n pslldq xmm4, 3\n psrldq xmm3, 5\n"
                + " palignr xmm4, xmm3, 7\n psllq xmm4, 9\n pshufb xmm4, xmm2\n punpcklbw xmm5, xmm4\n"
                + " pandn xmm5, xmm2\n pxor xmm6, xmm5\n movmskpd edx, xmm5\n add ebx, edx\n add ecx, 16\n"
                + " test eax, eax\n jz l\n bsf eax, eax\n add rax, rcx\n mov [0xF0000000], rax\n"
                + " .align 16\n s: .ascii \"a string of some length, to find its terminating zero byte in\"\n"
                + " .byte 0\n .fill 48, 1, 0x41",
        // MOVNTDQ/MOVNTPS stores (the second onto the last bytes of RAM), then a misaligned MOVNTPD: #GP(0)
        "lea rsi, [rip + d]\n mov rdi, " + ((16 << 20) - 32) + "\n movdqa xmm0, [rsi + 16]\n movntdq [rdi], xmm0\n"
                + " movapd xmm1, [rsi + 48]\n movntps [rdi + 16], xmm1\n mov rax, [rdi]\n movntpd [rdi + 8], xmm0\n nop\n"
                + SPECIALS,
        // a misaligned 16-byte operand of a packed integer operation after a CMP: #GP(0), the CMP's flags
        "lea rsi, [rip + d]\n movdqa xmm0, [rsi]\n cmp esi, 3\n paddd xmm0, [rsi + 4]\n nop\n" + SPECIALS,
    };

    @Test
    void translatedSseEndsInTheInterpretersState() {
        AgainstInterpreter.assertRunsMatch(PROGRAMS, 5000, SseTranslationTest::fpAndMemory);
    }

    @Test
    void everySingleStepOfTranslatedSseMatchesTheInterpreter() {
        AgainstInterpreter.assertStepsMatch(PROGRAMS, 5000, SseTranslationTest::fpAndMemory);
    }

    @Test
    void translatedConversionsComparesAndGprMovesEndInTheInterpretersState() {
        AgainstInterpreter.assertRunsMatch(CONVERSIONS, 5000, SseTranslationTest::fpAndMemory);
    }

    @Test
    void everySingleStepOfTranslatedConversionsMatchesTheInterpreter() {
        AgainstInterpreter.assertStepsMatch(CONVERSIONS, 5000, SseTranslationTest::fpAndMemory);
    }

    /** The FXSAVE image (XMM0-15, MXCSR) and the last 8 bytes of RAM, where a crossing store lands. */
    private static void fpAndMemory(TestVm t, Vcpu v, List<long[]> states) {
        states.add(longs(v.state().fxsave()));
        states.add(new long[] {t.read64(EDGE)});
    }

    private static long[] longs(byte[] image) {
        long[] out = new long[image.length / 8];
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
    }
}
