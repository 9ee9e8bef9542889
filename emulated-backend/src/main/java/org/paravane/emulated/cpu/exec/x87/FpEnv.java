package org.paravane.emulated.cpu.exec.x87;

/**
 * One x87 operation's context: rounding control and precision from the control word, its exception masks, and what
 * the operation raised: the status-word exception bits ({@link #flags}) and C1 ("rounded up").
 */
public final class FpEnv {
    public static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 0x10, PE = 0x20, SF = 0x40;
    public static final int RN = 0, RD = 1, RU = 2, RZ = 3;

    final int rc;
    /** Significand bits results are rounded to: 24, 53 or 64 (64 for the operations precision control leaves alone). */
    int precision;
    final int masks;
    public int flags;
    public boolean roundedUp;

    public FpEnv(int fcw) {
        this.rc = (fcw >>> 10) & 3;
        this.precision = switch ((fcw >>> 8) & 3) {
            case 0 -> 24;
            case 2 -> 53;
            default -> 64;          // 3, and the reserved 1, which the hardware treats as 64 bits
        };
        this.masks = fcw & 0x3F;
    }

    /** A context with an explicit rounding control and full precision (conversions and the PC-independent forms). */
    FpEnv(int rc, int precision, int masks) {
        this.rc = rc;
        this.precision = precision;
        this.masks = masks;
    }

    boolean masked(int flag) {
        return (masks & flag) != 0;
    }

    /** Whether an exception that stops the operation (invalid, denormal, zero divide) is unmasked and raised. */
    public boolean unmaskedPreResult() {
        return (flags & ~masks & (IE | DE | ZE)) != 0;
    }

    /** Whether any raised exception is unmasked. */
    public boolean unmasked() {
        return (flags & ~masks & 0x3F) != 0;
    }

    /** Masked invalid operation: flags IE; returns the indefinite. */
    F80 invalid() {
        flags |= IE;
        return F80.INDEFINITE;
    }
}
