package org.paravane.emulated.cpu;

import org.paravane.api.cpu.ControlRegisters;
import org.paravane.emulated.mmu.Mmu;

/**
 * RDMSR and WRMSR of the MSRs a 64-bit kernel uses: TSC, APIC base, SYSENTER (stored), PAT, EFER, STAR, LSTAR, CSTAR,
 * SFMASK, FS/GS/KERNEL_GS bases, TSC_AUX, and through the vCPU's {@link Extension} the KVM async-PF MSRs. Anything
 * else, a reserved bit or a non-canonical address raises #GP(0).
 */
public final class Msrs {
    private Msrs() {
    }

    public static final int TSC = 0x10, APIC_BASE = 0x1B, SYSENTER_CS = 0x174, SYSENTER_ESP = 0x175,
            SYSENTER_EIP = 0x176, PAT = 0x277, EFER = 0xC000_0080, STAR = 0xC000_0081, LSTAR = 0xC000_0082,
            CSTAR = 0xC000_0083, SFMASK = 0xC000_0084, FS_BASE = 0xC000_0100, GS_BASE = 0xC000_0101,
            KERNEL_GS_BASE = 0xC000_0102, TSC_AUX = 0xC000_0103;

    /** MSRs the vCPU implements itself (the async-PF MSRs). */
    public interface Extension {
        boolean handles(int index);

        long read(int index);

        /** @throws IllegalArgumentException when WRMSR must raise #GP */
        void write(int index, long value);

        Extension NONE = new Extension() {
            @Override
            public boolean handles(int index) {
                return false;
            }

            @Override
            public long read(int index) {
                throw new IllegalArgumentException();
            }

            @Override
            public void write(int index, long value) {
                throw new IllegalArgumentException();
            }
        };
    }

    /** The guest's TSC now. */
    public static long tsc(Cpu c) {
        return System.nanoTime() - c.tscEpoch + c.tscOffset;
    }

    public static void setTsc(Cpu c, long value) {
        c.tscOffset = value - (System.nanoTime() - c.tscEpoch);
    }

    /** RDMSR; #GP(0) for an MSR that is not implemented. */
    public static long read(Cpu c, int index) {
        return switch (index) {
            case TSC -> tsc(c);
            case APIC_BASE -> c.apicBase;
            case SYSENTER_CS -> c.sysenterCs;
            case SYSENTER_ESP -> c.sysenterEsp;
            case SYSENTER_EIP -> c.sysenterEip;
            case PAT -> c.pat;
            case EFER -> c.efer;
            case STAR -> c.star;
            case LSTAR -> c.lstar;
            case CSTAR -> c.cstar;
            case SFMASK -> c.sfmask;
            case FS_BASE -> c.fsBase;
            case GS_BASE -> c.gsBase;
            case KERNEL_GS_BASE -> c.kernelGsBase;
            case TSC_AUX -> c.tscAux;
            default -> {
                if (c.msrExtension.handles(index)) {
                    try {
                        yield c.msrExtension.read(index);
                    } catch (IllegalArgumentException e) {
                        throw c.gp(0);
                    }
                }
                throw c.gp(0);
            }
        };
    }

    /** WRMSR; #GP(0) for an unknown MSR, a reserved bit or a non-canonical address. */
    public static void write(Cpu c, int index, long v) {
        switch (index) {
            case TSC -> setTsc(c, v);
            case APIC_BASE -> {
                if ((v & ~(0x0000_FFFF_FFFF_F000L | (1L << 8) | (1L << 10) | (1L << 11))) != 0) {
                    throw c.gp(0);
                }
                c.apicBase = v;
            }
            case SYSENTER_CS -> c.sysenterCs = v & 0xFFFF_FFFFL;
            case SYSENTER_ESP -> c.sysenterEsp = canonical(c, v);
            case SYSENTER_EIP -> c.sysenterEip = canonical(c, v);
            case PAT -> {
                for (int i = 0; i < 8; i++) {
                    int type = (int) ((v >>> (8 * i)) & 0xFF);
                    if (type == 2 || type == 3 || type > 7) {
                        throw c.gp(0);
                    }
                }
                c.pat = v;
            }
            case EFER -> writeEfer(c, v);
            case STAR -> c.star = v;
            case LSTAR -> c.lstar = canonical(c, v);
            case CSTAR -> c.cstar = canonical(c, v);
            case SFMASK -> {
                if ((v >>> 32) != 0) {
                    throw c.gp(0);
                }
                c.sfmask = v;
            }
            case FS_BASE -> {
                c.fsBase = canonical(c, v);
                c.seg[Cpu.FS] = c.seg[Cpu.FS].withBase(v);
            }
            case GS_BASE -> {
                c.gsBase = canonical(c, v);
                c.seg[Cpu.GS] = c.seg[Cpu.GS].withBase(v);
            }
            case KERNEL_GS_BASE -> c.kernelGsBase = canonical(c, v);
            case TSC_AUX -> {
                if ((v >>> 32) != 0) {
                    throw c.gp(0);
                }
                c.tscAux = v;
            }
            default -> {
                if (!c.msrExtension.handles(index)) {
                    throw c.gp(0);
                }
                try {
                    c.msrExtension.write(index, v);
                } catch (IllegalArgumentException e) {
                    throw c.gp(0);
                }
            }
        }
    }

    private static long canonical(Cpu c, long v) {
        if (!Mmu.canonical(v)) {
            throw c.gp(0);
        }
        return v;
    }

    private static final long EFER_WRITABLE = ControlRegisters.EFER_SCE | ControlRegisters.EFER_LME
            | ControlRegisters.EFER_NXE;

    private static void writeEfer(Cpu c, long v) {
        if ((v & ~(EFER_WRITABLE | ControlRegisters.EFER_LMA)) != 0) {
            throw c.gp(0);
        }
        boolean paging = (c.cr0 & ControlRegisters.CR0_PG) != 0;
        if (paging && ((v ^ c.efer) & ControlRegisters.EFER_LME) != 0) {
            throw c.gp(0);
        }
        long next = (v & EFER_WRITABLE) | (c.efer & ControlRegisters.EFER_LMA);
        if (((next ^ c.efer) & ControlRegisters.EFER_NXE) != 0) {
            c.mmu.flush();
        }
        c.efer = next;
    }
}
