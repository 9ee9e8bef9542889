package org.paravane.emulated.cpu.translate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.paravane.emulated.cpu.Block;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.decode.Operand;
import org.paravane.emulated.cpu.exec.Insn;

/**
 * A hot block and the successors compiled with it into one method, in the order they are emitted (the entry first):
 * a transfer to one of them is a jump inside the method, anything else leaves it. Successors are found from the
 * entry outwards: the static targets of an inlined branch (Jcc taken and not, JMP and CALL targets), the fall-through
 * of a block cut by the length cap, and for a RET the targets its links observed. Only blocks that {@link
 * Block#successor} admits (the entry's page and code generation) join, so the entry's lookup vouches for them all.
 */
record Region(List<Block> blocks) {
    /** Most blocks and instructions in one region (the method must stay well under the JIT's huge-method limit). */
    static final int MAX_BLOCKS = 16, MAX_INSTRUCTIONS = 192;

    static Region of(Block entry, boolean inline) {
        Map<Long, Block> found = new LinkedHashMap<>();
        found.put(entry.rip, entry);
        List<Block> queue = new ArrayList<>(List.of(entry));
        int instructions = entry.length();
        if (selfLoop(entry, inline)) {
            return new Region(List.of(entry));               // the loop is what is hot; its exits are not
        }
        for (int q = 0; q < queue.size() && found.size() < MAX_BLOCKS; q++) {
            Block b = queue.get(q);
            for (long next : candidates(b, inline)) {
                if (found.size() >= MAX_BLOCKS || found.containsKey(next)) {
                    continue;
                }
                Block s = entry.successor(next);
                if (s != null && instructions + s.length() <= MAX_INSTRUCTIONS) {
                    found.put(next, s);
                    queue.add(s);
                    instructions += s.length();
                }
            }
        }
        return new Region(List.copyOf(found.values()));
    }

    /**
     * The region of {@code entry} with the blocks at {@code rips} (an earlier region's, found again after the cache
     * was cleared: a RET's links are not known yet then), or null when one of them no longer qualifies.
     */
    static Region of(Block entry, long[] rips) {
        List<Block> blocks = new ArrayList<>(List.of(entry));
        for (int i = 1; i < rips.length; i++) {
            Block s = entry.successor(rips[i]);
            if (s == null) {
                return null;
            }
            blocks.add(s);
        }
        return new Region(List.copyOf(blocks));
    }

    /** The start of each block. */
    long[] rips() {
        return blocks.stream().mapToLong(b -> b.rip).toArray();
    }

    /** Whether {@code b} ends in an inlined branch back to its own start. */
    static boolean selfLoop(Block b, boolean inline) {
        long[] next = candidates(b, inline);
        Mnemonic m = b.insn(b.length() - 1).decoded.mnemonic();
        return (m == Mnemonic.JCC || m == Mnemonic.JMP) && next.length > 0 && next[0] == b.rip;
    }

    /** The first {@code n} blocks (a smaller region when the method grew too long). */
    Region first(int n) {
        return new Region(blocks.subList(0, n));
    }

    int size() {
        return blocks.size();
    }

    Block entry() {
        return blocks.get(0);
    }

    /** The block starting at {@code rip}, or null. */
    Block at(long rip) {
        for (Block b : blocks) {
            if (b.rip == rip) {
                return b;
            }
        }
        return null;
    }

    /** Every instruction, block after block (the class data of the translation). */
    Insn[] insns() {
        List<Insn> all = new ArrayList<>();
        for (Block b : blocks) {
            for (int i = 0; i < b.length(); i++) {
                all.add(b.insn(i));
            }
        }
        return all.toArray(Insn[]::new);
    }

    /** The decoded instructions of each block (addresses included): what a reused translation must match. */
    List<List<Decoded>> key() {
        return blocks.stream().map(Region::decoded).toList();
    }

    static List<Decoded> decoded(Block b) {
        Decoded[] d = new Decoded[b.length()];
        for (int i = 0; i < d.length; i++) {
            d[i] = b.insn(i).decoded;
        }
        return List.of(d);
    }

    /** Where control may go after {@code b} when its last instruction runs inline; empty when it leaves anyway. */
    static long[] candidates(Block b, boolean inline) {
        Insn last = b.insn(b.length() - 1);
        if (!inline || !InlineForms.supports(last)) {
            return new long[0];
        }
        Decoded d = last.decoded;
        return switch (d.mnemonic()) {
            case JCC -> new long[] {((Operand.Rel) d.op(0)).target(), last.next};
            case JMP, CALL -> new long[] {((Operand.Rel) d.op(0)).target()};
            case RET -> b.linkTargets();
            default -> last.endsBlock() ? new long[0] : new long[] {b.end};
        };
    }

    /** Whether {@code b} ends in a transfer whose target is only known at run time (compared with the region's). */
    static boolean dynamicEnd(Block b) {
        return b.insn(b.length() - 1).decoded.mnemonic() == Mnemonic.RET;
    }
}
