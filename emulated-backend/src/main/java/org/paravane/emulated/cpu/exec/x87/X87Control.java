package org.paravane.emulated.cpu.exec.x87;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.FpuState;
import org.paravane.emulated.cpu.decode.Decoded;

/**
 * The control instructions: FLDCW FNSTCW FNSTSW (m16, AX) FNCLEX FNINIT FLDENV FNSTENV FNSAVE FRSTOR and the 8087
 * leftovers FNENI FNDISI FNSETPM (no-ops). They leave FOP/FIP/FDP alone; the FN forms do not wait.
 */
final class X87Control {
    private X87Control() {
    }

    enum Op { LDCW, STCW, STSW, STSW_AX, CLEX, INIT, LDENV, STENV, SAVE, RSTOR, NOP287 }

    static final class Control extends X87Insn {
        private final Op op;
        /** 2 for the 16-bit environment layout (operand-size prefix), else 4. */
        private final int width;

        Control(Decoded d, Op op) {
            super(d);
            this.op = op;
            this.width = d.opSize() == 2 ? 2 : 4;
        }

        @Override
        boolean control() {
            return true;
        }

        @Override
        boolean waits() {
            return switch (op) {
                case LDCW, LDENV, RSTOR -> true;
                default -> false;
            };
        }

        @Override
        void run(Cpu c, FpuState f) {
            switch (op) {
                case LDCW -> {
                    f.fcw = (int) c.read16(ea(c)) | 0x40;
                    summary(f);
                }
                case STCW -> c.write16(ea(c), f.fcw);
                case STSW -> c.write16(ea(c), f.fsw);
                case STSW_AX -> c.setReg(2, Cpu.RAX, f.fsw);
                case CLEX -> f.fsw &= ~0x80FF;
                case INIT -> f.initX87();
                case STENV -> {
                    long a = ea(c);
                    writable(c, a, width == 2 ? 14 : 28);
                    storeEnv(c, f, a);
                    f.fcw |= 0x3F;                        // FNSTENV masks all exceptions afterwards
                }
                case SAVE -> {
                    long a = ea(c);
                    int env = width == 2 ? 14 : 28;
                    writable(c, a, env + 80);
                    storeEnv(c, f, a);
                    for (int i = 0; i < 8; i++) {
                        F80 v = get(f, i);
                        c.write64(a + env + 10L * i, v.sig());
                        c.write16(a + env + 10L * i + 8, v.se());
                    }
                    f.initX87();
                }
                case LDENV -> loadEnv(c, f, ea(c));
                case RSTOR -> {
                    long a = ea(c);
                    int env = width == 2 ? 14 : 28;
                    long[] sig = new long[8];
                    int[] se = new int[8];
                    for (int i = 0; i < 8; i++) {
                        sig[i] = c.read64(a + env + 10L * i);
                        se[i] = (int) c.read16(a + env + 10L * i + 8);
                    }
                    loadEnv(c, f, a);
                    for (int i = 0; i < 8; i++) {
                        int p = phys(f, i);
                        f.stSig[p] = sig[i];
                        f.stSe[p] = se[i];
                    }
                }
                case NOP287 -> {
                }
            }
        }

        /** ES and B follow the exception flags the control word leaves unmasked. */
        private static void summary(FpuState f) {
            if ((f.fsw & ~f.fcw & 0x3F) != 0) {
                f.fsw |= ES | B;
            } else {
                f.fsw &= ~(ES | B);
            }
        }

        private void storeEnv(Cpu c, FpuState f, long a) {
            int tags = fullTags(f);
            if (width == 2) {
                c.write16(a, f.fcw);
                c.write16(a + 2, f.fsw);
                c.write16(a + 4, tags);
                c.write16(a + 6, f.fip);
                c.write16(a + 8, 0);
                c.write16(a + 10, f.fdp);
                c.write16(a + 12, 0);
                return;
            }
            c.write32(a, 0xFFFF_0000L | f.fcw);
            c.write32(a + 4, 0xFFFF_0000L | f.fsw);
            c.write32(a + 8, 0xFFFF_0000L | tags);
            c.write32(a + 12, f.fip);
            c.write32(a + 16, (long) f.fop << 16);
            c.write32(a + 20, f.fdp);
            c.write32(a + 24, 0xFFFF_0000L);
        }

        private void loadEnv(Cpu c, FpuState f, long a) {
            int fcw, fsw, tags;
            long fip, fdp;
            int fop = 0;
            if (width == 2) {
                fcw = (int) c.read16(a);
                fsw = (int) c.read16(a + 2);
                tags = (int) c.read16(a + 4);
                fip = c.read16(a + 6);
                fdp = c.read16(a + 10);
            } else {
                fcw = (int) c.read16(a);
                fsw = (int) c.read16(a + 4);
                tags = (int) c.read16(a + 8);
                fip = c.read32(a + 12);
                fop = (int) (c.read32(a + 16) >>> 16) & 0x7FF;
                fdp = c.read32(a + 20);
            }
            f.fcw = fcw | 0x40;
            f.fsw = fsw;
            int abridged = 0;
            for (int p = 0; p < 8; p++) {
                if ((tags >>> (2 * p) & 3) != 3) {
                    abridged |= 1 << p;
                }
            }
            f.ftw = abridged;
            f.fip = fip;
            f.fdp = fdp;
            f.fop = fop;
            summary(f);
        }
    }

    /** The full tag word: per physical register 0 valid, 1 zero, 2 special, 3 empty. */
    static int fullTags(FpuState f) {
        int tags = 0;
        for (int p = 0; p < 8; p++) {
            int t;
            if ((f.ftw >>> p & 1) == 0) {
                t = 3;
            } else {
                F80 v = new F80(f.stSe[p], f.stSig[p]);
                t = v.isZero() ? 1 : v.exp() == F80.MAX_EXP || v.exp() == 0 || v.isUnsupported() ? 2 : 0;
            }
            tags |= t << (2 * p);
        }
        return tags;
    }
}
