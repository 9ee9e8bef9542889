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
    /** Executions left before the block is translated (see {@link Translation}); negative: never. */
    private int heat;
    private final Translation translation;
    /** Where the block was decoded: finds its successors on the same page for a region. */
    private final CodeCache cache;
    /** Guest-physical address of the block's (first) page. */
    final long gpaPage;
    /** The block as JVM bytecode, once hot. */
    private CompiledBlock compiled;
    /** The blocks that followed this one last (a taken branch and a fall-through, say), valid for their epochs. */
    Block link0, link1;
    int link0Epoch, link1Epoch;

    Block(long rip, Insn[] insns, PhysicalMemory.Region region, long gpaPage, int page, int gen,
          PhysicalMemory.Region region2, int page2, int gen2, Translation translation, CodeCache cache) {
        this.rip = rip;
        this.translation = translation;
        this.cache = cache;
        this.gpaPage = gpaPage;
        this.insns = insns;
        this.end = insns[insns.length - 1].next;
        this.region = region;
        this.page = page;
        this.gen = gen;
        this.region2 = region2;
        this.page2 = page2;
        this.gen2 = gen2;
        // A block translated before (decoded again after a cache clear) takes its translation at its first run.
        this.heat = translation == null ? -1 : translation.translatedBefore(this) ? 0 : translation.threshold();
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

    /**
     * The block at {@code next} when a translation of this block may run it without a lookup of its own: it lies
     * wholly in this block's guest-virtual page (so the lookup that reached this block vouches for its mapping and
     * permissions), and was decoded from the same guest-physical page at the same code generation (so whatever
     * invalidates it invalidates this block too). Decodes it when needed; null when it does not qualify.
     */
    public Block successor(long next) {
        if (region2 != null || ((next ^ rip) & -PhysicalMemory.PAGE_SIZE) != 0 || !valid()) {
            return null;
        }
        Block b = cache.successor(this, next);
        return b != null && b.region == region && b.page == page && b.gen == gen && b.region2 == null ? b : null;
    }

    /** Where control went after this block on its last runs (the targets of a RET, say); none yet: empty. */
    public long[] linkTargets() {
        Block a = link0, b = link1;
        return a == null ? new long[0] : b == null || b.rip == a.rip ? new long[] {a.rip} : new long[] {a.rip, b.rip};
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
        if (max >= ins.length || translation != null && translation.everyRun()) {
            CompiledBlock t = compiled;
            if (t != null) {
                return t.run(c, max);
            }
            if (heat >= 0 && --heat < 0) {
                t = compiled = translation.translate(this);
                if (t != null) {
                    return t.run(c, max);
                }
            }
        }
        return interpret(c, max);
    }

    /** Whether the block runs as JVM bytecode. */
    public boolean compiled() {
        return compiled != null;
    }

    /** Runs the decoded instructions one after the other (the reference the translation is held to). */
    int interpret(Cpu c, int max) {
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
