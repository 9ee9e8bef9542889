package org.paravane.emulated.cpu.exec;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Operand;

/**
 * ROL ROR RCL RCR SHL SHR SAR (group 2 order; /6 is SHL too) by an immediate, CL or 1. A masked count of zero leaves
 * the operand and the flags alone. Flags the SDM leaves undefined get a fixed rule here: OF as for a count of one,
 * AF cleared.
 */
final class ShiftOps {
    private ShiftOps() {
    }

    static final int ROL = 0, ROR = 1, RCL = 2, RCR = 3, SHL = 4, SHR = 5, SAR = 7;

    static long shift(Cpu c, int op, int size, long value, long rawCount) {
        int bits = size * 8;
        int count = (int) (rawCount & (size == 8 ? 0x3F : 0x1F));
        if (count == 0) {
            return value;
        }
        long v = Cpu.zx(size, value);
        long msbBit = 1L << (bits - 1);
        switch (op) {
            case SHL -> {
                long res = count >= 64 ? 0 : v << count;
                long cf = count <= bits ? (v >>> (bits - count)) & 1 : 0;
                long of = ((res & msbBit) != 0 ? 1 : 0) ^ cf;
                c.resultFlags(size, res, cf | (of << 11));
                return res;
            }
            case SHR -> {
                long res = count >= 64 ? 0 : v >>> count;
                long cf = count <= bits ? (v >>> (count - 1)) & 1 : 0;
                long of = (v & msbBit) != 0 ? Cpu.OF : 0;
                c.resultFlags(size, res, cf | of);
                return res;
            }
            case SAR -> {
                long sv = Cpu.sx(size, v);
                long res = sv >> Math.min(count, 63);
                long cf = (sv >> Math.min(count - 1, 63)) & 1;
                c.resultFlags(size, res, cf);
                return res;
            }
            case ROL, ROR -> {
                int n = count % bits;
                long res = n == 0 ? v : Cpu.zx(size, op == ROL ? (v << n) | (v >>> (bits - n)) : (v >>> n) | (v << (bits - n)));
                long flags = c.arithFlags() & ~(Cpu.CF | Cpu.OF);
                boolean msb = (res & msbBit) != 0;
                if (op == ROL) {
                    boolean cf = (res & 1) != 0;
                    flags |= (cf ? Cpu.CF : 0) | (msb ^ cf ? Cpu.OF : 0);
                } else {
                    boolean next = (res & (msbBit >>> 1)) != 0;
                    flags |= (msb ? Cpu.CF : 0) | (msb ^ next ? Cpu.OF : 0);
                }
                c.setArith(flags);
                return res;
            }
            default -> {
                int n = switch (size) {
                    case 1 -> count % 9;
                    case 2 -> count % 17;
                    default -> count;
                };
                long flags = c.arithFlags();
                long cf = flags & Cpu.CF;
                if (n == 0) {
                    return v;
                }
                long res = v;
                boolean of;
                if (op == RCL) {
                    for (int i = 0; i < n; i++) {
                        long out = (res & msbBit) != 0 ? 1 : 0;
                        res = Cpu.zx(size, (res << 1) | cf);
                        cf = out;
                    }
                    of = ((res & msbBit) != 0) ^ (cf != 0);
                } else {
                    of = ((v & msbBit) != 0) ^ (cf != 0);
                    for (int i = 0; i < n; i++) {
                        long out = res & 1;
                        res = (res >>> 1) | (cf << (bits - 1));
                        cf = out;
                    }
                }
                c.setArith((flags & ~(Cpu.CF | Cpu.OF)) | cf | (of ? Cpu.OF : 0));
                return res;
            }
        }
    }

    /** A shift of a register or memory operand by an immediate ({@code count >= 0}) or by CL ({@code count < 0}). */
    static final class Shift extends MemInsn {
        private final int op, size, count;

        Shift(Decoded d, int op, int size, Operand operand, int count) {
            super(d, operand);
            this.op = op;
            this.size = size;
            this.count = count;
        }

        @Override
        public void exec(Cpu c) {
            long n = count >= 0 ? count : c.r[Cpu.RCX];
            if (rm >= 0) {
                if (size == 8 && count > 0 && (op == SHL || op == SHR)) {
                    long v = c.r[rm];
                    int k = count & 0x3F;
                    if (k == 0) {
                        return;
                    }
                    long res;
                    long cf;
                    long of;
                    if (op == SHL) {
                        res = v << k;
                        cf = (v >>> (64 - k)) & 1;
                        of = ((res >>> 63) ^ cf) << 11;
                    } else {
                        res = v >>> k;
                        cf = (v >>> (k - 1)) & 1;
                        of = (v >>> 63) << 11;
                    }
                    c.fOp = Cpu.F_RESULT; c.fRes = res; c.fAux = cf | of;
                    c.r[rm] = res;
                    return;
                }
                c.setReg(size, rm, shift(c, op, size, c.reg(size, rm), n));
            } else {
                long a = ea(c);
                long v = c.readForWrite(size, a);
                long res = shift(c, op, size, v, n);
                c.write(size, a, res);
            }
        }
    }
}
