package org.paravane.emulated.cpu.exec;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;

/**
 * BMI2 (BZHI PDEP PEXT MULX RORX SARX SHLX SHRX) and ADX (ADCX ADOX). Only BZHI, ADCX and ADOX touch the flags.
 */
final class Bmi2Ops {
    private Bmi2Ops() {
    }

    /**
     * {@code dst} = f(r/m, {@code other}): {@code other} is VEX.vvvv (a register), or the immediate count of RORX;
     * for MULX {@code dst} takes the high half and {@code other} the low half of RDX × r/m.
     */
    static final class Bmi2 extends MemInsn {
        private final Mnemonic op;
        private final int size, dst, other;

        Bmi2(Decoded d, int size, int dst, int other, Operand src) {
            super(d, src);
            this.op = d.mnemonic();
            this.size = size;
            this.dst = dst;
            this.other = other;
        }

        @Override
        public void exec(Cpu c) {
            long s = getRm(c, size);
            int bits = size * 8;
            int countMask = bits - 1;
            switch (op) {
                case BZHI -> {
                    int n = (int) (c.reg(size, other) & 0xFF);
                    long r = n >= bits ? s : s & ((1L << n) - 1);
                    c.setReg(size, dst, r);
                    c.resultFlags(size, r, n > bits - 1 ? Cpu.CF : 0);
                }
                case PDEP -> c.setReg(size, dst, deposit(c.reg(size, other), s));
                case PEXT -> c.setReg(size, dst, extract(c.reg(size, other), s));
                case MULX -> {
                    long a = c.reg(size, Cpu.RDX);
                    long lo, hi;
                    if (size == 8) {
                        lo = a * s;
                        hi = Math.unsignedMultiplyHigh(a, s);
                    } else {
                        long p = a * s;                           // both zero-extended 32-bit: exact in 64 bits
                        lo = p & 0xFFFF_FFFFL;
                        hi = p >>> 32;
                    }
                    c.setReg(size, other, lo);                    // written first: with dst == other, dst (high) wins
                    c.setReg(size, dst, hi);
                }
                case RORX -> {
                    int n = other & countMask;
                    c.setReg(size, dst, size == 8 ? Long.rotateRight(s, n) : Integer.rotateRight((int) s, n));
                }
                case SARX -> c.setReg(size, dst, Cpu.sx(size, s) >> (c.reg(size, other) & countMask));
                case SHLX -> c.setReg(size, dst, s << (c.reg(size, other) & countMask));
                default -> c.setReg(size, dst, s >>> (c.reg(size, other) & countMask));      // SHRX
            }
        }
    }

    /** The bits of {@code src}, from the lowest up, placed at the set bits of {@code mask}. */
    static long deposit(long src, long mask) {
        long r = 0;
        for (long m = mask; m != 0; m &= m - 1) {
            if ((src & 1) != 0) {
                r |= m & -m;
            }
            src >>>= 1;
        }
        return r;
    }

    /** The bits of {@code src} at the set bits of {@code mask}, packed from bit 0 up. */
    static long extract(long src, long mask) {
        long r = 0;
        int k = 0;
        for (long m = mask; m != 0; m &= m - 1) {
            if ((src & m & -m) != 0) {
                r |= 1L << k;
            }
            k++;
        }
        return r;
    }

    /** ADCX (carry in and out through CF) and ADOX (through OF); the other flags stay as they were. */
    static final class Adx extends MemInsn {
        private final boolean overflowFlag;
        private final int size, dst;

        Adx(Decoded d, int size, int dst, Operand src) {
            super(d, src);
            this.overflowFlag = d.mnemonic() == Mnemonic.ADOX;
            this.size = size;
            this.dst = dst;
        }

        @Override
        public void exec(Cpu c) {
            long s = getRm(c, size);
            long flags = c.arithFlags();
            long flag = overflowFlag ? Cpu.OF : Cpu.CF;
            long a = c.reg(size, dst);
            long carryIn = (flags & flag) != 0 ? 1 : 0;
            long r, carryOut;
            if (size == 8) {
                r = a + s + carryIn;
                carryOut = Long.compareUnsigned(r, a) < 0 || carryIn != 0 && r == a ? 1 : 0;
            } else {
                long wide = a + s + carryIn;                         // both zero-extended 32-bit
                r = wide & 0xFFFF_FFFFL;
                carryOut = wide >>> 32;
            }
            c.setReg(size, dst, r);
            c.setArith(carryOut != 0 ? flags | flag : flags & ~flag);
        }
    }
}
