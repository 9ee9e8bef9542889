package org.paravane.asyncpf.guest;

import java.util.concurrent.atomic.LongAdder;

/** What the guest-side handler did, for the shell and the demo. */
public final class GuestFaultCounters {

    /**
     * @param ordinaryFaults       #PFs with reason flags 0: ordinary faults for the guest kernel
     * @param scheduleWaits        "not present" waited with the schedule waiter
     * @param haltWaits            "not present" waited with the halt waiter
     * @param scheduleFallbacks    schedule decisions that halted because no schedule waiter was bound
     * @param synchronousFallbacks halt decisions served synchronously because no halt waiter was bound
     * @param pagesReady           "page ready" interrupts for one token
     * @param wakeAlls             "page ready" interrupts carrying the wake-all token
     * @param spurious             "page ready" interrupts that found the token slot empty
     * @param panics               faults the guest cannot survive (IF=0, reserved token, unknown flags)
     */
    public record Snapshot(long ordinaryFaults, long scheduleWaits, long haltWaits, long scheduleFallbacks,
                           long synchronousFallbacks, long pagesReady, long wakeAlls, long spurious, long panics) {
    }

    final LongAdder ordinary = new LongAdder();
    final LongAdder scheduleWaits = new LongAdder();
    final LongAdder haltWaits = new LongAdder();
    final LongAdder scheduleFallbacks = new LongAdder();
    final LongAdder synchronousFallbacks = new LongAdder();
    final LongAdder pagesReady = new LongAdder();
    final LongAdder wakeAlls = new LongAdder();
    final LongAdder spurious = new LongAdder();
    final LongAdder panics = new LongAdder();

    Snapshot snapshot() {
        return new Snapshot(ordinary.sum(), scheduleWaits.sum(), haltWaits.sum(), scheduleFallbacks.sum(),
                synchronousFallbacks.sum(), pagesReady.sum(), wakeAlls.sum(), spurious.sum(), panics.sum());
    }
}
