package org.paravane.emulated.cpu.exec.x87;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.FpuState;
import org.paravane.emulated.cpu.decode.Decoded;

/**
 * FST/FSTP (m32 m64 m80 ST(i)), FIST/FISTP (m16 m32, FISTP m64), FISTTP (m16 m32 m64, SSE3) and FBSTP. An empty ST(0)
 * is a stack underflow: masked, the indefinite of the destination format is stored. Memory is left alone when an
 * unmasked invalid (or, for the floating-point formats, overflow or underflow) is raised.
 */
final class X87Store {
    private X87Store() {
    }

    enum Kind { M32FP, M64FP, M80FP, REG, M16INT, M32INT, M64INT, M16TRUNC, M32TRUNC, M64TRUNC, BCD }

    static final class Store extends X87Insn {
        private final Kind kind;
        private final boolean pop;

        Store(Decoded d, Kind kind, boolean pop) {
            super(d);
            this.kind = kind;
            this.pop = pop;
        }

        @Override
        void run(Cpu c, FpuState f) {
            FpEnv env = new FpEnv(f.fcw);
            F80 v = source(f, env, 0);
            boolean underflow = v == null;
            if (underflow) {
                v = F80.INDEFINITE;
            }
            long bits = 0;
            long[] wide = null;
            int size;
            switch (kind) {
                case M32FP -> {
                    bits = underflow ? 0xFFC0_0000L : F80s.toSingle(env, v) & 0xFFFF_FFFFL;
                    size = 4;
                }
                case M64FP -> {
                    bits = underflow ? 0xFFF8_0000_0000_0000L : F80s.toDouble(env, v);
                    size = 8;
                }
                case M80FP, REG -> {
                    wide = new long[] {v.sig(), v.se()};
                    size = 10;
                }
                case BCD -> {
                    wide = underflow ? new long[] {0xC000_0000_0000_0000L, 0xFFFF} : F80s.toBcd(env, v);
                    size = 10;
                }
                default -> {
                    int width = switch (kind) {
                        case M16INT, M16TRUNC -> 16;
                        case M32INT, M32TRUNC -> 32;
                        default -> 64;
                    };
                    boolean truncate = kind == Kind.M16TRUNC || kind == Kind.M32TRUNC || kind == Kind.M64TRUNC;
                    bits = underflow ? 1L << (width - 1) : F80s.toInt(env, v, width, truncate);
                    size = width / 8;
                }
            }
            if (kind != Kind.REG) {
                writable(c, ea(c), size);                 // the destination faults even when nothing is stored
            }
            boolean store = (env.flags & ~env.masks & (FpEnv.IE | FpEnv.DE | FpEnv.OE | FpEnv.UE)) == 0;
            if ((env.flags & ~env.masks & (FpEnv.OE | FpEnv.UE)) != 0) {
                env.flags &= ~FpEnv.PE;                   // nothing stored, nothing rounded
                env.roundedUp = false;
            }
            if (store) {
                if (kind == Kind.REG) {
                    set(f, sti, v);
                } else if (wide != null) {
                    write80(c, ea(c), wide[0], (int) wide[1]);
                } else {
                    c.write(size, ea(c), bits);
                }
            }
            if (store && pop) {
                pop(f);
            }
            status(f, env);
        }
    }
}
