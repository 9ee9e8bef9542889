package org.paravane.asyncpf.host;

import java.util.Arrays;
import java.util.function.LongConsumer;
import org.paravane.api.asyncpf.AsyncPfAbi;

/**
 * {@code vcpu->arch.apf.gfns}: the guest frame numbers with async work outstanding on one vCPU, in an open-addressed
 * array of {@link AsyncPfAbi#PER_VCPU_LIMIT} slots. Hash {@code hash_32(gfn, 6)}, linear probing, deletion by backward
 * shift (no tombstones, so a lookup never walks past a hole that used to be a match). Capacity equals the per-vCPU
 * limit, so an insert always finds a slot. Not thread-safe: the owner's lock guards it.
 */
final class GfnTable {

    static final int SLOTS = AsyncPfAbi.PER_VCPU_LIMIT;
    private static final int ORDER = Integer.numberOfTrailingZeros(SLOTS);
    private static final long EMPTY = ~0L;

    private final long[] slots = new long[SLOTS];
    private int size;

    GfnTable() {
        reset();
    }

    /** {@code hash_32(gfn & 0xffffffff, order_base_2(64))}. */
    static int home(long gfn) {
        return ((int) gfn * 0x61C88647) >>> (32 - ORDER);
    }

    private static int next(int slot) {
        return (slot + 1) & (SLOTS - 1);
    }

    /** {@code kvm_async_pf_hash_reset}. */
    void reset() {
        Arrays.fill(slots, EMPTY);
        size = 0;
    }

    /** {@code kvm_add_async_pf_gfn}: the gfn must not be present (the caller checked with {@link #contains}). */
    void add(long gfn) {
        if (gfn == EMPTY) {
            throw new IllegalArgumentException("gfn ~0 is the empty-slot marker");
        }
        if (size == SLOTS) {
            throw new IllegalStateException("gfn table full: more than " + SLOTS + " faults outstanding");
        }
        int slot = home(gfn);
        while (slots[slot] != EMPTY) {
            slot = next(slot);
        }
        slots[slot] = gfn;
        size++;
    }

    /** {@code kvm_async_pf_gfn_slot}: the slot holding {@code gfn}, or the first empty one on its probe path. */
    private int slotOf(long gfn) {
        int slot = home(gfn);
        for (int i = 0; i < SLOTS && slots[slot] != gfn && slots[slot] != EMPTY; i++) {
            slot = next(slot);
        }
        return slot;
    }

    /** {@code kvm_find_async_pf_gfn}. */
    boolean contains(long gfn) {
        return gfn != EMPTY && slots[slotOf(gfn)] == gfn;
    }

    /**
     * {@code kvm_del_async_pf_gfn}: empties the gfn's slot, then moves each later entry of the probe run whose home lies
     * cyclically outside (hole, entry] back into the hole, until an empty slot ends the run.
     *
     * @return false when the gfn was not in the table
     */
    boolean remove(long gfn) {
        int hole = slotOf(gfn);
        if (slots[hole] != gfn || gfn == EMPTY) {
            return false;
        }
        int j = hole;
        while (true) {
            slots[hole] = EMPTY;
            int home;
            do {
                j = next(j);
                if (slots[j] == EMPTY) {
                    size--;
                    return true;
                }
                home = home(slots[j]);
            } while (hole <= j ? hole < home && home <= j : hole < home || home <= j);
            slots[hole] = slots[j];
            hole = j;
        }
    }

    int size() {
        return size;
    }

    void forEach(LongConsumer action) {
        for (long gfn : slots) {
            if (gfn != EMPTY) {
                action.accept(gfn);
            }
        }
    }

    /** For tests: the slot that holds {@code gfn}, or -1. */
    int slotForTest(long gfn) {
        int slot = slotOf(gfn);
        return slots[slot] == gfn ? slot : -1;
    }
}
