package org.paravane.emulated.cpu.exec.x87;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.FpuState;
import org.paravane.emulated.cpu.Vectors;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Operand;
import org.paravane.emulated.cpu.exec.MemInsn;
import org.paravane.emulated.mmu.Mmu;

/**
 * An x87 instruction: #NM with CR0.EM or CR0.TS; a waiting instruction raises #MF first when an unmasked exception is
 * pending (FSW.ES) and CR0.NE is set; the non-control instructions record their opcode, address and memory operand's
 * address (FOP, FIP, FDP). Stack and status-word helpers for the families.
 */
abstract class X87Insn extends MemInsn {
    static final long CR0_MP = 2, CR0_EM = 4, CR0_TS = 8, CR0_NE = 32;
    static final int ES = 0x80, B = 0x8000, C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000, CC = C0 | C1 | C2 | C3;

    /** The 11-bit FOP: the escape byte's low three bits and the ModRM byte. */
    final int opcode;
    /** ST(i) of the register forms (ModRM.rm). */
    final int sti;
    private final boolean hasMemory;

    X87Insn(Decoded d) {
        super(d, d.operandCount() > 0 ? d.op(0) : null);
        this.opcode = d.cond() & 0x7FF;
        this.sti = d.cond() & 7;
        this.hasMemory = d.operandCount() > 0 && d.op(0) instanceof Operand.Mem;
    }

    /** Control instructions (FNINIT, FLDCW, FNSTENV, ...) leave FOP/FIP/FDP alone. */
    boolean control() {
        return false;
    }

    /** The non-waiting forms (FNINIT FNCLEX FNSTCW FNSTSW FNSTENV FNSAVE) ignore a pending exception. */
    boolean waits() {
        return true;
    }

    abstract void run(Cpu c, FpuState f);

    @Override
    public final void exec(Cpu c) {
        if ((c.cr0 & (CR0_EM | CR0_TS)) != 0) {
            throw c.raise(Vectors.NM, -1);
        }
        FpuState f = c.fpu;
        if (waits()) {
            pending(c);
        }
        long address = hasMemory ? ea(c) : 0;
        run(c, f);
        if (!control()) {
            f.fop = opcode;
            f.fip = rip;
            f.fdp = address;                              // zero for register forms, as AMD processors record it
        }
    }

    /** #MF for a pending unmasked exception (CR0.NE; without NE the FERR# line is not modelled). */
    static void pending(Cpu c) {
        if ((c.fpu.fsw & ES) != 0 && (c.cr0 & CR0_NE) != 0) {
            throw c.raise(Vectors.MF, -1);
        }
    }

    // ---- the stack ------------------------------------------------------------------------------------------------

    static int phys(FpuState f, int i) {
        return (f.top() + i) & 7;
    }

    static boolean empty(FpuState f, int i) {
        return (f.ftw >>> phys(f, i) & 1) == 0;
    }

    static F80 get(FpuState f, int i) {
        int p = phys(f, i);
        return new F80(f.stSe[p], f.stSig[p]);
    }

    static void set(FpuState f, int i, F80 v) {
        int p = phys(f, i);
        f.stSe[p] = v.se();
        f.stSig[p] = v.sig();
        f.ftw |= 1 << p;
    }

    static void setTop(FpuState f, int top) {
        f.fsw = (f.fsw & ~0x3800) | (top & 7) << 11;
    }

    static void pop(FpuState f) {
        f.ftw &= ~(1 << f.top());
        setTop(f, f.top() + 1);
    }

    static void push(FpuState f, F80 v) {
        setTop(f, f.top() - 1);
        set(f, 0, v);
    }

    /** ST(i), or null after flagging a stack underflow (IE, SF, C1 = 0) when it is empty. */
    static F80 source(FpuState f, FpEnv env, int i) {
        if (empty(f, i)) {
            env.flags |= FpEnv.IE | FpEnv.SF;
            env.roundedUp = false;
            return null;
        }
        return get(f, i);
    }

    /** Whether a push overflows the stack (ST(7) in use): flags IE, SF and C1 = 1. */
    static boolean overflows(FpuState f, FpEnv env) {
        if (!empty(f, 7)) {
            env.flags |= FpEnv.IE | FpEnv.SF;
            env.roundedUp = true;
            return true;
        }
        return false;
    }

    /**
     * The status word after an operation: its exception flags (sticky), C1 from the rounding (or the stack fault),
     * and ES and B when any raised exception is unmasked.
     */
    static void status(FpuState f, FpEnv env) {
        if ((env.flags & FpEnv.SF) != 0) {
            env.flags &= FpEnv.IE | FpEnv.SF;            // a stack fault reports only itself
        } else if (env.unmaskedPreResult()) {
            env.flags &= FpEnv.IE | FpEnv.DE | FpEnv.ZE;  // the operation stopped before its result
            env.roundedUp = false;
        }
        int sw = f.fsw | (env.flags & 0x7F);
        sw = env.roundedUp ? sw | C1 : sw & ~C1;
        if (env.unmasked()) {
            sw |= ES | B;
        }
        f.fsw = sw;
    }

    /** Sets the condition codes C3 C2 C1 C0 (bits 3..0 of {@code cc}). */
    static void conditions(FpuState f, int c3, int c2, int c1, int c0) {
        f.fsw = (f.fsw & ~CC) | (c3 != 0 ? C3 : 0) | (c2 != 0 ? C2 : 0) | (c1 != 0 ? C1 : 0) | (c0 != 0 ? C0 : 0);
    }

    // ---- memory ---------------------------------------------------------------------------------------------------

    /** Checks that all {@code size} bytes at {@code a} can be written before any is (an access is all or nothing). */
    final void writable(Cpu c, long a, int size) {
        c.mmu.translate(a, Mmu.WRITE, false);
        if ((a & 0xFFF) + size > 0x1000) {
            c.mmu.translate((a + size - 1) & ~0xFFFL, Mmu.WRITE, false);     // CR2: the second page's first byte
        }
    }

    final F80 read80(Cpu c, long a) {
        long sig = c.read64(a);
        int se = (int) c.read16(a + 8);
        return new F80(se, sig);
    }

    final void write80(Cpu c, long a, long sig, int se) {
        writable(c, a, 10);
        c.write64(a, sig);
        c.write16(a + 8, se);
    }
}
