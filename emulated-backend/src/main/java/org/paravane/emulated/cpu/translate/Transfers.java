package org.paravane.emulated.cpu.translate;

import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_long;
import static org.paravane.emulated.cpu.translate.BlockCompiler.CD_CPU;

import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.util.HashMap;
import java.util.Map;
import org.paravane.emulated.cpu.Block;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;
import org.paravane.emulated.cpu.exec.Insn;

/**
 * The control flow between the blocks of a region and out of it. A transfer to a block of the region is a jump to
 * its label when the budget allows the whole block ({@code max}; in a translation for every run, its first
 * instruction). A block only one transfer reaches continues with the translation-time state of that transfer (the
 * flag operation in locals, which registers are dirty); at a block several reach, the lazy flags are stored into the
 * Cpu only when it may read or expose them before it sets them. Anything else leaves: registers and flags written
 * back, RIP set, the instructions retired in this call returned.
 */
final class Transfers {
    private final BlockCompiler bc;
    private final CodeBuilder code;
    private final Map<Block, Label> labels = new HashMap<>();
    private final Map<Block, Long> flagsNeeded = new HashMap<>();
    /** Transfers to each block (the entry counts one more: the call). */
    private final Map<Block, Integer> incoming = new HashMap<>();
    /** The state the only transfer to a block left it in. */
    private final Map<Block, State> carried = new HashMap<>();

    /** What the translation knows at a point: registers maybe changed, the flag operation in locals, whether synced. */
    record State(int dirty, int flagOp, boolean synced) {
    }

    Transfers(BlockCompiler bc) {
        this.bc = bc;
        this.code = bc.code;
        incoming.put(bc.region.entry(), 1);
        for (Block b : bc.region.blocks()) {
            for (long target : Region.candidates(b, bc.inlining())) {
                Block t = bc.region.at(target);
                if (t != null) {
                    incoming.merge(t, 1, Integer::sum);
                }
            }
        }
    }

    /** How many transfers reach {@code b} (the call counting as one for the entry). */
    int joins(Block b) {
        return incoming.getOrDefault(b, 0);
    }

    /** The state at the start of {@code b}: what its only transfer carried, or null at a join (the entry, say). */
    State carried(Block b) {
        return carried.get(b);
    }

    Label label(Block b) {
        return labels.computeIfAbsent(b, x -> code.newLabel());
    }

    /** Whether {@code insn}, inlined at a block's end, is a JMP or Jcc that {@link #branch} writes. */
    boolean emitsBranch(Insn insn) {
        Mnemonic m = insn.decoded.mnemonic();
        return m == Mnemonic.JMP || m == Mnemonic.JCC;
    }

    /** The JMP or Jcc ending {@code b}: a transfer to each target. */
    void branch(Block b, Insn insn) {
        Decoded d = insn.decoded;
        long target = ((Operand.Rel) d.op(0)).target();
        if (d.mnemonic() == Mnemonic.JMP) {
            to(b, target);
            return;
        }
        Label taken = code.newLabel();
        bc.jumpIf(d.cond(), taken);
        int dirty = bc.dirty, flagOp = bc.flagOp;
        boolean synced = bc.flagsSynced;
        to(b, insn.next);
        code.labelBinding(taken);
        bc.dirty = dirty;
        bc.flagOp = flagOp;
        bc.flagsSynced = synced;
        to(b, target);
    }

    /**
     * After the last instruction of {@code b} (not a JMP or Jcc): on to the CALL's target, the RET's (when it is one
     * of the region's blocks) or the fall-through; an interpreted instruction leaves with RIP where it went.
     *
     * @param mayStop the instruction may have set {@code stopBlock} (a store into code, an MMIO access)
     */
    void end(Block b, boolean inline, boolean mayStop) {
        if (!inline) {
            leave(b.length());
            return;
        }
        Insn last = b.insn(b.length() - 1);
        Mnemonic m = last.decoded.mnemonic();
        if (mayStop) {
            Label go = code.newLabel();
            code.aload(BlockCompiler.cpuSlot());
            code.getfield(CD_CPU, "stopBlock", CD_boolean);
            code.ifeq(go);
            if (m == Mnemonic.CALL || m == Mnemonic.RET) {
                leave(b.length());                          // RIP at the target already
            } else {
                leaveAt(b.end, b.length());
            }
            code.labelBinding(go);
        }
        if (m == Mnemonic.CALL) {
            to(b, ((Operand.Rel) last.decoded.op(0)).target());
        } else if (m == Mnemonic.RET) {
            for (long target : Region.candidates(b, true)) {
                if (bc.region.at(target) != null) {
                    Label next = code.newLabel();
                    code.aload(BlockCompiler.cpuSlot());
                    code.getfield(CD_CPU, "rip", CD_long);
                    code.loadConstant(target);
                    code.lcmp();
                    code.ifne(next);
                    to(b, target);
                    code.labelBinding(next);
                }
            }
            leave(b.length());
        } else {
            to(b, b.end);
        }
    }

    /** From the end of {@code from} (all of it run) to {@code target}: a jump in the region, else out. */
    private void to(Block from, long target) {
        Block t = bc.region.at(target);
        int n = from.length();
        if (t == null) {
            leaveAt(target, n);
            return;
        }
        Label go = code.newLabel();
        bc.retired(n + (bc.prefixes ? 1 : t.length()));
        code.iload(BlockCompiler.maxSlot());
        code.if_icmple(go);
        leaveAt(target, n);
        code.labelBinding(go);
        bc.addRetired(n);
        if (incoming.get(t) == 1) {
            carried.put(t, new State(bc.dirty, bc.flagOp, bc.flagsSynced));
        } else if (!bc.flagsSynced && flagsNeeded.computeIfAbsent(t, bc::flagsNeededAt) != 0) {
            bc.storeFlags(bc.flagOp);
        }
        code.goto_(label(t));
    }

    /** Before instruction {@code i} of {@code b}: when {@code max} is reached, leave with RIP at it. */
    void maxCheck(Block b, int i) {
        Label go = code.newLabel();
        code.iload(BlockCompiler.maxSlot());
        bc.retired(i);
        code.if_icmpgt(go);
        leaveAt(b.insn(i).rip, i);
        code.labelBinding(go);
    }

    /** After an instruction: when it set {@code stopBlock}, leave with RIP at {@code next}, the {@code i}-th. */
    void stopCheck(int i, long next) {
        Label go = code.newLabel();
        code.aload(BlockCompiler.cpuSlot());
        code.getfield(CD_CPU, "stopBlock", CD_boolean);
        code.ifeq(go);
        leaveAt(next, i);
        code.labelBinding(go);
    }

    /** Leaves with RIP at {@code rip} and {@code i} instructions of the current block retired. */
    private void leaveAt(long rip, int i) {
        code.aload(BlockCompiler.cpuSlot());
        code.loadConstant(rip);
        code.putfield(CD_CPU, "rip", CD_long);
        leave(i);
    }

    /** Leaves with RIP as it is and {@code i} instructions of the current block retired. */
    private void leave(int i) {
        bc.writeBack(bc.dirty);
        if (!bc.flagsSynced) {
            bc.storeFlags(bc.flagOp);
        }
        bc.retired(i);
        code.ireturn();
    }
}
