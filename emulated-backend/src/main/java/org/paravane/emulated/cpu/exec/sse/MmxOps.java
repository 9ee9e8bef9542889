package org.paravane.emulated.cpu.exec.sse;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.FpuState;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;
import org.paravane.emulated.cpu.exec.Insn;

/**
 * MMX: the packed integer instructions on MMX registers (the SSE2 lane operations on one 64-bit half), moves (MOVD,
 * MOVQ, MOVNTQ, MASKMOVQ), PSHUFW PINSRW PEXTRW PMOVMSKB, the unpacks and packs, EMMS, and the SSE/SSE2 forms that
 * move between MMX and XMM registers: CVTPI2PS CVTPI2PD CVT(T)PS2PI CVT(T)PD2PI MOVQ2DQ MOVDQ2Q.
 */
final class MmxOps {
    private MmxOps() {
    }

    /** Whether {@code d} is an MMX form (it names an MMX register, or is an MMX-only mnemonic). */
    static boolean names(Decoded d) {
        if (d.mnemonic() == Mnemonic.EMMS) {
            return true;
        }
        for (Operand o : d.operands()) {
            if (o instanceof Operand.Mmx) {
                return true;
            }
        }
        return switch (d.mnemonic()) {
            case CVTPI2PS, CVTPI2PD -> true;
            default -> false;
        };
    }

    static Insn bind(Decoded d) {
        Mnemonic m = d.mnemonic();
        return switch (m) {
            case EMMS -> new Emms(d);
            case MOVD, MOVQ, MOVNTQ -> new Move(d);
            case MASKMOVQ -> new MaskMove(d);
            case PSHUFW, PINSRW, PEXTRW, PMOVMSKB -> new Words(d);
            case CVTPI2PS, CVTPI2PD, CVTPS2PI, CVTTPS2PI, CVTPD2PI, CVTTPD2PI, MOVQ2DQ, MOVDQ2Q -> new Convert(d);
            default -> d.operandCount() > 1 && d.op(1) instanceof Operand.Imm imm ? new Binary(d, imm.value())
                    : new Binary(d, -1);
        };
    }

    /** The packed operations: MMi = MMi op r/m (an immediate count for the shift group). */
    static final class Binary extends MmxInsn {
        private final Mnemonic op;
        private final long count;

        Binary(Decoded d, long count) {
            super(d, d.op(0), count >= 0 ? d.op(0) : d.op(1));
            this.op = d.mnemonic();
            this.count = count;
        }

        @Override
        void run(Cpu c, FpuState f) {
            long a = mmx(f, mm);
            long b = count >= 0 ? count & 0xFF : source(c, f);
            long r = switch (op) {
                case PMULUDQ -> (a & 0xFFFF_FFFFL) * (b & 0xFFFF_FFFFL);
                case PSADBW -> SsePackedIntOps.sad(a, b);
                case PSLLW, PSLLD, PSLLQ, PSRLW, PSRLD, PSRLQ, PSRAW, PSRAD -> SsePackedIntOps.shift(op, a, b);
                case PUNPCKLBW, PUNPCKLWD, PUNPCKLDQ, PUNPCKHBW, PUNPCKHWD, PUNPCKHDQ -> unpack(op, a, b);
                case PACKSSWB, PACKSSDW, PACKUSWB -> pack(op, a, b);
                default -> SsePackedIntOps.half(op, a, b);
            };
            setMmx(f, mm, r);
        }
    }

    private static long unpack(Mnemonic op, long a, long b) {
        int w = switch (op) {
            case PUNPCKLBW, PUNPCKHBW -> 8;
            case PUNPCKLWD, PUNPCKHWD -> 16;
            default -> 32;
        };
        boolean high = op == Mnemonic.PUNPCKHBW || op == Mnemonic.PUNPCKHWD || op == Mnemonic.PUNPCKHDQ;
        if (high) {
            a >>>= 32;
            b >>>= 32;
        }
        long mask = w == 32 ? 0xFFFF_FFFFL : (1L << w) - 1;
        long r = 0;
        for (int i = 0; i < 32 / w; i++) {
            r |= ((a >>> (w * i)) & mask) << (2 * w * i);
            r |= ((b >>> (w * i)) & mask) << (2 * w * i + w);
        }
        return r;
    }

    private static long pack(Mnemonic op, long a, long b) {
        boolean words = op == Mnemonic.PACKSSDW;
        int in = words ? 32 : 16, out = words ? 16 : 8;
        long lo = op == Mnemonic.PACKUSWB ? 0 : -(1L << (out - 1));
        long hi = op == Mnemonic.PACKUSWB ? (1L << out) - 1 : (1L << (out - 1)) - 1;
        long r = 0;
        int lanes = 64 / in;
        for (int i = 0; i < 2 * lanes; i++) {
            long src = i < lanes ? a : b;
            long v = (src >>> (in * (i % lanes))) << (64 - in) >> (64 - in);
            r |= (Math.clamp(v, lo, hi) & ((1L << out) - 1)) << (out * i);
        }
        return r;
    }

    /** MOVD/MOVQ between MMX registers, general registers and memory; MOVNTQ. */
    static final class Move extends MmxInsn {
        private final boolean toMmx;
        private final int width;

        Move(Decoded d) {
            super(d, d.op(0) instanceof Operand.Mmx ? d.op(0) : d.op(1), d.op(0) instanceof Operand.Mmx ? d.op(1) : d.op(0));
            this.toMmx = d.op(0) instanceof Operand.Mmx;
            this.width = d.mnemonic() == Mnemonic.MOVD ? 4 : 8;
        }

        @Override
        void run(Cpu c, FpuState f) {
            if (toMmx) {
                long v = rmMm >= 0 ? mmx(f, rmMm) : rm >= 0 ? c.reg(width, rm) : c.read(width, ea(c));
                setMmx(f, mm, width == 4 ? v & 0xFFFF_FFFFL : v);
            } else if (rmMm >= 0) {
                setMmx(f, rmMm, mmx(f, mm));
            } else if (rm >= 0) {
                c.setReg(width, rm, width == 4 ? mmx(f, mm) & 0xFFFF_FFFFL : mmx(f, mm));
            } else {
                c.write(width, ea(c), mmx(f, mm));
            }
        }
    }

    /** MASKMOVQ: the bytes of MMi whose mask byte (the other register) has its top bit set, to [RDI]. */
    static final class MaskMove extends MmxInsn {
        MaskMove(Decoded d) {
            super(d, d.op(0), d.op(1));
        }

        @Override
        void run(Cpu c, FpuState f) {
            long data = mmx(f, mm), mask = mmx(f, rmMm);
            long a = c.r[Cpu.RDI];
            if (decoded.addressSize() == 4) {
                a &= 0xFFFF_FFFFL;
            }
            if (decoded.segment() == Cpu.FS || decoded.segment() == Cpu.GS) {
                a += decoded.segment() == Cpu.FS ? c.fsBase : c.gsBase;
            }
            for (int i = 0; i < 8; i++) {
                if ((mask >>> (8 * i + 7) & 1) != 0) {
                    c.write8(a + i, data >>> (8 * i));
                }
            }
        }
    }

    /** PSHUFW, PINSRW, PEXTRW, PMOVMSKB. */
    static final class Words extends MmxInsn {
        private final Mnemonic op;
        private final int imm;

        Words(Decoded d) {
            super(d, d.op(0), d.op(1));
            this.op = d.mnemonic();
            this.imm = d.operandCount() > 2 ? (int) ((Operand.Imm) d.op(2)).value() : 0;
        }

        @Override
        void run(Cpu c, FpuState f) {
            switch (op) {
                case PSHUFW -> {
                    long s = source(c, f), r = 0;
                    for (int i = 0; i < 4; i++) {
                        r |= ((s >>> (16 * ((imm >>> (2 * i)) & 3))) & 0xFFFF) << (16 * i);
                    }
                    setMmx(f, mm, r);
                }
                case PINSRW -> {
                    long w = (rm >= 0 ? c.reg(4, rm) : c.read16(ea(c))) & 0xFFFF;
                    int at = 16 * (imm & 3);
                    setMmx(f, mm, (mmx(f, mm) & ~(0xFFFFL << at)) | w << at);
                }
                case PEXTRW -> c.setReg(4, mm, (mmx(f, rmMm) >>> (16 * (imm & 3))) & 0xFFFF);
                default -> {
                    long s = mmx(f, rmMm), r = 0;
                    for (int i = 0; i < 8; i++) {
                        r |= (s >>> (8 * i + 7) & 1) << i;
                    }
                    c.setReg(4, mm, r);
                }
            }
        }
    }

    /** EMMS: every x87 register empty, TOP 0. */
    static final class Emms extends MmxInsn {
        Emms(Decoded d) {
            super(d, null, null);
        }

        @Override
        void run(Cpu c, FpuState f) {
            f.ftw = 0;
            f.fsw &= ~0x3800;                             // TOP = 0, as the host CPU leaves it
        }

        @Override
        boolean transitions() {
            return false;
        }
    }

    /** The conversions between MMX integers and XMM floating point, and MOVQ2DQ/MOVDQ2Q. */
    static final class Convert extends MmxInsn {
        private final Mnemonic op;
        private final boolean fromMemory;

        Convert(Decoded d) {
            super(d, d.op(0), d.op(1));
            this.op = d.mnemonic();
            this.fromMemory = d.op(1) instanceof Operand.Mem;
        }

        @Override
        boolean sse() {
            return true;
        }

        @Override
        boolean touchesMmx() {
            // CVTPI2PS/CVTPI2PD from memory leave the x87 state alone.
            return !(fromMemory && (op == Mnemonic.CVTPI2PS || op == Mnemonic.CVTPI2PD));
        }

        @Override
        void run(Cpu c, FpuState f) {
            long[] x = f.xmm;
            switch (op) {
                case MOVQ2DQ -> {
                    x[2 * mm] = mmx(f, rmMm);
                    x[2 * mm + 1] = 0;
                }
                case MOVDQ2Q -> setMmx(f, mm, x[2 * rmMm]);
                case CVTPI2PS, CVTPI2PD -> {
                    long s = source(c, f);
                    Mxcsr m = new Mxcsr(f);
                    long lo;
                    long hi = x[2 * mm + 1];
                    if (op == Mnemonic.CVTPI2PS) {
                        lo = SoftFloat.fromInteger(m, SoftFloat.SINGLE, (int) s)
                                | SoftFloat.fromInteger(m, SoftFloat.SINGLE, (int) (s >>> 32)) << 32;
                    } else {
                        lo = SoftFloat.fromInteger(m, SoftFloat.DOUBLE, (int) s);
                        hi = SoftFloat.fromInteger(m, SoftFloat.DOUBLE, (int) (s >>> 32));
                    }
                    if (touchesMmx()) {
                        transition(f);
                    }
                    m.commit(c);
                    x[2 * mm] = lo;
                    x[2 * mm + 1] = hi;
                }
                default -> {
                    boolean truncate = op == Mnemonic.CVTTPS2PI || op == Mnemonic.CVTTPD2PI;
                    Mxcsr m = new Mxcsr(f);
                    long r;
                    if (op == Mnemonic.CVTPS2PI || op == Mnemonic.CVTTPS2PI) {
                        long s = rmMm >= 0 ? x[2 * rmMm] : c.read64(ea(c));
                        r = SoftFloat.toInteger(m, SoftFloat.SINGLE, s & 0xFFFF_FFFFL, 32, truncate) & 0xFFFF_FFFFL
                                | SoftFloat.toInteger(m, SoftFloat.SINGLE, s >>> 32, 32, truncate) << 32;
                    } else {
                        long lo, hi;
                        if (rmMm >= 0) {
                            lo = x[2 * rmMm];
                            hi = x[2 * rmMm + 1];
                        } else {
                            long a = ea(c);
                            if ((a & 15) != 0) {
                                throw c.gp(0);
                            }
                            lo = c.read64(a);
                            hi = c.read64(a + 8);
                        }
                        r = (SoftFloat.toInteger(m, SoftFloat.DOUBLE, lo, 32, truncate) & 0xFFFF_FFFFL)
                                | SoftFloat.toInteger(m, SoftFloat.DOUBLE, hi, 32, truncate) << 32;
                    }
                    transition(f);                        // an unmasked SIMD exception (#XM) comes after it
                    m.commit(c);
                    setMmx(f, mm, r);
                }
            }
        }
    }
}
