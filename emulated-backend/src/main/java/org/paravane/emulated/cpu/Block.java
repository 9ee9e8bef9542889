package org.paravane.emulated.cpu;

import org.paravane.emulated.cpu.exec.Insn;
import org.paravane.emulated.mmu.PhysicalMemory;

/**
 * A run of decoded instructions from one guest page (a lone instruction may straddle two), ending at a branch, a
 * system instruction, the page end or a length cap. This is the unit a translator to JVM bytecode would replace:
 * {@link #execute} has to behave as running its instructions one after the other.
 */
public final class Block {
    public static final int MAX_INSTRUCTIONS = 64;

    /** Virtual address of the first instruction. */
    public final long rip;
    /** Address after the last instruction. */
    public final long end;
    final Insn[] insns;
    private final PhysicalMemory.Region region;
    private final int page;
    private final int gen;
    private final PhysicalMemory.Region region2;
    private final int page2;
    private final int gen2;
    /** {@link Cpu#codeEpoch} when the jump cache last received this block. */
    int epoch;
    /** The blocks that followed this one last (a taken branch and a fall-through, say), valid for their epochs. */
    Block link0, link1;
    int link0Epoch, link1Epoch;

    Block(long rip, Insn[] insns, PhysicalMemory.Region region, int page, int gen, PhysicalMemory.Region region2,
          int page2, int gen2) {
        this.rip = rip;
        this.insns = insns;
        this.end = insns[insns.length - 1].next;
        this.region = region;
        this.page = page;
        this.gen = gen;
        this.region2 = region2;
        this.page2 = page2;
        this.gen2 = gen2;
    }

    /** The block that follows this one at {@code rip}, when a link remembers it for {@code epoch}; else null. */
    Block linked(long rip, int epoch) {
        Block l = link0;
        if (l != null && l.rip == rip && link0Epoch == epoch) {
            return l;
        }
        l = link1;
        if (l != null && l.rip == rip && link1Epoch == epoch) {
            return l;
        }
        return null;
    }

    /** Remembers {@code next} as a successor (the older link makes room). */
    void link(Block next, int epoch) {
        link1 = link0;
        link1Epoch = link0Epoch;
        link0 = next;
        link0Epoch = epoch;
    }

    /** Whether no store changed the code since it was decoded. */
    boolean valid() {
        return region.codeGen[page] == gen && (region2 == null || region2.codeGen[page2] == gen2);
    }

    public int length() {
        return insns.length;
    }

    public Insn insn(int i) {
        return insns[i];
    }

    /**
     * Runs up to {@code max} instructions; returns how many completed. RIP is left after the last one (or where a
     * branch went). When an instruction throws, RIP points at it, {@link Cpu#completedBeforeSignal} says how many
     * completed before it, and the signal propagates.
     */
    int execute(Cpu c, int max) {
        Insn[] ins = insns;
        int n = Math.min(max, ins.length);
        c.rip = n == ins.length ? end : ins[n].rip;
        int i = 0;
        try {
            for (; i < n; i++) {
                ins[i].exec(c);
                if (c.stopBlock) {
                    i++;
                    if (i < n) {
                        c.rip = ins[i].rip;
                    }
                    return i;
                }
            }
            return n;
        } catch (CpuSignal s) {
            c.rip = ins[i].rip;
            c.completedBeforeSignal = i;
            c.signalled = ins[i];
            throw s;
        }
    }
}
