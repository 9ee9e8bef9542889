package org.paravane.emulated.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.paravane.emulated.mmu.PhysicalMemory.HOST;

import org.paravane.api.backend.VcpuExit;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.cpu.CpuModels;
import org.paravane.api.cpu.Segment;
import org.paravane.emulated.mmu.Mmu;
import org.paravane.emulated.mmu.PhysicalMemory;

/**
 * The architectural state of one software vCPU and the fast paths every instruction uses: registers, lazily
 * evaluated arithmetic flags, and guest-virtual memory accesses through the TLB. Only the vCPU's own thread touches
 * it.
 *
 * <p>Arithmetic flags are kept as the last flag-setting operation with its operands and result, all sign-extended
 * from the operation size to 64 bits, and computed when something reads them. Sign extension keeps both signed and
 * unsigned order of the narrower values, so one set of formulas serves every size.
 */
public final class Cpu {

    // ---- general registers --------------------------------------------------------------------------------------

    /** The register number that always reads zero: an absent base or index register of a memory operand. */
    public static final int ZERO_REG = 16;
    public static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;

    /** RAX..R15 by x86 number, then the always-zero slot. */
    public final long[] r = new long[17];
    public long rip;

    // ---- flags --------------------------------------------------------------------------------------------------

    public static final long CF = 1, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, TF = 1 << 8, IF = 1 << 9,
            DF = 1 << 10, OF = 1 << 11, IOPL = 3 << 12, NT = 1 << 14, RF = 1 << 16, VM = 1 << 17, AC = 1 << 18,
            VIF = 1 << 19, VIP = 1 << 20, ID = 1 << 21;
    public static final long ARITH = CF | PF | AF | ZF | SF | OF;
    /** The flags software can ever set: the arithmetic ones, TF, IF, DF, IOPL, NT, RF, AC, ID. */
    public static final long WRITABLE = ARITH | TF | IF | DF | IOPL | NT | RF | AC | ID;

    /** Kinds of the last flag-setting operation. */
    public static final int F_ADD = 0, F_ADC = 1, F_SUB = 2, F_SBB = 3, F_LOGIC = 4, F_INC = 5, F_DEC = 6,
    /** ZF, SF, PF from {@link #fRes}; CF, OF, AF from {@link #fAux}. */
    F_RESULT = 7,
    /** Every arithmetic flag in {@link #fAux}, at its RFLAGS position. */
    F_EXPLICIT = 8;

    public int fOp = F_EXPLICIT;
    public long fDst, fSrc, fRes;
    /** Carry-in of ADC/SBB, the preserved CF of INC/DEC, the explicit flag bits of F_RESULT/F_EXPLICIT. */
    public long fAux;
    /** RFLAGS without the arithmetic flags (bit 1 always set). */
    public long sysFlags = 2;

    // ---- segments, system registers -----------------------------------------------------------------------------

    public static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5, TR = 6, LDTR = 7;
    /** ES, CS, SS, DS, FS, GS, TR, LDTR with their hidden descriptor caches. */
    public final Segment[] seg = new Segment[8];
    /** FS and GS bases, the only segment bases that count in 64-bit mode (kept in step with {@link #seg}). */
    public long fsBase, gsBase;
    /** Current privilege level (CS.DPL). */
    public int cpl;

    public long cr0, cr2, cr3, cr4, cr8, efer, apicBase;
    public long gdtBase, idtBase;
    public int gdtLimit, idtLimit;
    public final long[] dr = {0, 0, 0, 0, 0, 0, 0xFFFF0FF0L, 0x400};
    /** XMM registers, MXCSR and the x87 image. */
    public final FpuState fpu = new FpuState();

    public long star, lstar, cstar, sfmask, kernelGsBase, tscAux, sysenterCs, sysenterEsp, sysenterEip, pat;
    /** Guest TSC = host nanoseconds since {@link #tscEpoch} + this. */
    public long tscOffset;
    public final long tscEpoch = System.nanoTime();

    // ---- events -------------------------------------------------------------------------------------------------

    /** Exception to deliver before the next instruction (-1: none), its error code (-1: none) and CR2 payload. */
    public int pendingVector = -1, pendingError = -1;
    public long pendingPayload;
    /** Requested external interrupts (a 256-bit IRR). */
    public final long[] irr = new long[4];
    public boolean nmiPending, nmiBlocked;
    /** The last instruction was STI (with IF clear before) or MOV SS/POP SS: interrupts wait one more instruction. */
    public boolean interruptShadow;
    public boolean halted;
    /** Triple fault: the vCPU stays shut down until its state is replaced. */
    public String shutdown;
    /**
     * Something may need attention at the next instruction boundary: a pending exception, a requested interrupt or
     * NMI, a halt. One flag, so the loop tests one field per block; {@link #eventsChanged()} recomputes it.
     */
    public boolean eventsPending;

    /** Recomputes {@link #eventsPending} after the events changed. */
    public void eventsChanged() {
        eventsPending = pendingVector >= 0 || halted || nmiPending || (irr[0] | irr[1] | irr[2] | irr[3]) != 0;
    }

    /** Requests external interrupt {@code vector}. */
    public void requestInterrupt(int vector) {
        irr[vector >>> 6] |= 1L << vector;
        eventsPending = true;
    }

    /** Queues an exception for delivery before the next instruction. */
    public void queueException(int vector, int errorCode, long payload) {
        pendingVector = vector;
        pendingError = errorCode;
        pendingPayload = payload;
        eventsPending = true;
    }

    // ---- execution ----------------------------------------------------------------------------------------------

    /** This vCPU's index (CPUID's APIC ID). */
    public int vcpuId;
    /** The CPU the guest sees: CPUID answers from it. */
    public CpuModel cpuModel = CpuModels.defaultModel(1);
    /** Bumped whenever cached fetch translations may be stale: a TLB flush, a privilege change, a new run. */
    public int codeEpoch;
    /** Instructions a block completed before the one that threw (set by the block as a signal unwinds). */
    public int completedBeforeSignal;
    /** The instruction that raised the last signal. */
    public org.paravane.emulated.cpu.exec.Insn signalled;
    /** Guest instructions retired. */
    public long retired;
    /** Most iterations a REP string instruction runs before it yields (1 when single-stepping, as hardware does). */
    public int repChunk = 4096;
    /** The last instruction yielded before completing (a REP that will go on); RIP points at it again. */
    public boolean partial;
    /** Reads and writes of the async-PF MSRs and any other MSRs the vCPU handles itself. */
    public Msrs.Extension msrExtension = Msrs.Extension.NONE;
    /** Set by an instruction when the rest of its block must not run (its code changed, an exit is pending). */
    public boolean stopBlock;
    /** The exit to report once the current instruction completed or was unwound (MMIO, port I/O). */
    VcpuExit pendingExit;
    /** TLB key of the current privilege: user and supervisor translations are cached apart. */
    public long tlbKey;

    public final GuestFault fault = new GuestFault();
    public final HostAbsent absent = new HostAbsent();
    public final ExitSignal exitSignal = new ExitSignal();

    public final Mmu mmu;
    /** How a split lock stops the other vCPUs (set by the VM). */
    public Atomics.Exclusive exclusive = Atomics.Exclusive.NONE;
    public final IoChannel io = new IoChannel(this);
    private final long[] rTag, rAdd, wTag, wAdd;
    private static final int TLB_MASK = Mmu.TLB_SIZE - 1;

    public Cpu(PhysicalMemory memory) {
        this.mmu = new Mmu(this, memory);
        this.rTag = mmu.readTag;
        this.rAdd = mmu.readAdd;
        this.wTag = mmu.writeTag;
        this.wAdd = mmu.writeAdd;
        Segment nul = Segment.nullSegment();
        java.util.Arrays.fill(seg, nul);
    }

    // ---- faults -------------------------------------------------------------------------------------------------

    /** The preallocated fault, filled in: {@code throw cpu.raise(...)}. */
    public GuestFault raise(int vector, int errorCode) {
        return fault.set(vector, errorCode, 0);
    }

    public GuestFault gp(int errorCode) {
        return fault.set(Vectors.GP, errorCode, 0);
    }

    public GuestFault ud() {
        return fault.set(Vectors.UD, -1, 0);
    }

    /**
     * The emulator cannot go on (a page table outside RAM, an unsupported CPU mode): the run ends with
     * {@link VcpuExit.Failed}. {@code throw cpu.internalError(...)}.
     */
    public ExitSignal internalError(String detail) {
        pendingExit = new VcpuExit.Failed("emulation failure", 0, detail + " at RIP 0x" + Long.toHexString(rip));
        return exitSignal;
    }

    public void setPendingExit(VcpuExit exit) {
        pendingExit = exit;
    }

    public VcpuExit pendingExit() {
        return pendingExit;
    }

    // ---- registers ----------------------------------------------------------------------------------------------

    /** Sign-extends the low {@code size} bytes of {@code v}. */
    public static long sx(int size, long v) {
        return switch (size) {
            case 1 -> (byte) v;
            case 2 -> (short) v;
            case 4 -> (int) v;
            default -> v;
        };
    }

    /** Zero-extends the low {@code size} bytes of {@code v}. */
    public static long zx(int size, long v) {
        return switch (size) {
            case 1 -> v & 0xFF;
            case 2 -> v & 0xFFFF;
            case 4 -> v & 0xFFFF_FFFFL;
            default -> v;
        };
    }

    /** A byte register: 0..15 the low byte of a register, 16..19 AH, CH, DH, BH. */
    public long reg8(int code) {
        return code < 16 ? r[code] & 0xFF : (r[code - 16] >>> 8) & 0xFF;
    }

    public void setReg8(int code, long v) {
        if (code < 16) {
            r[code] = (r[code] & ~0xFFL) | (v & 0xFF);
        } else {
            r[code - 16] = (r[code - 16] & ~0xFF00L) | ((v & 0xFF) << 8);
        }
    }

    /** Register {@code n} at {@code size} bytes, zero-extended (size 1 takes a byte-register code). */
    public long reg(int size, int n) {
        return switch (size) {
            case 1 -> reg8(n);
            case 2 -> r[n] & 0xFFFF;
            case 4 -> r[n] & 0xFFFF_FFFFL;
            default -> r[n];
        };
    }

    /** Writes register {@code n} at {@code size} bytes: 32-bit writes zero the upper half, 8/16-bit ones merge. */
    public void setReg(int size, int n, long v) {
        switch (size) {
            case 1 -> setReg8(n, v);
            case 2 -> r[n] = (r[n] & ~0xFFFFL) | (v & 0xFFFF);
            case 4 -> r[n] = v & 0xFFFF_FFFFL;
            default -> r[n] = v;
        }
    }

    // ---- flags --------------------------------------------------------------------------------------------------

    public boolean cf() {
        return LazyFlags.cf(fOp, fDst, fSrc, fRes, fAux);
    }

    public boolean zf() {
        return LazyFlags.zf(fOp, fRes, fAux);
    }

    public boolean sf() {
        return LazyFlags.sf(fOp, fRes, fAux);
    }

    public boolean pf() {
        return LazyFlags.pf(fOp, fRes, fAux);
    }

    public boolean of() {
        return LazyFlags.of(fOp, fDst, fSrc, fRes, fAux);
    }

    public boolean af() {
        return LazyFlags.af(fOp, fDst, fSrc, fRes, fAux);
    }

    /** The six arithmetic flags at their RFLAGS positions. */
    public long arithFlags() {
        return LazyFlags.arith(fOp, fDst, fSrc, fRes, fAux);
    }

    public long rflags() {
        return sysFlags | arithFlags();
    }

    /** Replaces RFLAGS (bit 1 forced on, reserved bits dropped). */
    public void setRflags(long value) {
        sysFlags = (value & WRITABLE & ~ARITH) | 2;
        fAux = value & ARITH;
        fOp = F_EXPLICIT;
    }

    /** Replaces only the arithmetic flags. */
    public void setArith(long bits) {
        fAux = bits & ARITH;
        fOp = F_EXPLICIT;
    }

    /** Condition code {@code cc} (0..15, the low nibble of Jcc/SETcc/CMOVcc). */
    public boolean cond(int cc) {
        return LazyFlags.cond(fOp, cc, fDst, fSrc, fRes, fAux);
    }

    // ---- arithmetic with flags (operands are raw; results come back sign-extended) -------------------------------

    public long add(int size, long dst, long src) {
        long d = sx(size, dst), s = sx(size, src), res = sx(size, d + s);
        fOp = F_ADD; fDst = d; fSrc = s; fRes = res;
        return res;
    }

    public long adc(int size, long dst, long src) {
        long carry = cf() ? 1 : 0;
        long d = sx(size, dst), s = sx(size, src), res = sx(size, d + s + carry);
        fOp = F_ADC; fDst = d; fSrc = s; fRes = res; fAux = carry;
        return res;
    }

    public long sub(int size, long dst, long src) {
        long d = sx(size, dst), s = sx(size, src), res = sx(size, d - s);
        fOp = F_SUB; fDst = d; fSrc = s; fRes = res;
        return res;
    }

    public long sbb(int size, long dst, long src) {
        long borrow = cf() ? 1 : 0;
        long d = sx(size, dst), s = sx(size, src), res = sx(size, d - s - borrow);
        fOp = F_SBB; fDst = d; fSrc = s; fRes = res; fAux = borrow;
        return res;
    }

    public long logic(int size, long res) {
        long v = sx(size, res);
        fOp = F_LOGIC; fRes = v;
        return v;
    }

    public long inc(int size, long dst) {
        long carry = cf() ? CF : 0;
        long d = sx(size, dst), res = sx(size, d + 1);
        fOp = F_INC; fDst = d; fSrc = 1; fRes = res; fAux = carry;
        return res;
    }

    public long dec(int size, long dst) {
        long carry = cf() ? CF : 0;
        long d = sx(size, dst), res = sx(size, d - 1);
        fOp = F_DEC; fDst = d; fSrc = 1; fRes = res; fAux = carry;
        return res;
    }

    /** The ALU operations of opcodes 00..3F and group 1 (ADD OR ADC SBB AND SUB XOR CMP), and 8 for TEST. */
    public long alu(int op, int size, long dst, long src) {
        return switch (op) {
            case 0 -> add(size, dst, src);
            case 1 -> logic(size, dst | src);
            case 2 -> adc(size, dst, src);
            case 3 -> sbb(size, dst, src);
            case 4 -> logic(size, dst & src);
            case 5, 7 -> sub(size, dst, src);
            case 6 -> logic(size, dst ^ src);
            default -> logic(size, dst & src);      // 8: TEST
        };
    }

    /** Flags from {@code res} (ZF, SF, PF) plus explicit CF, OF, AF bits. */
    public void resultFlags(int size, long res, long cfOfAf) {
        fOp = F_RESULT;
        fRes = sx(size, res);
        fAux = cfOfAf & (CF | OF | AF);
    }

    // ---- guest-virtual memory -----------------------------------------------------------------------------------

    public long read8(long va) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (rTag[i] == (vpn | tlbKey)) {
            return HOST.get(JAVA_BYTE, va + rAdd[i]) & 0xFFL;
        }
        return mmu.readSlow(va, 1, false);
    }

    public long read16(long va) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (rTag[i] == (vpn | tlbKey) && (va & 0xFFF) <= 0xFFE) {
            return HOST.get(JAVA_SHORT_UNALIGNED, va + rAdd[i]) & 0xFFFFL;
        }
        return mmu.readSlow(va, 2, false);
    }

    public long read32(long va) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (rTag[i] == (vpn | tlbKey) && (va & 0xFFF) <= 0xFFC) {
            return HOST.get(JAVA_INT_UNALIGNED, va + rAdd[i]) & 0xFFFF_FFFFL;
        }
        return mmu.readSlow(va, 4, false);
    }

    public long read64(long va) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (rTag[i] == (vpn | tlbKey) && (va & 0xFFF) <= 0xFF8) {
            return HOST.get(JAVA_LONG_UNALIGNED, va + rAdd[i]);
        }
        return mmu.readSlow(va, 8, false);
    }

    /** Reads {@code size} bytes, zero-extended. */
    public long read(int size, long va) {
        return switch (size) {
            case 1 -> read8(va);
            case 2 -> read16(va);
            case 4 -> read32(va);
            default -> read64(va);
        };
    }

    /** The load of a read-modify-write instruction ({@code add [m], r}, {@code inc [m]}...): checked as a store. */
    public long readForWrite(int size, long va) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (wTag[i] == (vpn | tlbKey) && (va & 0xFFF) <= PAGE_END[size]) {
            long host = va + wAdd[i];
            return switch (size) {
                case 1 -> HOST.get(JAVA_BYTE, host) & 0xFFL;
                case 2 -> HOST.get(JAVA_SHORT_UNALIGNED, host) & 0xFFFFL;
                case 4 -> HOST.get(JAVA_INT_UNALIGNED, host) & 0xFFFF_FFFFL;
                default -> HOST.get(JAVA_LONG_UNALIGNED, host);
            };
        }
        return mmu.readForWriteSlow(va, size);
    }

    /** The last in-page offset an access of 1, 2, 4 or 8 bytes may start at without crossing the page. */
    private static final int[] PAGE_END = {0, 0xFFF, 0xFFE, 0, 0xFFC, 0, 0, 0, 0xFF8};

    public void write8(long va, long v) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (wTag[i] == (vpn | tlbKey)) {
            HOST.set(JAVA_BYTE, va + wAdd[i], (byte) v);
        } else {
            mmu.writeSlow(va, 1, v, false);
        }
    }

    public void write16(long va, long v) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (wTag[i] == (vpn | tlbKey) && (va & 0xFFF) <= 0xFFE) {
            HOST.set(JAVA_SHORT_UNALIGNED, va + wAdd[i], (short) v);
        } else {
            mmu.writeSlow(va, 2, v, false);
        }
    }

    public void write32(long va, long v) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (wTag[i] == (vpn | tlbKey) && (va & 0xFFF) <= 0xFFC) {
            HOST.set(JAVA_INT_UNALIGNED, va + wAdd[i], (int) v);
        } else {
            mmu.writeSlow(va, 4, v, false);
        }
    }

    public void write64(long va, long v) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (wTag[i] == (vpn | tlbKey) && (va & 0xFFF) <= 0xFF8) {
            HOST.set(JAVA_LONG_UNALIGNED, va + wAdd[i], v);
        } else {
            mmu.writeSlow(va, 8, v, false);
        }
    }

    public void write(int size, long va, long v) {
        switch (size) {
            case 1 -> write8(va, v);
            case 2 -> write16(va, v);
            case 4 -> write32(va, v);
            default -> write64(va, v);
        }
    }

    // ---- the stack (SS: a non-canonical address raises #SS, not #GP) ---------------------------------------------

    public void push64(long v) {
        long sp = r[RSP] - 8;
        long vpn = sp >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (wTag[i] == (vpn | tlbKey) && (sp & 0xFFF) <= 0xFF8) {
            HOST.set(JAVA_LONG_UNALIGNED, sp + wAdd[i], v);
        } else {
            mmu.writeSlow(sp, 8, v, true);
        }
        r[RSP] = sp;
    }

    public long pop64() {
        long sp = r[RSP];
        long vpn = sp >>> 12;
        int i = (int) vpn & TLB_MASK;
        long v;
        if (rTag[i] == (vpn | tlbKey) && (sp & 0xFFF) <= 0xFF8) {
            v = HOST.get(JAVA_LONG_UNALIGNED, sp + rAdd[i]);
        } else {
            v = mmu.readSlow(sp, 8, true);
        }
        r[RSP] = sp + 8;
        return v;
    }

    /** Pushes {@code size} (2 or 8) bytes. */
    public void push(int size, long v) {
        if (size == 8) {
            push64(v);
        } else {
            long sp = r[RSP] - size;
            writeStack(size, sp, v);
            r[RSP] = sp;
        }
    }

    /** Pops {@code size} (2 or 8) bytes, zero-extended. */
    public long pop(int size) {
        if (size == 8) {
            return pop64();
        }
        long sp = r[RSP];
        long v = readStack(size, sp);
        r[RSP] = sp + size;
        return v;
    }

    /** A stack read that does not move RSP. */
    public long readStack(int size, long va) {
        if (size == 8) {
            long vpn = va >>> 12;
            int i = (int) vpn & TLB_MASK;
            if (rTag[i] == (vpn | tlbKey) && (va & 0xFFF) <= 0xFF8) {
                return HOST.get(JAVA_LONG_UNALIGNED, va + rAdd[i]);
            }
        }
        return mmu.readSlow(va, size, true);
    }

    /** An 8-byte stack write that does not move RSP (a translated PUSH or CALL moves it afterwards). */
    public void writeStack64(long va, long v) {
        long vpn = va >>> 12;
        int i = (int) vpn & TLB_MASK;
        if (wTag[i] == (vpn | tlbKey) && (va & 0xFFF) <= 0xFF8) {
            HOST.set(JAVA_LONG_UNALIGNED, va + wAdd[i], v);
        } else {
            mmu.writeSlow(va, 8, v, true);
        }
    }

    public void writeStack(int size, long va, long v) {
        mmu.writeSlow(va, size, v, true);
    }

    // ---- privilege ----------------------------------------------------------------------------------------------

    /** Changes the current privilege level (CS and SS are the caller's business). */
    public void setCpl(int newCpl) {
        if (newCpl != cpl) {
            codeEpoch++;
        }
        cpl = newCpl;
        tlbKey = newCpl == 3 ? Mmu.USER_KEY : 0;
    }

    public int iopl() {
        return (int) ((sysFlags >>> 12) & 3);
    }

    public boolean interruptsEnabled() {
        return (sysFlags & IF) != 0;
    }

    public boolean longMode64() {
        Segment cs = seg[CS];
        return (efer & (1L << 10)) != 0 && cs.longMode();
    }
}
