package org.paravane.api.cpu;

/**
 * The sixteen 64-bit general-purpose registers, RIP and RFLAGS.
 *
 * <p>Components are in the x86 register-number order (RAX=0, RCX=1, RDX=2, RBX=3, RSP=4, RBP=5, RSI=6, RDI=7,
 * R8..R15=8..15), so {@link #get(int)} and {@link #with(int, long)} take the number a ModRM or REX field encodes.
 */
public record GeneralRegisters(
        long rax, long rcx, long rdx, long rbx, long rsp, long rbp, long rsi, long rdi,
        long r8, long r9, long r10, long r11, long r12, long r13, long r14, long r15,
        long rip, long rflags) {

    public static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7,
            R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15;

    /** RFLAGS after reset: only the always-one bit 1 set. */
    public static final long RFLAGS_RESET = 0x2L;
    /** RFLAGS.IF, the interrupt-enable flag. */
    public static final long RFLAGS_IF = 1L << 9;
    /** RFLAGS.TF, the trap (single-step) flag. */
    public static final long RFLAGS_TF = 1L << 8;

    /** All registers zero, RFLAGS = {@link #RFLAGS_RESET}. */
    public static final GeneralRegisters ZERO = fromArray(new long[18]);

    /** The register with x86 number {@code index} (0..15). */
    public long get(int index) {
        return switch (index) {
            case RAX -> rax; case RCX -> rcx; case RDX -> rdx; case RBX -> rbx;
            case RSP -> rsp; case RBP -> rbp; case RSI -> rsi; case RDI -> rdi;
            case R8 -> r8; case R9 -> r9; case R10 -> r10; case R11 -> r11;
            case R12 -> r12; case R13 -> r13; case R14 -> r14; case R15 -> r15;
            default -> throw new IndexOutOfBoundsException("no general register number " + index + " (0..15)");
        };
    }

    /** A copy with register number {@code index} (0..15) set to {@code value}. */
    public GeneralRegisters with(int index, long value) {
        long[] a = toArray();
        if (index < 0 || index > 15) {
            throw new IndexOutOfBoundsException("no general register number " + index + " (0..15)");
        }
        a[index] = value;
        return fromArray(a);
    }

    public GeneralRegisters withRip(long value) {
        long[] a = toArray();
        a[16] = value;
        return fromArray(a);
    }

    public GeneralRegisters withRflags(long value) {
        long[] a = toArray();
        a[17] = value;
        return fromArray(a);
    }

    /** The 18 values: registers 0..15 in x86 order, then RIP, then RFLAGS. */
    public long[] toArray() {
        return new long[] {rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags};
    }

    /** Inverse of {@link #toArray()}; a zero RFLAGS becomes {@link #RFLAGS_RESET} (bit 1 always reads one). */
    public static GeneralRegisters fromArray(long[] a) {
        if (a.length != 18) {
            throw new IllegalArgumentException("general registers need 18 values (16 GPRs, RIP, RFLAGS), got " + a.length);
        }
        return new GeneralRegisters(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11],
                a[12], a[13], a[14], a[15], a[16], a[17] | RFLAGS_RESET);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(400);
        String[] names = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags"};
        long[] v = toArray();
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : " ").append(names[i]).append('=').append(Long.toHexString(v[i]));
        }
        return b.toString();
    }
}
