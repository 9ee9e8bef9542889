package org.paravane.emulated.cpu.exec;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Operand;

/**
 * An instruction with a ModRM operand that is a register ({@link #rm} >= 0) or memory ({@link #rm} < 0, address
 * from base, index, scale and displacement). An absent base or index is {@link Cpu#ZERO_REG}, so the address is
 * always the same sum; a RIP-relative operand folds the next RIP into the displacement.
 */
public abstract class MemInsn extends Insn {
    /** Register number (byte-register code for byte operands) when the operand is a register, else -1. */
    protected final int rm;
    protected final int base;
    protected final int index;
    protected final int scale;
    protected final long disp;
    /** 0: no segment base, 1: FS, 2: GS. */
    protected final int seg;
    protected final boolean addr32;
    private final boolean ssBased;

    protected MemInsn(Decoded d, Operand operand) {
        super(d);
        if (operand instanceof Operand.Mem m) {
            rm = -1;
            if (m.ripRelative()) {
                base = Cpu.ZERO_REG;
                index = Cpu.ZERO_REG;
                disp = d.ripRelative(m);
            } else {
                base = m.base() < 0 ? Cpu.ZERO_REG : m.base();
                index = m.index() < 0 ? Cpu.ZERO_REG : m.index();
                disp = m.disp();
            }
            scale = m.scale();
            seg = m.segment() == Cpu.FS ? 1 : m.segment() == Cpu.GS ? 2 : 0;
            addr32 = m.addressSize() == 4;
            ssBased = seg == 0 && (m.base() == Cpu.RSP || m.base() == Cpu.RBP);
        } else {
            rm = operand instanceof Operand.Reg r ? r.number() : -1;
            base = index = Cpu.ZERO_REG;
            scale = 0;
            disp = 0;
            seg = 0;
            addr32 = false;
            ssBased = false;
        }
    }

    /** The linear address of the memory operand. */
    protected final long ea(Cpu c) {
        long a = c.r[base] + (c.r[index] << scale) + disp;
        if (addr32) {
            a &= 0xFFFF_FFFFL;
        }
        if (seg != 0) {
            a += seg == 1 ? c.fsBase : c.gsBase;
        }
        return a;
    }

    /** The operand's value at {@code size} bytes, zero-extended. */
    protected final long getRm(Cpu c, int size) {
        return rm >= 0 ? c.reg(size, rm) : c.read(size, ea(c));
    }

    protected final void setRm(Cpu c, int size, long v) {
        if (rm >= 0) {
            c.setReg(size, rm, v);
        } else {
            c.write(size, ea(c), v);
        }
    }

    @Override
    public boolean stackSegment() {
        return ssBased;
    }
}
