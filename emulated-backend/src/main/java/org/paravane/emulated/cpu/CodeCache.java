package org.paravane.emulated.cpu;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Decoder;
import org.paravane.emulated.cpu.exec.Binder;
import org.paravane.emulated.cpu.exec.Insn;
import org.paravane.emulated.mmu.PhysicalMemory;

/**
 * Decoded blocks of one vCPU, per guest-physical page, found by RIP through a direct-mapped jump cache.
 *
 * <p>A block stays valid while its page's code generation holds (guest stores to decoded bytes move it on, see
 * {@link PhysicalMemory}). Stores the host makes between two runs (a loader writing through {@code GuestMemory})
 * bypass the CPU, so each run checks a page's decoded bytes against the copy taken at decode time the first time
 * it executes from that page. Jump-cache entries also carry the {@link Cpu#codeEpoch}, so TLB flushes and privilege
 * changes force a new fetch translation (with its permission checks).
 */
public final class CodeCache {
    private static final int JUMP_CACHE = 4096;
    private static final int MAX_BLOCKS = 1 << 16;

    private final Cpu cpu;
    private final PhysicalMemory memory;
    private final Decoder decoder = new Decoder();
    private final Block[] jump = new Block[JUMP_CACHE];
    private final Map<Long, CodePage> pages = new HashMap<>();
    private int blocks;
    private int run;
    private long decodedBlocks;
    /** Turns hot blocks into bytecode; null: every block stays interpreted. */
    private Translation translation;

    /** The decoded blocks of one guest-physical page and the bytes they were decoded from. */
    private static final class CodePage {
        final PhysicalMemory.Region region;
        final int page;
        final long gpa;
        final int gen;
        final byte[] snapshot;
        final Map<Long, Block> blocks = new HashMap<>();
        /**
         * Byte ranges [from, to) of this page the blocks were decoded from: sorted, disjoint and not touching, so the
         * per-run check compares each decoded byte once with few calls however many blocks the page holds.
         */
        final List<int[]> ranges = new ArrayList<>();
        int checkedRun;

        CodePage(PhysicalMemory.Region region, long gpa, int run) {
            this.region = region;
            this.page = region.pageIndex(gpa);
            this.gpa = gpa;
            this.gen = region.codeGen[page];
            this.snapshot = PhysicalMemory.HOST.asSlice(region.hostAddress(gpa), PhysicalMemory.PAGE_SIZE).toArray(
                    java.lang.foreign.ValueLayout.JAVA_BYTE);
            this.checkedRun = run;
        }

        void addRange(int from, int to) {
            int i = 0;
            while (i < ranges.size() && ranges.get(i)[1] < from) {
                i++;
            }
            while (i < ranges.size() && ranges.get(i)[0] <= to) {
                int[] r = ranges.remove(i);
                from = Math.min(from, r[0]);
                to = Math.max(to, r[1]);
            }
            ranges.add(i, new int[] {from, to});
        }

        boolean unchanged() {
            MemorySegment live = PhysicalMemory.HOST.asSlice(region.hostAddress(gpa), PhysicalMemory.PAGE_SIZE);
            MemorySegment copy = MemorySegment.ofArray(snapshot);
            for (int[] r : ranges) {
                if (MemorySegment.mismatch(live, r[0], r[1], copy, r[0], r[1]) >= 0) {
                    return false;
                }
            }
            return true;
        }
    }

    public CodeCache(Cpu cpu, PhysicalMemory memory) {
        this.cpu = cpu;
        this.memory = memory;
    }

    /** A new run starts: the host may have written guest memory since the last one. */
    public void newRun() {
        run++;
        cpu.codeEpoch++;
    }

    /** Forgets everything (state replaced). */
    public void clear() {
        pages.clear();
        java.util.Arrays.fill(jump, null);
        blocks = 0;
        cpu.codeEpoch++;
    }

    /** Translates hot blocks from now on (null: none); blocks decoded before keep their setting. */
    public void setTranslation(Translation translation) {
        this.translation = translation;
    }

    public long decodedBlocks() {
        return decodedBlocks;
    }

    /**
     * The block at {@code rip}; raises #PF/#GP for the fetch as hardware would. The jump cache needs no validity
     * check: whatever invalidates decoded code also moves {@link Cpu#codeEpoch} on (this vCPU's stores through the
     * block's stop, other vCPUs' through the attention word, the host's through the per-run check).
     */
    public Block lookup(long rip) {
        int h = (int) (rip ^ (rip >>> 13)) & (JUMP_CACHE - 1);
        Block b = jump[h];
        if (b != null && b.rip == rip && b.epoch == cpu.codeEpoch) {
            return b;
        }
        b = lookupSlow(rip);
        b.epoch = cpu.codeEpoch;
        jump[h] = b;
        return b;
    }

    private Block lookupSlow(long rip) {
        long gpa = cpu.mmu.translateFetch(rip);
        PhysicalMemory.Region r = fetchRegion(gpa);
        CodePage cp = codePage(r, gpa & -PhysicalMemory.PAGE_SIZE);
        Block b = cp.blocks.get(rip);
        if (b != null && b.valid()) {
            return b;
        }
        if (blocks >= MAX_BLOCKS) {
            clear();
            cp = codePage(r, gpa & -PhysicalMemory.PAGE_SIZE);
        }
        b = decodeBlock(rip, gpa, r, cp, true);
        cp.blocks.put(rip, b);
        blocks++;
        decodedBlocks++;
        return b;
    }

    /**
     * The block at {@code rip} on {@code from}'s page (same guest-virtual page, so the same guest-physical one), for a
     * region: decoded without a fetch translation, or null when the page changed since {@code from} was decoded, the
     * block would start with an instruction straddling the next page, or the cache is full.
     */
    Block successor(Block from, long rip) {
        CodePage cp = pages.get(from.gpaPage >>> 12);
        if (cp == null || cp.checkedRun != run || cp.region.codeGen[cp.page] != cp.gen) {
            return null;
        }
        Block b = cp.blocks.get(rip);
        if (b != null) {
            return b.valid() ? b : null;
        }
        if (blocks >= MAX_BLOCKS) {
            return null;
        }
        b = decodeBlock(rip, from.gpaPage | (rip & (PhysicalMemory.PAGE_SIZE - 1)), cp.region, cp, false);
        if (b != null) {
            cp.blocks.put(rip, b);
            blocks++;
            decodedBlocks++;
        }
        return b;
    }

    private PhysicalMemory.Region fetchRegion(long gpa) {
        PhysicalMemory.Region r = memory.region(gpa);
        if (r == null) {
            throw cpu.internalError("instruction fetch from guest-physical 0x" + Long.toHexString(gpa)
                    + ", which no memory region backs");
        }
        if (!r.isPresent(gpa)) {
            throw cpu.absent.set(gpa & -PhysicalMemory.PAGE_SIZE, false, true);
        }
        return r;
    }

    private CodePage codePage(PhysicalMemory.Region r, long gpaPage) {
        // Keyed by page number: page addresses (low 12 bits zero) would crowd HashMap's buckets into trees.
        Long key = gpaPage >>> 12;
        CodePage cp = pages.get(key);
        if (cp != null) {
            if (r.codeGen[cp.page] != cp.gen) {
                cp = null;                                   // a guest store invalidated it
            } else if (cp.checkedRun != run) {
                if (cp.unchanged()) {
                    cp.checkedRun = run;
                } else {
                    memory.invalidate(r, cp.page, cpu);      // the host rewrote it: every vCPU must see that
                    cp = null;
                }
            }
        }
        if (cp == null) {
            CodePage old = pages.get(key);
            blocks -= old != null ? old.blocks.size() : 0;
            cp = new CodePage(r, gpaPage, run);
            pages.put(key, cp);
        }
        return cp;
    }

    /** {@code straddle}: a first instruction crossing into the next page is decoded from both; else null then. */
    private Block decodeBlock(long rip, long gpa, PhysicalMemory.Region r, CodePage cp, boolean straddle) {
        long host = r.hostAddress(gpa);
        int offset = (int) (gpa & (PhysicalMemory.PAGE_SIZE - 1));
        int available = (int) PhysicalMemory.PAGE_SIZE - offset;
        List<Insn> list = new ArrayList<>();
        int pos = 0;
        PhysicalMemory.Region region2 = null;
        int page2 = 0;
        int gen2 = 0;
        while (list.size() < Block.MAX_INSTRUCTIONS) {
            final long at = host + pos;
            final int left = available - pos;
            Decoded d = decoder.decode(rip + pos, i -> i < left
                    ? PhysicalMemory.HOST.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at + i) & 0xFF : -1);
            if (d == null) {
                if (!list.isEmpty()) {
                    break;                                   // the next instruction straddles: its own block
                }
                if (!straddle) {
                    return null;
                }
                // This instruction crosses into the next page: decode it from both pages.
                long nextPage = (rip & -PhysicalMemory.PAGE_SIZE) + PhysicalMemory.PAGE_SIZE;
                long gpa2 = cpu.mmu.translateFetch(nextPage);
                region2 = fetchRegion(gpa2);
                page2 = region2.pageIndex(gpa2);
                gen2 = region2.codeGen[page2];
                long host2 = region2.hostAddress(gpa2);
                d = decoder.decode(rip, i -> PhysicalMemory.HOST.get(java.lang.foreign.ValueLayout.JAVA_BYTE,
                        i < left ? at + i : host2 + (i - left)) & 0xFF);
                Insn insn = Binder.bind(d);
                list.add(insn);
                memory.markCode(region2, page2, 0, d.length() - left, cpu);
                pos += d.length();
                break;
            }
            Insn insn = Binder.bind(d);
            list.add(insn);
            pos += d.length();
            if (insn.endsBlock() || pos >= available) {
                break;
            }
        }
        int from = offset, to = Math.min(offset + pos, (int) PhysicalMemory.PAGE_SIZE);
        MemorySegment.copy(PhysicalMemory.HOST, java.lang.foreign.ValueLayout.JAVA_BYTE, host, cp.snapshot, from, to - from);
        boolean newCode = !r.hasCode(cp.page);
        memory.markCode(r, cp.page, from, to, cpu);
        if (newCode || region2 != null) {
            cpu.mmu.flushWrites();                           // our own fast stores must now check the page
        }
        cp.addRange(from, to);
        return new Block(rip, list.toArray(Insn[]::new), r, cp.gpa, cp.page, cp.gen, region2, page2, gen2, translation,
                this);
    }
}
