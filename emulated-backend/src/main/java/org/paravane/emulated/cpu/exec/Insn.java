package org.paravane.emulated.cpu.exec;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;

/**
 * A decoded instruction bound to its implementation. Instructions of a block run back to back without touching RIP:
 * the block sets RIP to its end beforehand, branches overwrite it, and a fault puts it back at the faulting
 * instruction. An instruction either completes or throws a {@link org.paravane.emulated.cpu.CpuSignal} before it
 * changed any architectural state.
 */
public abstract class Insn {
    /** Address of this instruction. */
    public final long rip;
    /** Address of the next instruction. */
    public final long next;
    public final Decoded decoded;

    protected Insn(Decoded d) {
        this.rip = d.rip();
        this.next = d.next();
        this.decoded = d;
    }

    public abstract void exec(Cpu c);

    /**
     * Whether the block must end after this instruction: it changes RIP, the privilege level, the paging structures,
     * the interrupt flag, or stops the vCPU.
     */
    public boolean endsBlock() {
        return false;
    }

    /** A non-canonical address of this instruction's memory operand raises #SS(0) (it references SS). */
    public boolean stackSegment() {
        return false;
    }

    @Override
    public String toString() {
        return decoded.toString();
    }
}
