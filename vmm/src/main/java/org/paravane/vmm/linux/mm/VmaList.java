package org.paravane.vmm.linux.mm;

import com.google.common.collect.Range;
import com.google.common.collect.RangeMap;
import com.google.common.collect.TreeRangeMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The VMAs of one address space, indexed by range: splitting at boundaries, merging neighbours Linux would merge,
 * and the free-space search (top-down, keeping the guard gap below grows-down areas free). Each stored value's
 * bounds equal its range key.
 */
final class VmaList {
    private final RangeMap<Long, Vma> vmas = TreeRangeMap.create();
    private final long guardGap, minAddress;

    VmaList(long guardGap, long minAddress) {
        this.guardGap = guardGap;
        this.minAddress = minAddress;
    }

    List<Vma> all() {
        return List.copyOf(vmas.asMapOfRanges().values());
    }

    int size() {
        return vmas.asMapOfRanges().size();
    }

    Vma get(long address) {
        return vmas.get(address);
    }

    /** The parts of areas inside {@code [start, end)}, cut to it, in order. */
    List<Vma> within(long start, long end) {
        List<Vma> out = new ArrayList<>();
        for (Map.Entry<Range<Long>, Vma> e : vmas.subRangeMap(Range.closedOpen(start, end)).asMapOfRanges().entrySet()) {
            out.add(e.getValue().slice(e.getKey().lowerEndpoint(), e.getKey().upperEndpoint()));
        }
        return out;
    }

    void remove(Vma v) {
        vmas.remove(Range.closedOpen(v.start(), v.end()));
    }

    /** The highest free, guard-respecting range of {@code len} bytes ending at or below {@code high}, or -1. */
    long topDown(long len, long high) {
        Vma above = firstAtOrAbove(high);
        long ceiling = above == null ? high : Math.min(high, gapStart(above));
        for (Vma v : vmas.subRangeMap(Range.closedOpen(0L, high)).asDescendingMapOfRanges().values()) {
            long floor = Math.max(v.end(), minAddress);
            if (ceiling >= floor && ceiling - floor >= len) {
                return ceiling - len;
            }
            ceiling = Math.min(ceiling, gapStart(v));
        }
        return ceiling - minAddress >= len ? ceiling - len : -1;
    }

    /** Where the free space above an area ends: its start, less the guard gap below a grows-down area. */
    long gapStart(Vma v) {
        return v.growsDown() ? Math.max(0, v.start() - guardGap) : v.start();
    }

    boolean isFree(long start, long len) {
        long end = start + len;
        if (overlaps(start, end)) {
            return false;
        }
        Map.Entry<Range<Long>, Vma> above = vmas.getEntry(end);
        Vma next = above != null ? above.getValue() : firstAtOrAbove(end);
        return next == null || end <= gapStart(next);
    }

    Vma firstAtOrAbove(long address) {
        var rest = vmas.subRangeMap(Range.atLeast(address)).asMapOfRanges().values();
        return rest.isEmpty() ? null : rest.iterator().next();
    }

    boolean overlaps(long start, long end) {
        return !vmas.subRangeMap(Range.closedOpen(start, end)).asMapOfRanges().isEmpty();
    }

    /** Splits the areas straddling {@code start} and {@code end}; returns the whole areas now inside. */
    List<Vma> carve(long start, long end) {
        for (long at : new long[] {start, end}) {
            Vma v = vmas.get(at);
            if (v != null && v.start() < at) {
                vmas.put(Range.closedOpen(v.start(), at), v.slice(v.start(), at));
                vmas.put(Range.closedOpen(at, v.end()), v.slice(at, v.end()));
            }
        }
        return new ArrayList<>(vmas.subRangeMap(Range.closedOpen(start, end)).asMapOfRanges().values());
    }

    void replace(Vma old, Vma updated) {
        vmas.remove(Range.closedOpen(old.start(), old.end()));
        insert(updated);
    }

    /** Puts {@code v} into free space, merging it with neighbours Linux would merge it with. */
    /** Forgets every area (a copy starts from nothing). */
    void clear() {
        vmas.clear();
    }

    void insert(Vma v) {
        Vma merged = v;
        Vma before = merged.start() > 0 ? vmas.get(merged.start() - 1) : null;
        if (before != null && before.mergesWith(merged)) {
            vmas.remove(Range.closedOpen(before.start(), before.end()));
            merged = new Vma(before.start(), merged.end(), merged.prot(), merged.shared(), merged.growsDown(),
                    merged.backing(), before.fileOffset(), merged.name());
        }
        Vma after = vmas.get(merged.end());
        if (after != null && merged.mergesWith(after)) {
            vmas.remove(Range.closedOpen(after.start(), after.end()));
            merged = new Vma(merged.start(), after.end(), merged.prot(), merged.shared(), merged.growsDown(),
                    merged.backing(), merged.fileOffset(), merged.name());
        }
        vmas.put(Range.closedOpen(merged.start(), merged.end()), merged);
    }}
