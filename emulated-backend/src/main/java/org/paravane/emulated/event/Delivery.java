package org.paravane.emulated.event;

import org.paravane.api.cpu.Segment;
import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.Vectors;
import org.paravane.emulated.mmu.Mmu;

/**
 * Control transfers through the system structures in 64-bit mode, as the SDM's pseudocode does them: interrupt and
 * exception delivery through 64-bit IDT gates (TSS.RSP0 or an IST stack on a privilege change, a 16-byte aligned
 * frame of SS, RSP, RFLAGS, CS, RIP and the error code, IF cleared by interrupt gates), IRET, far RET, SYSCALL and
 * SYSRET. Each checks everything before it changes anything: a failed delivery raises a {@link
 * org.paravane.emulated.cpu.GuestFault} with the vCPU as it was.
 */
public final class Delivery {
    private Delivery() {
    }

    private static final long IDT_BIT = 2;

    /**
     * Delivers {@code vector} through the IDT.
     *
     * @param errorCode the error code to push, or -1
     * @param returnRip the RIP the frame returns to
     * @param software  INT n / INT3: the gate's DPL must allow the current privilege
     */
    public static void deliver(Cpu c, int vector, int errorCode, long returnRip, boolean software) {
        int ext = software ? 0 : 1;
        int gateError = vector * 8 + (int) IDT_BIT + ext;
        if (vector * 16L + 15 > c.idtLimit) {
            throw c.raise(Vectors.GP, gateError);
        }
        long lo = c.mmu.readSupervisor(c.idtBase + vector * 16L, 8);
        long hi = c.mmu.readSupervisor(c.idtBase + vector * 16L + 8, 8);
        int type = (int) ((lo >>> 40) & 0xF);
        boolean system = ((lo >>> 44) & 1) == 0;
        if (!system || (type != 0xE && type != 0xF)) {
            throw c.raise(Vectors.GP, gateError);
        }
        if (software && ((lo >>> 45) & 3) < c.cpl) {
            throw c.raise(Vectors.GP, vector * 8 + (int) IDT_BIT);
        }
        if (((lo >>> 47) & 1) == 0) {
            throw c.raise(Vectors.NP, gateError);
        }
        int selector = (int) ((lo >>> 16) & 0xFFFF);
        long offset = (lo & 0xFFFF) | (((lo >>> 48) & 0xFFFF) << 16) | ((hi & 0xFFFF_FFFFL) << 32);
        int ist = (int) ((lo >>> 32) & 7);
        if ((selector & 0xFFFC) == 0) {
            throw c.raise(Vectors.GP, ext);
        }
        long code = Segments.descriptor(c, selector, ext);
        int selError = (selector & 0xFFFC) | ext;
        if (!Segments.isCode(code) || Segments.dpl(code) > c.cpl) {
            throw c.raise(Vectors.GP, selError);
        }
        if (!Segments.present(code)) {
            throw c.raise(Vectors.NP, selError);
        }
        if (!Segments.longBit(code) || Segments.defaultBig(code)) {
            throw c.raise(Vectors.GP, selError);
        }
        int newCpl = Segments.conforming(code) ? c.cpl : Segments.dpl(code);
        boolean inner = newCpl < c.cpl;
        long rsp;
        if (ist != 0) {
            rsp = tssQword(c, 0x24 + 8 * (ist - 1), ext);
        } else if (inner) {
            rsp = tssQword(c, 4 + 8 * newCpl, ext);
        } else {
            rsp = c.r[Cpu.RSP];
        }
        if (!Mmu.canonical(rsp)) {
            throw c.raise(Vectors.SS, ext);
        }
        if (!Mmu.canonical(offset)) {
            throw c.raise(Vectors.GP, ext);
        }
        rsp &= ~0xFL;
        boolean user = newCpl == 3;
        int words = errorCode >= 0 ? 6 : 5;
        long top = rsp - 8L * words;
        // Check the whole frame before writing any of it.
        c.mmu.translate(top, Mmu.WRITE, user, true);
        c.mmu.translate(rsp - 1, Mmu.WRITE, user, true);
        long flags = c.rflags();
        long[] frame = {c.seg[Cpu.SS].selector(), c.r[Cpu.RSP], flags, c.seg[Cpu.CS].selector(), returnRip, errorCode};
        for (int i = 0; i < words; i++) {
            c.mmu.writeAs(rsp - 8L * (i + 1), 8, frame[i], user);
        }
        Segments.markAccessed(c, selector, code);
        c.r[Cpu.RSP] = top;
        c.seg[Cpu.CS] = Segments.toSegment((selector & 0xFFFC) | newCpl, code | (1L << 40));
        if (inner) {
            c.seg[Cpu.SS] = Segments.nullSelector(newCpl, newCpl);
        }
        c.setCpl(newCpl);
        long clear = Cpu.TF | Cpu.NT | Cpu.RF | Cpu.VM | (type == 0xE ? Cpu.IF : 0);
        c.sysFlags &= ~clear;
        c.rip = offset;
    }

    private static long tssQword(Cpu c, int offset, int ext) {
        Segment tr = c.seg[Cpu.TR];
        if (tr.unusable() || offset + 7 > tr.limit()) {
            throw c.raise(Vectors.TS, (tr.selector() & 0xFFFC) | ext);
        }
        return c.mmu.readSupervisor(tr.base() + offset, 8);
    }

    /** IRET with operand size {@code size} (IRETQ: 8): pops RIP, CS, RFLAGS, RSP and SS. */
    public static void iret(Cpu c, int size) {
        if ((c.sysFlags & Cpu.NT) != 0) {
            throw c.gp(0);                       // task returns do not exist in IA-32e mode
        }
        long sp = c.r[Cpu.RSP];
        long rip = c.readStack(size, sp);
        int cs = (int) (c.readStack(size, sp + size) & 0xFFFF);
        long flags = c.readStack(size, sp + 2L * size);
        long rsp = c.readStack(size, sp + 3L * size);
        int ss = (int) (c.readStack(size, sp + 4L * size) & 0xFFFF);
        Return ret = returnTo(c, rip, cs, rsp, ss, true);
        // RFLAGS: IOPL only at CPL 0, IF only when CPL <= IOPL (both judged at the old privilege).
        int oldCpl = c.cpl;
        long mask = Cpu.WRITABLE & ~(Cpu.IOPL | Cpu.IF);
        if (oldCpl == 0) {
            mask |= Cpu.IOPL | Cpu.IF;
        } else if (oldCpl <= c.iopl()) {
            mask |= Cpu.IF;
        }
        if (size == 4) {
            mask &= 0xFFFF_FFFFL;
        } else if (size == 2) {
            mask &= 0xFFFF;
        }
        long current = c.rflags();
        c.setRflags(((current & ~mask) | (flags & mask)) & ~Cpu.RF);
        commit(c, ret);
    }

    /** Far RET (RETF) with operand size {@code size}, releasing {@code release} more bytes. */
    public static void farReturn(Cpu c, int size, int release) {
        long sp = c.r[Cpu.RSP];
        long rip = c.readStack(size, sp);
        int cs = (int) (c.readStack(size, sp + size) & 0xFFFF);
        int rpl = cs & 3;
        Return ret;
        if (rpl > c.cpl) {
            long rsp = c.readStack(size, sp + 2L * size + release);
            int ss = (int) (c.readStack(size, sp + 3L * size + release) & 0xFFFF);
            ret = returnTo(c, rip, cs, rsp + release, ss, true);
        } else {
            ret = returnTo(c, rip, cs, sp + 2L * size + release, -1, false);
        }
        commit(c, ret);
    }

    /** The checked target of IRET/RETF, committed once the flags are worked out. {@code ss} is null when kept. */
    private record Return(long rip, Segment cs, Segment ss, long rsp, int oldCpl) {
    }

    private static Return returnTo(Cpu c, long rip, int csSel, long rsp, int ssSel, boolean loadStack) {
        if ((csSel & 0xFFFC) == 0) {
            throw c.gp(0);
        }
        int rpl = csSel & 3;
        int err = csSel & 0xFFFC;
        if (rpl < c.cpl) {
            throw c.raise(Vectors.GP, err);
        }
        long code = Segments.descriptor(c, csSel, 0);
        if (!Segments.isCode(code)) {
            throw c.raise(Vectors.GP, err);
        }
        int dpl = Segments.dpl(code);
        if (Segments.conforming(code) ? dpl > rpl : dpl != rpl) {
            throw c.raise(Vectors.GP, err);
        }
        if (!Segments.present(code)) {
            throw c.raise(Vectors.NP, err);
        }
        boolean longMode = Segments.longBit(code);
        if (longMode && !Mmu.canonical(rip)) {
            throw c.gp(0);
        }
        Segment ss = null;
        if (loadStack) {
            int ssErr = ssSel & 0xFFFC;
            if (ssErr == 0) {
                if (rpl == 3 || !longMode || (ssSel & 3) != rpl) {
                    throw c.gp(0);
                }
                ss = Segments.nullSelector(ssSel, rpl);
            } else {
                if ((ssSel & 3) != rpl) {
                    throw c.raise(Vectors.GP, ssErr);
                }
                long sd = Segments.descriptor(c, ssSel, 0);
                boolean writableData = Segments.codeOrData(sd) && (Segments.type(sd) & 0xA) == 0x2;
                if (!writableData || Segments.dpl(sd) != rpl) {
                    throw c.raise(Vectors.GP, ssErr);
                }
                if (!Segments.present(sd)) {
                    throw c.raise(Vectors.SS, ssErr);
                }
                Segments.markAccessed(c, ssSel, sd);
                ss = Segments.toSegment(ssSel, sd | (1L << 40));
            }
        }
        Segments.markAccessed(c, csSel, code);
        return new Return(longMode ? rip : rip & 0xFFFF_FFFFL, Segments.toSegment(csSel, code | (1L << 40)), ss, rsp,
                c.cpl);
    }

    private static void commit(Cpu c, Return ret) {
        int newCpl = ret.cs().selector() & 3;
        c.seg[Cpu.CS] = ret.cs();
        if (ret.ss() != null) {
            c.seg[Cpu.SS] = ret.ss();
        }
        c.r[Cpu.RSP] = ret.rsp();
        c.rip = ret.rip();
        if (newCpl > ret.oldCpl()) {
            // Returning outward: data segment registers the new privilege may not use become null.
            for (int reg : new int[] {Cpu.ES, Cpu.DS, Cpu.FS, Cpu.GS}) {
                Segment s = c.seg[reg];
                boolean code = s.system() && (s.type() & 8) != 0;
                boolean conformingCode = code && (s.type() & 4) != 0;
                if (!s.unusable() && !conformingCode && s.dpl() < newCpl) {
                    c.seg[reg] = Segments.nullSelector(0, 0).withBase(reg == Cpu.FS || reg == Cpu.GS ? s.base() : 0);
                }
            }
        }
        c.setCpl(newCpl);
    }

    /** SYSCALL from 64-bit mode. */
    public static void syscall(Cpu c, long nextRip) {
        if ((c.efer & 1) == 0) {
            throw c.ud();
        }
        long flags = c.rflags();
        c.r[Cpu.RCX] = nextRip;
        c.r[11] = flags;
        c.setRflags(flags & ~c.sfmask & ~Cpu.RF);
        int sel = (int) ((c.star >>> 32) & 0xFFFF);
        c.seg[Cpu.CS] = Segments.kernelCode(sel & 0xFFFC);
        c.seg[Cpu.SS] = Segments.flatData((sel + 8) & 0xFFFF, 0);
        c.setCpl(0);
        c.rip = c.lstar;
    }

    /** SYSRET: to 64-bit code with {@code size} 8 (REX.W), to compatibility mode otherwise. */
    public static void sysret(Cpu c, int size) {
        if ((c.efer & 1) == 0) {
            throw c.ud();
        }
        if (c.cpl != 0) {
            throw c.gp(0);
        }
        long target = size == 8 ? c.r[Cpu.RCX] : c.r[Cpu.RCX] & 0xFFFF_FFFFL;
        if (!Mmu.canonical(target)) {
            throw c.gp(0);
        }
        int sel = (int) ((c.star >>> 48) & 0xFFFF);
        c.setRflags((c.r[11] & 0x3C7FD7L) | 2);
        c.seg[Cpu.CS] = Segments.userCode(((size == 8 ? sel + 16 : sel) | 3) & 0xFFFF, size == 8);
        c.seg[Cpu.SS] = Segments.flatData(((sel + 8) | 3) & 0xFFFF, 3);
        c.setCpl(3);
        c.rip = target;
    }
}
