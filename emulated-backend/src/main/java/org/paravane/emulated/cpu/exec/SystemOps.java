package org.paravane.emulated.cpu.exec;

import java.lang.invoke.VarHandle;
import org.paravane.api.cpu.ControlRegisters;
import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.Cpuid;
import org.paravane.emulated.cpu.Msrs;
import org.paravane.emulated.cpu.Vectors;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;
import org.paravane.emulated.event.Delivery;
import org.paravane.emulated.event.Segments;
import org.paravane.emulated.mmu.Mmu;

/**
 * Flag, privileged and system instructions. These are rare next to ALU and memory instructions, so one class with a
 * switch carries them; {@link #a}, {@link #b} and {@link #imm} hold what the decoder found (a register, a port, a
 * control-register number, a vector).
 */
final class SystemOps {
    private SystemOps() {
    }

    static final class Sys extends MemInsn {
        private final Mnemonic m;
        private final int size;
        private final int a, b;
        private final long imm;
        private final boolean toRegister;

        Sys(Decoded d, int size, Operand memOrReg, int a, int b, long imm, boolean toRegister) {
            super(d, memOrReg);
            this.m = d.mnemonic();
            this.size = size;
            this.a = a;
            this.b = b;
            this.imm = imm;
            this.toRegister = toRegister;
        }

        @Override
        public boolean endsBlock() {
            return switch (m) {
                case CLI, STI, POPF, HLT, MOV_CR, WRMSR, LGDT, LIDT, LLDT, LTR, LMSW, CLTS, INVLPG, SWAPGS, IN, OUT,
                     MOV_SEG, POP_SEG, INT, INT3, INT1, IRET, RETF, SYSCALL, SYSRET, UD, UNSUPPORTED, X87, TOO_LONG,
                     WBINVD, INVD -> true;
                default -> false;
            };
        }

        @Override
        public boolean stackSegment() {
            return m == Mnemonic.PUSHF || m == Mnemonic.POPF || m == Mnemonic.PUSH_SEG || m == Mnemonic.POP_SEG
                    || super.stackSegment();
        }

        private void privileged(Cpu c) {
            if (c.cpl != 0) {
                throw c.gp(0);
            }
        }

        @Override
        public void exec(Cpu c) {
            switch (m) {
                case CLC -> c.setArith(c.arithFlags() & ~Cpu.CF);
                case STC -> c.setArith(c.arithFlags() | Cpu.CF);
                case CMC -> c.setArith(c.arithFlags() ^ Cpu.CF);
                case CLD -> c.sysFlags &= ~Cpu.DF;
                case STD -> c.sysFlags |= Cpu.DF;
                case CLI -> {
                    if (c.cpl > c.iopl()) {
                        throw c.gp(0);
                    }
                    c.sysFlags &= ~Cpu.IF;
                }
                case STI -> {
                    if (c.cpl > c.iopl()) {
                        throw c.gp(0);
                    }
                    if ((c.sysFlags & Cpu.IF) == 0) {
                        c.interruptShadow = true;
                    }
                    c.sysFlags |= Cpu.IF;
                }
                case PUSHF -> c.push(size, c.rflags() & ~(Cpu.RF | Cpu.VM));
                case POPF -> popf(c);
                case HLT -> {
                    privileged(c);
                    c.halted = true;
                    c.eventsPending = true;
                }
                case NOP, PAUSE, ENDBR64, PREFETCH, LFENCE, SFENCE -> {
                    if (m == Mnemonic.SFENCE) {
                        VarHandle.storeStoreFence();
                    } else if (m == Mnemonic.LFENCE) {
                        VarHandle.loadLoadFence();
                    }
                }
                case MFENCE -> VarHandle.fullFence();
                case CLFLUSH -> c.mmu.translate(ea(c), Mmu.READ, false);
                case INVD, WBINVD -> privileged(c);
                case UD, UNSUPPORTED -> throw c.ud();
                case X87 -> throw (c.cr0 & 0xC) != 0 ? c.raise(Vectors.NM, -1) : c.ud();     // CR0.EM or TS
                case TOO_LONG -> throw c.gp(0);
                case CPUID -> {
                    int[] r = Cpuid.query(c, (int) c.r[Cpu.RAX], (int) c.r[Cpu.RCX]);
                    c.r[Cpu.RAX] = r[0] & 0xFFFF_FFFFL;
                    c.r[Cpu.RBX] = r[1] & 0xFFFF_FFFFL;
                    c.r[Cpu.RCX] = r[2] & 0xFFFF_FFFFL;
                    c.r[Cpu.RDX] = r[3] & 0xFFFF_FFFFL;
                }
                case RDTSC, RDTSCP -> {
                    if ((c.cr4 & 4) != 0 && c.cpl != 0) {
                        throw c.gp(0);
                    }
                    long t = Msrs.tsc(c);
                    c.r[Cpu.RAX] = t & 0xFFFF_FFFFL;
                    c.r[Cpu.RDX] = t >>> 32;
                    if (m == Mnemonic.RDTSCP) {
                        c.r[Cpu.RCX] = c.tscAux & 0xFFFF_FFFFL;
                    }
                }
                case RDPID -> c.r[a] = c.tscAux;
                case RDMSR -> {
                    privileged(c);
                    long v = Msrs.read(c, (int) c.r[Cpu.RCX]);
                    c.r[Cpu.RAX] = v & 0xFFFF_FFFFL;
                    c.r[Cpu.RDX] = v >>> 32;
                }
                case WRMSR -> {
                    privileged(c);
                    Msrs.write(c, (int) c.r[Cpu.RCX], (c.r[Cpu.RDX] << 32) | (c.r[Cpu.RAX] & 0xFFFF_FFFFL));
                }
                case RDPMC -> throw c.gp(0);
                case SWAPGS -> {
                    privileged(c);
                    long g = c.gsBase;
                    c.gsBase = c.kernelGsBase;
                    c.kernelGsBase = g;
                    c.seg[Cpu.GS] = c.seg[Cpu.GS].withBase(c.gsBase);
                }
                case MOV_CR -> moveCr(c);
                case MOV_DR -> moveDr(c);
                case LGDT, LIDT -> {
                    privileged(c);
                    long addr = ea(c);
                    int limit = (int) c.read16(addr);
                    long base = c.read64(addr + 2);
                    if (!Mmu.canonical(base)) {
                        throw c.gp(0);
                    }
                    if (m == Mnemonic.LGDT) {
                        c.gdtBase = base;
                        c.gdtLimit = limit;
                    } else {
                        c.idtBase = base;
                        c.idtLimit = limit;
                    }
                }
                case SGDT, SIDT -> {
                    long addr = ea(c);
                    boolean gdt = m == Mnemonic.SGDT;
                    c.mmu.translate(addr, Mmu.WRITE, false);
                    c.mmu.translate(addr + 9, Mmu.WRITE, false);
                    c.write16(addr, gdt ? c.gdtLimit : c.idtLimit);
                    c.write64(addr + 2, gdt ? c.gdtBase : c.idtBase);
                }
                case SLDT, STR -> {
                    int sel = c.seg[m == Mnemonic.SLDT ? Cpu.LDTR : Cpu.TR].selector();
                    if (rm >= 0) {
                        c.setReg(size, rm, sel);
                    } else {
                        c.write16(ea(c), sel);
                    }
                }
                case LLDT, LTR -> {
                    privileged(c);
                    int sel = (int) getRm(c, 2);
                    if (m == Mnemonic.LLDT) {
                        Segments.loadLdt(c, sel);
                    } else {
                        Segments.loadTaskRegister(c, sel);
                    }
                }
                case SMSW -> {
                    if (rm >= 0) {
                        c.setReg(size, rm, c.cr0);
                    } else {
                        c.write16(ea(c), c.cr0);
                    }
                }
                case LMSW -> {
                    privileged(c);
                    long v = getRm(c, 2) & 0xF;
                    long keepPe = c.cr0 & 1;
                    writeCr0(c, (c.cr0 & ~0xEL) | v | keepPe);
                }
                case CLTS -> {
                    privileged(c);
                    c.cr0 &= ~8L;
                }
                case INVLPG -> {
                    privileged(c);
                    c.mmu.invalidatePage(ea(c));
                }
                case IN -> {
                    int port = b >= 0 ? b : (int) (c.r[Cpu.RDX] & 0xFFFF);
                    IoPermission.check(c, port, size);
                    byte[] data = c.io.portIn(port, size, 1);
                    long v = 0;
                    for (int k = size - 1; k >= 0; k--) {
                        v = (v << 8) | (data[k] & 0xFF);
                    }
                    c.setReg(size, Cpu.RAX, v);
                }
                case OUT -> {
                    int port = b >= 0 ? b : (int) (c.r[Cpu.RDX] & 0xFFFF);
                    IoPermission.check(c, port, size);
                    long v = c.r[Cpu.RAX];
                    byte[] data = new byte[size];
                    for (int k = 0; k < size; k++) {
                        data[k] = (byte) (v >>> (8 * k));
                    }
                    c.io.portOut(port, size, 1, data);
                }
                case MOV_SEG -> {
                    if (toRegister) {
                        int sel = c.seg[a].selector();
                        if (rm >= 0) {
                            c.setReg(size, rm, sel);
                        } else {
                            c.write16(ea(c), sel);
                        }
                    } else {
                        Segments.load(c, a, (int) getRm(c, 2));
                        if (a == Cpu.SS) {
                            c.interruptShadow = true;
                        }
                    }
                }
                case PUSH_SEG -> c.push(size, c.seg[a].selector());
                case POP_SEG -> {
                    long sp = c.r[Cpu.RSP];
                    long sel = c.readStack(size, sp);
                    Segments.load(c, a, (int) sel);
                    c.r[Cpu.RSP] = sp + size;
                }
                case INT -> Delivery.deliver(c, (int) imm, -1, next, true);
                case INT3 -> Delivery.deliver(c, Vectors.BP, -1, next, true);
                case INT1 -> Delivery.deliver(c, Vectors.DB, -1, next, false);
                case IRET -> {
                    Delivery.iret(c, size);
                    c.nmiBlocked = false;
                }
                case RETF -> Delivery.farReturn(c, size, (int) imm);
                case SYSCALL -> Delivery.syscall(c, next);
                case SYSRET -> Delivery.sysret(c, size);
                default -> throw new IllegalStateException("no implementation bound for " + decoded);
            }
        }

        private void popf(Cpu c) {
            long sp = c.r[Cpu.RSP];
            long v = c.readStack(size, sp);
            long mask = Cpu.WRITABLE & ~(Cpu.IOPL | Cpu.IF);
            if (c.cpl == 0) {
                mask |= Cpu.IOPL | Cpu.IF;
            } else if (c.cpl <= c.iopl()) {
                mask |= Cpu.IF;
            }
            if (size == 2) {
                mask &= 0xFFFF;
            }
            long current = c.rflags();
            c.setRflags(((current & ~mask) | (v & mask)) & ~Cpu.RF);
            c.r[Cpu.RSP] = sp + size;
        }

        private void moveCr(Cpu c) {
            privileged(c);
            int cr = a;
            if (toRegister) {
                long v = switch (cr) {
                    case 0 -> c.cr0;
                    case 2 -> c.cr2;
                    case 3 -> c.cr3;
                    case 4 -> c.cr4;
                    case 8 -> c.cr8;
                    default -> throw c.ud();
                };
                c.r[b] = v;
                return;
            }
            long v = c.r[b];
            switch (cr) {
                case 0 -> writeCr0(c, v);
                case 2 -> c.cr2 = v;
                case 3 -> {
                    if ((v & ~((1L << Mmu.PHYS_BITS) - 1)) != 0) {
                        throw c.gp(0);
                    }
                    c.cr3 = v;
                    c.mmu.flush();
                }
                case 4 -> writeCr4(c, v);
                case 8 -> {
                    if ((v & ~0xFL) != 0) {
                        throw c.gp(0);
                    }
                    c.cr8 = v;
                }
                default -> throw c.ud();
            }
        }

        private void moveDr(Cpu c) {
            privileged(c);
            int n = a;
            if (n > 7 || ((n == 4 || n == 5) && (c.cr4 & 8) != 0)) {
                throw c.ud();
            }
            if (n == 4 || n == 5) {
                n += 2;
            }
            if (toRegister) {
                c.r[b] = c.dr[n];
            } else {
                long v = c.r[b];
                if (n >= 6 && (v >>> 32) != 0) {
                    throw c.gp(0);
                }
                c.dr[n] = n == 6 ? v | 0xFFFF0FF0L : n == 7 ? (v | 0x400) & ~0x1000L : v;
            }
        }
    }

    static final long CR4_SUPPORTED = 0x4 | 0x8 | ControlRegisters.CR4_PSE | ControlRegisters.CR4_PAE | 0x40
            | ControlRegisters.CR4_PGE | 0x100 | ControlRegisters.CR4_OSFXSR | ControlRegisters.CR4_OSXMMEXCPT;

    static void writeCr0(Cpu c, long v) {
        if ((v >>> 32) != 0) {
            throw c.gp(0);
        }
        boolean pg = (v & ControlRegisters.CR0_PG) != 0;
        if (pg && (v & ControlRegisters.CR0_PE) == 0) {
            throw c.gp(0);
        }
        if ((v & (1L << 29)) != 0 && (v & (1L << 30)) == 0) {
            throw c.gp(0);                           // NW without CD
        }
        if (!pg && c.longMode64()) {
            throw c.gp(0);                           // leaving long mode from 64-bit code
        }
        long changed = v ^ c.cr0;
        c.cr0 = v | ControlRegisters.CR0_ET;
        if ((changed & (ControlRegisters.CR0_PG | ControlRegisters.CR0_WP | ControlRegisters.CR0_PE)) != 0) {
            c.mmu.flush();
        }
    }

    static void writeCr4(Cpu c, long v) {
        if ((v & ~CR4_SUPPORTED) != 0) {
            throw c.gp(0);
        }
        if ((c.efer & ControlRegisters.EFER_LMA) != 0 && (v & ControlRegisters.CR4_PAE) == 0) {
            throw c.gp(0);
        }
        long changed = v ^ c.cr4;
        c.cr4 = v;
        if ((changed & (ControlRegisters.CR4_PGE | ControlRegisters.CR4_PAE | ControlRegisters.CR4_PSE)) != 0) {
            c.mmu.flush();
        }
    }
}
