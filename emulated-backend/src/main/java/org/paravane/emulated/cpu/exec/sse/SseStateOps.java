package org.paravane.emulated.cpu.exec.sse;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.FpuState;
import org.paravane.emulated.cpu.Vectors;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;
import org.paravane.emulated.mmu.Mmu;

/** FXSAVE/FXRSTOR (32- and 64-bit layouts) and LDMXCSR/STMXCSR. */
final class SseStateOps {
    private SseStateOps() {
    }

    static final class State extends SseInsn {
        private final Mnemonic op;

        State(Decoded d, Operand mem) {
            super(d, mem, -1, mem == null ? 0 : 4, false);
            this.op = d.mnemonic();
        }

        @Override
        public void exec(Cpu c) {
            switch (op) {
                case LDMXCSR -> {
                    check(c);
                    long v = c.read32(ea(c));
                    if ((v & ~(long) FpuState.MXCSR_MASK) != 0) {
                        throw c.gp(0);
                    }
                    c.fpu.mxcsr = (int) v;
                }
                case STMXCSR -> {
                    check(c);
                    c.write32(ea(c), c.fpu.mxcsr);
                }
                case FXSAVE, FXSAVE64 -> fxsave(c, op == Mnemonic.FXSAVE64);
                default -> fxrstor(c, op == Mnemonic.FXRSTOR64);
            }
        }

        private static void x87Check(Cpu c) {
            if ((c.cr0 & (CR0_EM | CR0_TS)) != 0) {
                throw c.raise(Vectors.NM, -1);
            }
        }

        private long area(Cpu c, int access) {
            x87Check(c);
            long a = ea(c);
            if ((a & 15) != 0) {
                throw c.gp(0);
            }
            c.mmu.translate(a, access, false);
            // A second page that faults reports the area's last byte in CR2 (as measured on the host CPU, AMD Zen),
            // unlike the 16-byte accesses, which report the page's first byte.
            c.mmu.translate(a + 511, access, false);
            return a;
        }

        /** Writes bytes 0-415 (the processor leaves the reserved and software-available bytes 416-511 alone). */
        private void fxsave(Cpu c, boolean wide) {
            long a = area(c, Mmu.WRITE);
            byte[] image = c.fpu.image();
            if (!wide) {
                // 32-bit layout: FIP, FCS, FDP, FDS (the selectors of a 64-bit run are zero).
                java.util.Arrays.fill(image, 12, 16, (byte) 0);
                java.util.Arrays.fill(image, 20, 24, (byte) 0);
            }
            for (int i = 0; i < 416; i += 8) {
                c.write64(a + i, java.nio.ByteBuffer.wrap(image, i, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
            }
        }

        private void fxrstor(Cpu c, boolean wide) {
            long a = area(c, Mmu.READ);
            byte[] image = c.fpu.image();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(image).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 416; i += 8) {
                b.putLong(i, c.read64(a + i));
            }
            if ((b.getInt(24) & ~FpuState.MXCSR_MASK) != 0) {
                throw c.gp(0);
            }
            if (!wide) {
                java.util.Arrays.fill(image, 12, 16, (byte) 0);
                java.util.Arrays.fill(image, 20, 24, (byte) 0);
            }
            c.fpu.load(image);
        }
    }
}
