package org.paravane.asyncpf.host;

import static org.paravane.api.asyncpf.AsyncPfAbi.AREA_FLAGS;
import static org.paravane.api.asyncpf.AsyncPfAbi.AREA_TOKEN;
import static org.paravane.api.asyncpf.AsyncPfAbi.FLAG_PAGE_NOT_PRESENT;
import static org.paravane.api.asyncpf.AsyncPfAbi.MSR_ASYNC_PF_ACK;
import static org.paravane.api.asyncpf.AsyncPfAbi.MSR_ASYNC_PF_EN;
import static org.paravane.api.asyncpf.AsyncPfAbi.MSR_ASYNC_PF_INT;
import static org.paravane.api.asyncpf.AsyncPfAbi.PER_VCPU_LIMIT;
import static org.paravane.api.asyncpf.AsyncPfAbi.WAKE_ALL_TOKEN;
import static org.paravane.api.asyncpf.AsyncPfAbi.tokenString;
import static org.paravane.api.memory.GuestMemory.PAGE_SHIFT;
import static org.paravane.api.memory.GuestMemory.PAGE_SIZE;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.paravane.api.asyncpf.HostAsyncPf;
import org.paravane.api.asyncpf.HostFault;
import org.paravane.api.asyncpf.HostFaultResult;
import org.paravane.api.asyncpf.HostVcpuPort;
import org.paravane.api.asyncpf.WaitMode;
import org.paravane.api.asyncpf.WaitOutcome;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSourceException;
import org.paravane.asyncpf.table.BucketedSleeperTable;
import org.paravane.asyncpf.wait.ScheduleWaiter;
import org.paravane.asyncpf.wait.ThreadSleeper;

/**
 * The host side of async page faults for one vCPU: {@code vcpu->async_pf} and {@code vcpu->arch.apf} with the code of
 * {@code virt/kvm/async_pf.c} and the x86 parts around it.
 *
 * <p>A fault on an absent page ({@link #handle}), in the kernel's order:
 * <ol>
 *   <li>the page is present by now: re-run the access; a fetch of it failed earlier: {@code Failed};</li>
 *   <li>the interrupted context cannot take an async fault (interrupts blocked, an exception pending): the vCPU thread
 *       waits itself (below);</li>
 *   <li>the page is already in flight on this vCPU (C7): no second token, the vCPU halts until that page is ready;</li>
 *   <li>64 faults outstanding (C8): the vCPU thread waits itself;</li>
 *   <li>otherwise a token {@code (id++ << 12) | vcpu} (never 0 nor 0xFFFFFFFF, never one still outstanding), the gfn
 *       recorded, the fetch started on the bounded {@link FetchPool}; if the guest can take it (enabled, CPL 3 or
 *       send-always, paging on) "page not present" is written to its area and #PF(token) injected, else the vCPU
 *       thread waits itself.</li>
 * </ol>
 * "Waits itself" is case #1 of the seed: the schedule wait in a fully preemptible context, with the vCPU thread as a
 * {@link ThreadSleeper} on a table private to this vCPU; the fetch's completion wakes it. A halt (C7) blocks the same
 * way, waiting for the in-flight fetch.
 *
 * <p>Completions go to {@code done} and kick the vCPU on the empty→non-empty edge unless a "page ready" is in flight;
 * {@link #beforeEntry()} delivers them while the guest's token slot is free and the previous one was acknowledged,
 * one at a time (C15), and only for work whose "not present" was injected (C4). A failed fetch is still delivered (the
 * guest retries), and the failure is kept for that gfn so the retried access gets {@code Failed}.
 *
 * <p>Thread safety: one lock guards the state; the backend calls everything but {@link #close()} and {@link #stats()}
 * on the vCPU thread; fetch threads only complete work. Port injections are made after the lock is dropped.
 */
final class VcpuAsyncPf implements HostAsyncPf {

    private static final VarHandle U32 = ValueLayout.JAVA_INT.varHandle();
    private static final HostFaultResult.Present PRESENT = new HostFaultResult.Present();

    private final HostVcpuPort port;
    private final int vcpuId;
    private final GuestMemory memory;
    private final FetchPool pool;
    private final Consumer<VcpuAsyncPf> onClose;
    /** Where the vCPU thread waits for the host itself (case #1); tokens are unique per vCPU, so one per vCPU. */
    private final BucketedSleeperTable hostWaits;
    private final ScheduleWaiter waiter = new ScheduleWaiter();

    private final Object lock = new Object();
    // Guarded by lock.
    private final GuestApfMsrs msrs = new GuestApfMsrs();
    private final Tokens tokens;
    /** {@code async_pf.queue}: async work not yet delivered (wake-alls are only in {@link #done}). */
    private final List<Work> queue = new ArrayList<>();
    private final ArrayDeque<Work> done = new ArrayDeque<>();
    /** {@code async_pf.queued}: queue plus wake-alls (I6). */
    private int queued;
    private final GfnTable gfns = new GfnTable();
    private final Map<Long, String> failures = new HashMap<>();
    private boolean pageReadyPending;
    private boolean closed;
    private long asyncFaults;
    private long syncFaults;
    private long repeatedFaults;
    private long pagesReady;
    private long wakeAlls;
    private long cancelled;
    private long fetchErrors;

    VcpuAsyncPf(HostVcpuPort port, FetchPool pool, Consumer<VcpuAsyncPf> onClose) {
        this.port = port;
        this.vcpuId = port.vcpuId();
        this.tokens = new Tokens(vcpuId);   // refuses an id that does not fit the token's vCPU bits
        this.memory = port.memory();
        this.pool = pool;
        this.onClose = onClose;
        this.hostWaits = new BucketedSleeperTable("host waits of vCPU " + vcpuId);

    }

    int vcpuId() {
        return vcpuId;
    }

    @Override
    public HostFaultResult handle(HostFault f) {
        if (f.vcpu() != vcpuId) {
            throw new IllegalArgumentException("a fault of vCPU " + f.vcpu() + " handed to the async PF state of vCPU " + vcpuId);
        }
        long gpa = f.guestAddress();
        long gfn = gpa >>> PAGE_SHIFT;
        if (!memory.contains(gpa)) {
            throw new IllegalArgumentException("vCPU " + vcpuId + ": guest-physical 0x" + Long.toHexString(gpa)
                    + " is in no memory region; an access there is MMIO, not a page fault");
        }
        int token;
        WaitMode mode;
        boolean inject = false;
        synchronized (lock) {
            if (memory.isPresent(gpa)) {
                failures.remove(gfn);
                return PRESENT;
            }
            String failure = failures.remove(gfn);
            if (failure != null) {
                return new HostFaultResult.Failed(gpa, failure);
            }
            if (closed) {
                token = 0;
                mode = null;
            } else {
                boolean canDo = port.interruptsAllowed() && !port.exceptionPending();
                Work inFlight = canDo && gfns.contains(gfn) ? outstanding(gfn) : null;
                if (inFlight != null && inFlight.completed) {
                    return PRESENT;   // its page arrived after the presence check: re-run the access
                } else if (inFlight != null) {
                    repeatedFaults++;
                    inFlight.hostWaiting = true;
                    token = inFlight.token;
                    mode = WaitMode.HALT;
                } else if (canDo && queued < PER_VCPU_LIMIT) {
                    Work w = Work.async(allocToken(), gpa);
                    queue.add(w);
                    queued++;
                    gfns.add(gfn);
                    token = w.token;
                    mode = WaitMode.SCHEDULE;
                    if (canDeliver()) {
                        putU32(AREA_FLAGS, FLAG_PAGE_NOT_PRESENT);
                        w.notPresentInjected = true;
                        asyncFaults++;
                        inject = true;
                    } else {
                        w.hostWaiting = true;
                        syncFaults++;
                    }
                    submit(w);
                } else {
                    Work w = Work.sync(allocToken(), gpa);
                    w.hostWaiting = true;
                    syncFaults++;
                    token = w.token;
                    mode = WaitMode.SCHEDULE;
                    submit(w);
                }
            }
        }
        if (mode == null) {
            return servedByCaller(gpa);
        }
        if (inject) {
            port.injectPageFault(Integer.toUnsignedLong(token), 0);
            return new HostFaultResult.Injected(token);
        }
        ThreadSleeper self = new ThreadSleeper(vcpuId);
        WaitOutcome outcome = waiter.wait(hostWaits, token, self);
        self.restoreInterrupt();
        return new HostFaultResult.Waited(token, mode, outcome);
    }

    /** After close the engine is gone: the caller's thread reads the page itself, so the VM keeps running. */
    private HostFaultResult servedByCaller(long gpa) {
        try {
            memory.ensurePresent(gpa & -PAGE_SIZE, PAGE_SIZE);
            return PRESENT;
        } catch (PageSourceException e) {
            return new HostFaultResult.Failed(gpa, e.getMessage());
        }
    }

    /** {@code kvm_can_deliver_async_pf}. */
    private boolean canDeliver() {
        return msrs.enabled() && (msrs.sendAlways() || port.cpl() == 3) && port.pagingEnabled();
    }

    /** A fresh token (lock held): see {@link Tokens}. */
    private int allocToken() {
        return tokens.next(this::isOutstanding);
    }

    private boolean isOutstanding(int token) {
        for (Work w : queue) {
            if (w.token == token) {
                return true;
            }
        }
        return false;
    }

    private Work outstanding(long gfn) {
        for (Work w : queue) {
            if (w.gfn == gfn) {
                return w;
            }
        }
        return null;
    }

    /** Starts the fetch (lock held; the caller already set {@code hostWaiting} when the vCPU thread will wait). */
    private void submit(Work w) {
        try {
            w.fetch = pool.submit(() -> fetch(w));
        } catch (RejectedExecutionException e) {
            // The service is stopping: complete at once rather than leave anyone waiting.
            finish(w, "the fetch executor of the async PF engine is stopped");
            if (w.hostWaiting) {
                hostWaits.wake(w.token, vcpuId);   // the waiter finds the dummy and does not sleep
            }
        }
    }

    /** {@code async_pf_execute}: on a fetch thread. */
    private void fetch(Work w) {
        String failure = null;
        try {
            if (!w.cancelled) {
                memory.ensurePresent(w.guestAddress & -PAGE_SIZE, PAGE_SIZE);
            }
        } catch (PageSourceException e) {
            failure = e.getMessage();
        } catch (RuntimeException | Error e) {
            failure = "page source failed: " + e;
        }
        boolean kick;
        boolean wakeHost;
        synchronized (lock) {
            if (w.cancelled) {
                return;
            }
            wakeHost = w.hostWaiting;
            // A vCPU thread waiting in the host calls beforeEntry() right after its wake: no kick needed.
            kick = finish(w, failure) && !wakeHost;
        }
        if (wakeHost) {
            hostWaits.wake(w.token, vcpuId);
        }
        if (kick) {
            port.kick();
        }
    }

    /**
     * Completes {@code w} (lock held): records a failure for its gfn and appends async work to {@code done}.
     *
     * @return whether {@code done} went from empty to non-empty with no "page ready" in flight: the edge on which the
     *         vCPU is kicked (with one in flight, the guest's ACK triggers the rescan instead)
     */
    private boolean finish(Work w, String failure) {
        w.completed = true;
        if (failure != null) {
            fetchErrors++;
            failures.put(w.gfn, failure);
        }
        if (w.kind != Work.Kind.ASYNC) {
            return false;
        }
        boolean edge = done.isEmpty() && !pageReadyPending;
        done.add(w);
        return edge;
    }

    @Override
    public void beforeEntry() {
        int inject;
        synchronized (lock) {
            inject = deliverCompletions();
        }
        if (inject >= 0) {
            port.injectInterrupt(inject);
        }
    }

    /**
     * {@code kvm_check_async_pf_completion} (lock held): pops done work while the guest can take it, retiring its
     * gfn, and writes the first deliverable token to the slot.
     *
     * @return the vector to inject, or -1
     */
    private int deliverCompletions() {
        int inject = -1;
        while (!done.isEmpty() && canDequeue()) {
            Work w = done.poll();
            queued--;
            int token;
            if (w.kind == Work.Kind.WAKE_ALL) {
                token = WAKE_ALL_TOKEN;
            } else {
                queue.remove(w);
                gfns.remove(w.gfn);
                token = w.token;
            }
            if ((w.kind == Work.Kind.WAKE_ALL || w.notPresentInjected) && msrs.enabled()) {
                putU32(AREA_TOKEN, token);
                pageReadyPending = true;
                pagesReady++;
                if (w.kind == Work.Kind.WAKE_ALL) {
                    wakeAlls++;
                }
                inject = msrs.vector();
            }
        }
        return inject;
    }

    /**
     * {@code kvm_arch_can_dequeue_async_page_present}: with async PF off completions just retire (the host-only
     * waits); on, the slot must read 0 and the previous "page ready" must have been acknowledged (I5).
     */
    private boolean canDequeue() {
        return !msrs.enabled() || (!pageReadyPending && getU32(AREA_TOKEN) == 0);
    }

    @Override
    public boolean hasCompletions() {
        synchronized (lock) {
            return !done.isEmpty();
        }
    }

    @Override
    public boolean isEnabled() {
        synchronized (lock) {
            return msrs.enabled();
        }
    }

    @Override
    public void writeMsr(int index, long value) {
        int inject = -1;
        synchronized (lock) {
            switch (index) {
                case MSR_ASYNC_PF_EN -> writeEnable(value);
                case MSR_ASYNC_PF_INT -> msrs.writeVector(value);
                case MSR_ASYNC_PF_ACK -> {
                    if ((value & 1) != 0 && !closed) {
                        pageReadyPending = false;
                        inject = deliverCompletions();
                    }
                }
                default -> throw new IllegalArgumentException("#GP: MSR 0x" + Integer.toHexString(index)
                        + " is not an async page fault MSR");
            }
        }
        if (inject >= 0) {
            port.injectInterrupt(inject);
        }
    }

    /** {@code kvm_pv_enable_async_pf}: an enable queues the wake-all, a disable drops all work (C19). */
    private void writeEnable(long value) {
        switch (msrs.writeEnable(value, closed, memory)) {
            case ENABLED -> wakeupAll();
            case DISABLED -> cancelAll();
            case UNCHANGED -> {
            }
        }
    }

    /** {@code kvm_async_pf_wakeup_all}: skipped while completions are waiting anyway. */
    private void wakeupAll() {
        if (!done.isEmpty()) {
            return;
        }
        done.add(Work.wakeAll());
        queued++;
    }

    /** {@code kvm_clear_async_pf_completion_queue} + {@code kvm_async_pf_hash_reset}: drop everything silently (C19). */
    private void cancelAll() {
        long dropped = 0;
        for (Work w : queue) {
            w.cancelled = true;
            if (w.fetch != null) {
                w.fetch.cancel(false);
            }
            dropped++;
        }
        for (Work w : done) {
            if (w.kind == Work.Kind.WAKE_ALL) {
                w.cancelled = true;
                dropped++;
            }
        }
        queue.clear();
        done.clear();
        queued = 0;
        gfns.reset();
        failures.clear();
        // Its ACK will not come from a guest that turned async PF off; the next enable starts with a free slot.
        pageReadyPending = false;
        cancelled += dropped;
    }

    @Override
    public long readMsr(int index) {
        synchronized (lock) {
            return switch (index) {
                case MSR_ASYNC_PF_EN, MSR_ASYNC_PF_INT, MSR_ASYNC_PF_ACK -> msrs.read(index);
                default -> throw new IllegalArgumentException("#GP: MSR 0x" + Integer.toHexString(index)
                        + " is not an async page fault MSR");
            };
        }
    }

    @Override
    public void reset() {
        synchronized (lock) {
            cancelAll();
            msrs.reset();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            cancelAll();
            msrs.engineGone();
        }
        hostWaits.close();   // a vCPU thread waiting for the host returns RELEASED
        onClose.accept(this);
    }

    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    @Override
    public Stats stats() {
        synchronized (lock) {
            return new Stats(asyncFaults, syncFaults, repeatedFaults, pagesReady, wakeAlls, cancelled, fetchErrors, queued);
        }
    }

    private void putU32(int offset, int value) {
        U32.setVolatile(msrs.area(), (long) offset, value);
    }

    private int getU32(int offset) {
        return (int) U32.getVolatile(msrs.area(), (long) offset);
    }

    // ---- for tests: the invariants (docs/async-page-faults.md §10) and the state behind them ----

    /**
     * Checks I4 (a gfn is recorded iff async work for it is queued and undelivered) and I6 ({@code queued} = queue
     * plus wake-alls), and that only delivered tokens sit in the slot while a "page ready" is pending.
     *
     * @throws IllegalStateException naming the broken invariant
     */
    void checkInvariants() {
        synchronized (lock) {
            long wakeAllsQueued = done.stream().filter(w -> w.kind == Work.Kind.WAKE_ALL).count();
            if (queued != queue.size() + wakeAllsQueued) {
                throw new IllegalStateException("I6: queued " + queued + " != queue " + queue.size() + " + wake-alls " + wakeAllsQueued);
            }
            if (gfns.size() != queue.size()) {
                throw new IllegalStateException("I4: " + gfns.size() + " gfns recorded for " + queue.size() + " queued faults");
            }
            for (Work w : queue) {
                if (w.kind != Work.Kind.ASYNC || !gfns.contains(w.gfn)) {
                    throw new IllegalStateException("I4: queued " + w + " has no recorded gfn");
                }
            }
            if (queued > PER_VCPU_LIMIT + 1) {
                throw new IllegalStateException("C8: " + queued + " outstanding on vCPU " + vcpuId);
            }
            for (Work w : done) {
                if (w.kind != Work.Kind.WAKE_ALL && !queue.contains(w)) {
                    throw new IllegalStateException("done " + w + " is not queued");
                }
            }
        }
    }

    boolean pageReadyPending() {
        synchronized (lock) {
            return pageReadyPending;
        }
    }

    int doneCount() {
        synchronized (lock) {
            return done.size();
        }
    }

    int queuedCount() {
        synchronized (lock) {
            return queued;
        }
    }

    List<Long> recordedGfns() {
        synchronized (lock) {
            List<Long> out = new ArrayList<>();
            gfns.forEach(out::add);
            return out;
        }
    }

    void setNextId(int id) {
        synchronized (lock) {
            tokens.setNextId(id);
        }
    }

    BucketedSleeperTable hostWaits() {
        return hostWaits;
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "async PF of vCPU " + vcpuId + (closed ? " (closed)" : msrs.enabled() ? " (enabled, vector " + msrs.vector() + ")" : " (disabled)")
                    + ": " + queued + " outstanding" + (pageReadyPending ? ", page-ready " + tokenString(msrs.area() == null ? 0 : getU32(AREA_TOKEN)) + " in flight" : "");
        }
    }
}
