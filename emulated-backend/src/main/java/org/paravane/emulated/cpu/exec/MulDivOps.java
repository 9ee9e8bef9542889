package org.paravane.emulated.cpu.exec;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.Vectors;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Operand;

/**
 * MUL, IMUL (one, two and three operands), DIV, IDIV. Multiplications set CF = OF when the high half matters; SF,
 * ZF and PF (undefined in the SDM) follow the low half, AF is cleared. Divisions raise #DE on a zero divisor or a
 * quotient that does not fit, and leave the flags alone.
 */
final class MulDivOps {
    private MulDivOps() {
    }

    static final int MUL = 4, IMUL = 5, DIV = 6, IDIV = 7;

    /** The one-operand forms on the accumulator (group 3 /4../7). */
    static final class Acc extends MemInsn {
        private final int kind, size;

        Acc(Decoded d, int kind, int size, Operand operand) {
            super(d, operand);
            this.kind = kind;
            this.size = size;
        }

        @Override
        public void exec(Cpu c) {
            long src = getRm(c, size);
            switch (kind) {
                case MUL -> mul(c, src, false);
                case IMUL -> mul(c, src, true);
                case DIV -> div(c, src, false);
                default -> div(c, src, true);
            }
        }

        private void mul(Cpu c, long src, boolean signed) {
            long a = c.r[Cpu.RAX];
            long lo;
            boolean high;
            switch (size) {
                case 1 -> {
                    long p = signed ? (long) (byte) a * (byte) src : (a & 0xFF) * src;
                    c.setReg(2, Cpu.RAX, p);
                    lo = p;
                    high = signed ? p != (byte) p : (p & 0xFF00) != 0;
                }
                case 2 -> {
                    long p = signed ? (long) (short) a * (short) src : (a & 0xFFFF) * src;
                    c.setReg(2, Cpu.RAX, p);
                    c.setReg(2, Cpu.RDX, p >>> 16);
                    lo = p;
                    high = signed ? p != (short) p : (p & 0xFFFF_0000L) != 0;
                }
                case 4 -> {
                    long p = signed ? (long) (int) a * (int) src : (a & 0xFFFF_FFFFL) * src;
                    c.r[Cpu.RAX] = p & 0xFFFF_FFFFL;
                    c.r[Cpu.RDX] = p >>> 32;
                    lo = p;
                    high = signed ? p != (int) p : (p >>> 32) != 0;
                }
                default -> {
                    long hi = signed ? Math.multiplyHigh(a, src) : Math.unsignedMultiplyHigh(a, src);
                    lo = a * src;
                    c.r[Cpu.RAX] = lo;
                    c.r[Cpu.RDX] = hi;
                    high = signed ? hi != (lo >> 63) : hi != 0;
                }
            }
            c.resultFlags(size, lo, high ? Cpu.CF | Cpu.OF : 0);
        }

        private void div(Cpu c, long divisor, boolean signed) {
            if (divisor == 0) {
                throw c.raise(Vectors.DE, -1);
            }
            switch (size) {
                case 1 -> {
                    long n = c.r[Cpu.RAX] & 0xFFFF;
                    long q, r;
                    if (signed) {
                        long sn = (short) n, sd = (byte) divisor;
                        q = sn / sd;
                        r = sn % sd;
                        if (q != (byte) q) {
                            throw c.raise(Vectors.DE, -1);
                        }
                    } else {
                        q = n / divisor;
                        r = n % divisor;
                        if (q > 0xFF) {
                            throw c.raise(Vectors.DE, -1);
                        }
                    }
                    c.setReg(2, Cpu.RAX, (q & 0xFF) | ((r & 0xFF) << 8));
                }
                case 2 -> {
                    long n = ((c.r[Cpu.RDX] & 0xFFFF) << 16) | (c.r[Cpu.RAX] & 0xFFFF);
                    long q, r;
                    if (signed) {
                        long sn = (int) n, sd = (short) divisor;
                        q = sn / sd;
                        r = sn % sd;
                        if (q != (short) q) {
                            throw c.raise(Vectors.DE, -1);
                        }
                    } else {
                        q = n / divisor;
                        r = n % divisor;
                        if (q > 0xFFFF) {
                            throw c.raise(Vectors.DE, -1);
                        }
                    }
                    c.setReg(2, Cpu.RAX, q);
                    c.setReg(2, Cpu.RDX, r);
                }
                case 4 -> {
                    long n = ((c.r[Cpu.RDX] & 0xFFFF_FFFFL) << 32) | (c.r[Cpu.RAX] & 0xFFFF_FFFFL);
                    long q, r;
                    if (signed) {
                        long sd = (int) divisor;
                        if (n == Long.MIN_VALUE && sd == -1) {
                            throw c.raise(Vectors.DE, -1);
                        }
                        q = n / sd;
                        r = n % sd;
                        if (q != (int) q) {
                            throw c.raise(Vectors.DE, -1);
                        }
                    } else {
                        q = Long.divideUnsigned(n, divisor);
                        r = Long.remainderUnsigned(n, divisor);
                        if ((q >>> 32) != 0) {
                            throw c.raise(Vectors.DE, -1);
                        }
                    }
                    c.r[Cpu.RAX] = q & 0xFFFF_FFFFL;
                    c.r[Cpu.RDX] = r & 0xFFFF_FFFFL;
                }
                default -> {
                    long hi = c.r[Cpu.RDX], lo = c.r[Cpu.RAX];
                    long[] qr = signed ? divSigned128(hi, lo, divisor) : divUnsigned128(hi, lo, divisor);
                    if (qr == null) {
                        throw c.raise(Vectors.DE, -1);
                    }
                    c.r[Cpu.RAX] = qr[0];
                    c.r[Cpu.RDX] = qr[1];
                }
            }
        }
    }

    /** Quotient and remainder of the unsigned 128-bit {@code hi:lo} by {@code d}, or null when the quotient overflows. */
    static long[] divUnsigned128(long hi, long lo, long d) {
        if (Long.compareUnsigned(hi, d) >= 0) {
            return null;
        }
        if (hi == 0) {
            return new long[] {Long.divideUnsigned(lo, d), Long.remainderUnsigned(lo, d)};
        }
        long q = 0;
        long r = hi;
        for (int i = 63; i >= 0; i--) {
            boolean carry = r < 0;
            r = (r << 1) | ((lo >>> i) & 1);
            if (carry || Long.compareUnsigned(r, d) >= 0) {
                r -= d;
                q |= 1L << i;
            }
        }
        return new long[] {q, r};
    }

    /** Signed 128/64 division with truncation toward zero, or null when the quotient does not fit 64 bits. */
    static long[] divSigned128(long hi, long lo, long d) {
        boolean negN = hi < 0;
        boolean negD = d < 0;
        long uhi = hi, ulo = lo;
        if (negN) {
            ulo = -lo;
            uhi = ~hi + (lo == 0 ? 1 : 0);
        }
        long ud = negD ? -d : d;
        long[] qr = divUnsigned128(uhi, ulo, ud);
        if (qr == null) {
            return null;
        }
        long q = qr[0], r = qr[1];
        if (negN != negD) {
            if (Long.compareUnsigned(q, Long.MIN_VALUE) > 0) {
                return null;
            }
            q = -q;
        } else if (q < 0) {
            return null;
        }
        return new long[] {q, negN ? -r : r};
    }

    /** IMUL r, r/m (two operands) and IMUL r, r/m, imm (three). */
    static final class Imul extends MemInsn {
        private final int size, dst;
        private final long imm;
        private final boolean hasImm;

        Imul(Decoded d, int size, int dst, Operand src, boolean hasImm, long imm) {
            super(d, src);
            this.size = size;
            this.dst = dst;
            this.hasImm = hasImm;
            this.imm = imm;
        }

        @Override
        public void exec(Cpu c) {
            long a = hasImm ? getRm(c, size) : c.reg(size, dst);
            long b = hasImm ? imm : getRm(c, size);
            long res;
            boolean overflow;
            if (size == 8) {
                res = a * b;
                overflow = Math.multiplyHigh(a, b) != (res >> 63);
            } else {
                long p = Cpu.sx(size, a) * Cpu.sx(size, b);
                res = p;
                overflow = p != Cpu.sx(size, p);
            }
            c.setReg(size, dst, res);
            c.resultFlags(size, res, overflow ? Cpu.CF | Cpu.OF : 0);
        }
    }
}
