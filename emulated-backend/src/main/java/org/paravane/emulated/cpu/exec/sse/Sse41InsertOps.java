package org.paravane.emulated.cpu.exec.sse;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;

/**
 * SSE4.1 element moves between XMM registers and general registers or memory: PEXTRB/W/D/Q and EXTRACTPS (to a
 * register, zero-extended, or to memory of the element's size), PINSRB/D/Q and INSERTPS.
 */
final class Sse41InsertOps {
    private Sse41InsertOps() {
    }

    /** PEXTRB/W/D/Q, EXTRACTPS: element imm8 of XMM{@link #xmm} to the r/m operand. */
    static final class Extract extends SseInsn {
        private final int bits, index, gprSize;

        Extract(Decoded d, Operand dst, int xmm, int imm) {
            super(d, dst, xmm, elementBytes(d.mnemonic()), false);
            this.bits = 8 * size;
            this.index = imm & (128 / bits - 1);
            this.gprSize = dst instanceof Operand.Reg r ? r.size() : 0;
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            long[] x = x(c);
            long v = Lanes.get(x[2 * xmm], x[2 * xmm + 1], bits, index);
            if (rm >= 0) {
                c.setReg(gprSize == 8 ? 8 : 4, rm, v);           // a register: the element zero-extended
            } else {
                store(c, v, 0);
            }
        }
    }

    /** PINSRB/D/Q: the r/m element (a register's low bits or memory) into element imm8 of XMM{@link #xmm}. */
    static final class Insert extends SseInsn {
        private final int bits, index;

        Insert(Decoded d, int xmm, Operand src, int imm) {
            super(d, src instanceof Operand.Reg r ? new Operand.Reg(8, r.number()) : src, xmm,
                    elementBytes(d.mnemonic()), false);
            this.bits = 8 * size;
            this.index = imm & (128 / bits - 1);
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            long v = rm >= 0 ? c.r[rm] : src(c, 0);
            long[] x = x(c);
            long[] out = {x[2 * xmm], x[2 * xmm + 1]};
            Lanes.set(out, bits, index, v);
            x[2 * xmm] = out[0];
            x[2 * xmm + 1] = out[1];
        }
    }

    /**
     * INSERTPS: dword imm8[7:6] of the source register (memory: the dword read) into dword imm8[5:4], then the dwords
     * whose bit is set in imm8[3:0] cleared.
     */
    static final class InsertPs extends SseInsn {
        private final int imm;

        InsertPs(Decoded d, int xmm, Operand src, int imm) {
            super(d, src, xmm, 4, false);
            this.imm = imm & 0xFF;
        }

        @Override
        public void exec(Cpu c) {
            check(c);
            long v;
            if (rm >= 0) {
                long[] x = x(c);
                v = Lanes.get(x[2 * rm], x[2 * rm + 1], 32, imm >>> 6);
            } else {
                v = src(c, 0);
            }
            long[] x = x(c);
            long[] out = {x[2 * xmm], x[2 * xmm + 1]};
            Lanes.set(out, 32, (imm >>> 4) & 3, v);
            for (int i = 0; i < 4; i++) {
                if ((imm >>> i & 1) != 0) {
                    Lanes.set(out, 32, i, 0);
                }
            }
            x[2 * xmm] = out[0];
            x[2 * xmm + 1] = out[1];
        }
    }

    static int elementBytes(Mnemonic m) {
        return switch (m) {
            case PEXTRB, PINSRB -> 1;
            case PEXTRW -> 2;
            case PEXTRQ, PINSRQ -> 8;
            default -> 4;
        };
    }
}
