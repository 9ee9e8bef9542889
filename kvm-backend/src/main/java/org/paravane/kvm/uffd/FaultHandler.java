package org.paravane.kvm.uffd;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSourceException;
import org.paravane.support.linux.EventFd;
import org.paravane.support.linux.Poll;
import org.paravane.support.memory.PagedGuestMemory;

/**
 * Serves the userfaultfd of one VM. A handler thread waits in poll() for fault messages, and hands each new absent page
 * to a bounded pool of fetch threads, which read the page source and resolve a whole chunk with one UFFDIO_COPY
 * (claim-then-fill through {@link PagedGuestMemory#fetch}, so every page is filled exactly once and its presence bit
 * set). Runs the page source reports as zero are resolved with UFFDIO_ZEROPAGE.
 *
 * <p>Failures never complete an access with wrong data: the page stays absent. A vCPU thread blocked on it (the
 * faulting thread id is the vCPU's) is told through {@link FaultedVcpu#memoryError}, which kicks it out of KVM_RUN so
 * its run() returns MemoryError. Any other waiter is a kernel worker of KVM's async page faults (in-kernel irqchip, guest
 * IF=1): no vCPU is blocked, the guest task sleeps on its token, so the fetch is retried with exponential backoff
 * until it succeeds or the VM closes.
 */
public final class FaultHandler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FaultHandler.class.getName());
    private static final int BATCH = 64;
    private static final long PAGE = GuestMemory.PAGE_SIZE;

    /** Tuning of one VM's fault service. */
    public record Settings(long chunkBytes, int fetchThreads, long retryMinNanos, long retryMaxNanos) {
        public Settings {
            if (chunkBytes < PAGE || Long.bitCount(chunkBytes) != 1) {
                throw new IllegalArgumentException("userfaultfd chunk must be a power of two of at least 4096 bytes: " + chunkBytes);
            }
            if (fetchThreads < 1) {
                throw new IllegalArgumentException("at least one fetch thread is needed: " + fetchThreads);
            }
        }
    }

    /** Counters since start. */
    public record Stats(long messages, long fetches, long pagesResolved, long failures, long retries, int pending) {
    }

    private final String vmName;
    private final Userfaultfd uffd;
    private final PagedGuestMemory memory;
    private final Settings settings;
    private final IntFunction<FaultedVcpu> vcpuByThread;
    private final WorkingSet recorder;
    private final ConcurrentHashMap<Long, PendingPage> pending = new ConcurrentHashMap<>();
    private final FetchFailures failures;
    private final ThreadPoolExecutor fetchers;
    private final EventFd stop = new EventFd();
    private final Thread handler;
    private final HostToGuest addresses;
    private final LongAdder messages = new LongAdder(), fetches = new LongAdder(), resolved = new LongAdder(),
            failed = new LongAdder(), retries = new LongAdder();
    private volatile boolean stopping;

    public FaultHandler(String vmName, Userfaultfd uffd, PagedGuestMemory memory, Settings settings,
                        IntFunction<FaultedVcpu> vcpuByThread, WorkingSet recorder) {
        this.vmName = vmName;
        this.uffd = uffd;
        this.memory = memory;
        this.settings = settings;
        this.vcpuByThread = vcpuByThread;
        this.recorder = recorder;
        this.addresses = new HostToGuest(memory.hostRegions());
        this.failures = new FetchFailures(settings.retryMinNanos(), settings.retryMaxNanos());
        AtomicInteger n = new AtomicInteger();
        fetchers = new ThreadPoolExecutor(settings.fetchThreads(), settings.fetchThreads(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> Thread.ofPlatform().daemon().name("kvm-" + vmName + "-fetch-" + n.getAndIncrement())
                .unstarted(r));
        fetchers.allowCoreThreadTimeOut(true);
        handler = Thread.ofPlatform().daemon().name("kvm-" + vmName + "-uffd").unstarted(this::loop);
    }

    public void start() {
        handler.start();
    }

    public Settings settings() {
        return settings;
    }

    public Stats stats() {
        return new Stats(messages.sum(), fetches.sum(), resolved.sum(), failed.sum(), retries.sum(), pending.size());
    }

    private void loop() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(Poll.POLLFD, 2);
            Poll.set(fds, 0, uffd.fd(), Poll.POLLIN);
            Poll.set(fds, 1, stop.fd(), Poll.POLLIN);
            MemorySegment msgs = arena.allocate(UffdLayouts.UFFD_MSG.byteSize() * BATCH, 8);
            while (!stopping) {
                Poll.poll(fds, 2, pollTimeoutMillis());
                if (stopping) {
                    break;
                }
                int count = uffd.read(msgs);
                for (int i = 0; i < count; i++) {
                    long base = i * UffdLayouts.UFFD_MSG.byteSize();
                    if (msgs.get(JAVA_BYTE, base) == UffdLayouts.EVENT_PAGEFAULT) {
                        onFault(msgs.get(JAVA_LONG, base + 16), msgs.get(JAVA_INT, base + 24));
                    }
                }
                sweep();
            }
        } catch (RuntimeException | Error e) {
            if (!stopping) {
                LOG.log(System.Logger.Level.ERROR, "VM " + vmName + ": userfaultfd handler stopped; faulting vCPUs will hang until "
                        + "the VM is closed", e);
            }
        }
    }

    private int pollTimeoutMillis() {
        if (pending.isEmpty()) {
            return -1;
        }
        long now = System.nanoTime();
        long wait = 50_000_000;   // waits on another filler are re-checked every 50 ms in case that fill fails
        for (PendingPage p : pending.values()) {
            if (!p.scheduled) {   // racy read: at worst one extra wake-up
                wait = Math.min(wait, p.retryAt == 0 ? 0 : Math.max(0, p.retryAt - now));
            }
        }
        return (int) ((wait + 999_999) / 1_000_000);
    }

    private void onFault(long hostAddress, int tid) {
        messages.increment();
        long gpa = addresses.guestAddress(hostAddress);
        if (gpa < 0) {
            LOG.log(System.Logger.Level.WARNING, "VM {0}: fault at host address 0x{1} outside guest memory (thread {2})",
                    vmName, Long.toHexString(hostAddress), tid);
            return;
        }
        long page = gpa & -PAGE;
        memory.countFault();
        if (recorder != null) {
            recorder.record(page);
        }
        if (memory.isPresent(page)) {
            return;   // resolved meanwhile: the fill woke the waiter
        }
        FaultedVcpu vcpu = vcpuByThread.apply(tid);
        FetchFailures.Failure failure = failures.last(page);
        boolean[] start = new boolean[1];
        pending.compute(page, (k, p) -> {
            if (p == null) {
                p = new PendingPage();
                if (failure != null) {
                    p.retryAt = failures.retryAt(failure);   // a retry storm waits out the backoff
                }
            }
            if (vcpu == null) {
                p.kernelWaiters.add(tid);
            } else {
                p.vcpus.add(vcpu);
            }
            if (!p.scheduled && p.due(System.nanoTime())) {
                p.scheduled = true;
                start[0] = true;
            }
            return p;
        });
        if (memory.isPresent(page)) {
            released(pending.remove(page));   // filled between the check and the entry: the fill woke everyone
            return;
        }
        if (start[0]) {
            submit(page);
        }
    }

    /**
     * Runs a fetch of {@code page}, whose entry is marked scheduled: on the handler thread itself while the source has
     * been answering fast (a hand-off to another thread costs a wake-up, tens to hundreds of µs on a busy or nested
     * host, more than serving the fault), on the fetch pool otherwise, so slow reads overlap and never hold up the handler.
     */
    private void submit(long page) {
        if (Thread.currentThread() == handler && recentFetchNanos < INLINE_FETCH_NANOS) {
            fetch(page);
            return;
        }
        try {
            fetchers.execute(() -> fetch(page));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            unschedule(page);   // closing
        }
    }

    /** Fetches faster than this (moving average) are served on the handler thread. */
    private static final long INLINE_FETCH_NANOS = 200_000;
    /** Moving average of fetch durations; starts "slow" so a new VM first learns its source on the pool. */
    private volatile long recentFetchNanos = INLINE_FETCH_NANOS;

    private void unschedule(long page) {
        pending.computeIfPresent(page, (k, p) -> {
            p.scheduled = false;
            return p;
        });
    }

    /** Whether {@code vcpu}'s thread waits in a fault for a page not served yet. */
    public boolean awaits(FaultedVcpu vcpu) {
        for (PendingPage p : pending.values()) {
            if (p.vcpus.contains(vcpu)) {
                return true;
            }
        }
        return false;
    }

    /** Re-schedules waits whose retry is due, drops resolved ones. */
    private void sweep() {
        if (pending.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (long page : List.copyOf(pending.keySet())) {
            boolean[] start = new boolean[1];
            PendingPage[] dropped = new PendingPage[1];
            pending.computeIfPresent(page, (k, p) -> {
                if (memory.isPresent(page)) {
                    dropped[0] = p;
                    return null;
                }
                if (!p.scheduled && p.due(now) && !memory.hostRegion(page).isClaimed(page)) {
                    p.scheduled = true;
                    start[0] = true;
                }
                return p;
            });
            released(dropped[0]);
            if (start[0]) {
                retries.increment();
                submit(page);
            }
        }
    }

    private void fetch(long page) {
        if (stopping) {
            return;
        }
        fetches.increment();
        long started = System.nanoTime();
        try {
            fetchAndResolve(page);
        } finally {
            long took = System.nanoTime() - started;
            recentFetchNanos = (recentFetchNanos * 7 + took) / 8;
        }
    }

    /** Entries that left the table: their vCPUs no longer wait (see {@link FaultedVcpu#pageWaitEnded}). */
    private static void released(PendingPage p) {
        if (p != null) {
            p.released();
        }
    }

    private static void resolvedWaiters(PendingPage p) {
        if (p != null) {
            p.resolved();
        }
    }

    private void fetchAndResolve(long page) {
        PagedGuestMemory.Range r;
        try {
            r = memory.fetch(page, settings.chunkBytes());
        } catch (PageSourceException | RuntimeException chunkFailure) {
            if (stopping) {
                return;
            }
            if (settings.chunkBytes() == PAGE) {
                onFailure(page, chunkFailure);
                return;
            }
            // One bad page must not fail its neighbours: fetch just the page that was asked for.
            try {
                r = memory.fetch(page, PAGE);
            } catch (PageSourceException | RuntimeException pageFailure) {
                if (!stopping) {
                    onFailure(page, pageFailure);
                }
                return;
            } finally {
                rescheduleChunk(page);
            }
        }
        if (r != null) {
            resolved.add(r.size() / PAGE);
            for (long gpa = r.guestAddress(); gpa < r.end(); gpa += PAGE) {
                resolvedWaiters(pending.remove(gpa));
                failures.clear(gpa);
            }
        } else if (memory.isPresent(page)) {
            resolvedWaiters(pending.remove(page));
            failures.clear(page);
        } else {
            unschedule(page);   // another thread is filling it; the sweep retries if that fill fails
        }
    }

    /** After a failed chunk: the other waits in it fetch on their own (a page at a time if need be). */
    private void rescheduleChunk(long page) {
        long chunk = page & -settings.chunkBytes();
        long now = System.nanoTime();
        for (long gpa = chunk; gpa < chunk + settings.chunkBytes(); gpa += PAGE) {
            if (gpa == page || !memory.contains(gpa)) {
                continue;
            }
            long g = gpa;
            boolean[] start = new boolean[1];
            pending.computeIfPresent(gpa, (k, w) -> {
                if (!w.scheduled && w.due(now) && !memory.isPresent(g) && !memory.hostRegion(g).isClaimed(g)) {
                    w.scheduled = true;
                    start[0] = true;
                }
                return w;
            });
            if (start[0]) {
                submit(gpa);
            }
        }
    }

    /**
     * The page cannot be had: the vCPUs waiting for it get MemoryError (their access does not complete); kernel workers
     * (KVM's async page faults) keep waiting and the fetch is retried after a backoff. Atomic with new waiters arriving.
     */
    private void onFailure(long page, Exception e) {
        failed.increment();
        String cause = e.getMessage() == null ? e.toString() : e.getMessage();
        FetchFailures.Failure now = failures.record(page, cause);
        if (now.attempts() == 1) {
            LOG.log(System.Logger.Level.WARNING, "VM {0}: page 0x{1} could not be fetched: {2}", vmName, Long.toHexString(page), cause);
        }
        List<FaultedVcpu> report = new java.util.ArrayList<>();
        boolean[] lose = new boolean[1];
        pending.computeIfPresent(page, (k, p) -> {
            report.addAll(p.vcpus);
            p.vcpus.clear();
            if (p.kernelWaiters.isEmpty()) {
                return null;   // nobody else waits: a later access faults anew and retries
            }
            if (now.attempts() >= FetchFailures.LOSE_AFTER_ATTEMPTS) {
                lose[0] = true;
                return null;
            }
            p.retryAt = failures.retryAt(now);
            p.scheduled = false;
            return p;
        });
        if (lose[0]) {
            lose(page, cause, now.attempts());
        }
        for (FaultedVcpu v : report) {
            v.memoryError(page, cause);
            v.pageWaitEnded();   // even when a report was pending already: its wait is over
        }
    }

    /**
     * Gives up on a page whose source keeps failing while only KVM's async-PF workers wait for it (a guest task sleeps on
     * its token): the page is marked lost, filled with zeros without waking anyone, made inaccessible, and then the
     * workers are woken. Their retry fails, KVM delivers "page ready" anyway, and the guest's retried access makes
     * KVM_RUN fail with EFAULT, which the vCPU reports as a memory error for this page. The task gets a clear fault.
     */
    private void lose(long page, String cause, int attempts) {
        if (!memory.markLost(page, cause)) {
            return;   // filled meanwhile
        }
        failures.clear(page);
        var region = memory.hostRegion(page);
        java.lang.foreign.MemorySegment host = region.host().asSlice(page - region.region().guestAddress(), PAGE);
        uffd.zeroPage(host.address(), PAGE, Userfaultfd.MODE_DONTWAKE);
        org.paravane.support.linux.Memory.mprotect(host, org.paravane.support.linux.Memory.PROT_NONE);
        uffd.wake(host.address(), PAGE);
        LOG.log(System.Logger.Level.WARNING, "VM {0}: page 0x{1} is lost after {2} failed fetches ({3}); guest accesses to it fail",
                vmName, Long.toHexString(page), attempts, cause);
    }

    /** Stops the handler and the fetch threads, then closes the userfaultfd: every faulting thread is released. */
    @Override
    public void close() {
        stopping = true;
        stop.signal();
        fetchers.shutdownNow();
        try {
            handler.join(5_000);
            if (!fetchers.awaitTermination(2, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "VM {0}: a page source read did not stop within 2 s of closing", vmName);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        uffd.close();
        stop.close();
    }
}
