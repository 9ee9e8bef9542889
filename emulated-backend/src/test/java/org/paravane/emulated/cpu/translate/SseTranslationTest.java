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
 * result store.
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

    @Test
    void translatedSseEndsInTheInterpretersState() {
        AgainstInterpreter.assertRunsMatch(PROGRAMS, 5000, SseTranslationTest::fpAndMemory);
    }

    @Test
    void everySingleStepOfTranslatedSseMatchesTheInterpreter() {
        AgainstInterpreter.assertStepsMatch(PROGRAMS, 5000, SseTranslationTest::fpAndMemory);
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
