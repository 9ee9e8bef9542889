package org.paravane.vmm.kernel;

import static org.paravane.api.asyncpf.AsyncPfAbi.TOKEN_VCPU_BITS;
import static org.paravane.api.asyncpf.AsyncPfAbi.WAKE_ALL_TOKEN;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSourceException;

/**
 * The "host" half of a page fault the guest kernel takes itself, in kernel context: a copy for a system call (a read of
 * a lazily served file) needs an absent page. There is no guest instruction for a backend's engine to stop, so the
 * kernel issues the token and starts the fetch off the vCPU thread; when the page is in (or the source failed) it
 * wakes the token in the guest's sleeper table, which is what the "page ready" of an engine's fetch does. Waiting is
 * not done here: the fault goes to the guest-side handler and its decision table ({@link GuestAsyncPf#kernelFault}).
 *
 * <p>Tokens are {@code (id << 12) | 0xFFF}: vCPU bits no vCPU has (a VM has fewer than 4095), so they never collide
 * with an engine's {@code (id << 12) | vcpu}. Two faults on one page share its fetch.
 */
final class KernelPageFetches implements AutoCloseable {
    /** The vCPU bits of the kernel's own tokens. */
    static final int KERNEL_TOKEN_VCPU = (1 << TOKEN_VCPU_BITS) - 1;

    private final GuestMemory memory;
    private final ExecutorService fetchers;
    private final Map<Long, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    private final Map<Long, String> failures = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);

    KernelPageFetches(GuestMemory memory, String vmName) {
        this.memory = memory;
        // Virtual threads: a fetch mostly waits for its source's latency; the source bounds its own concurrency.
        this.fetchers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("paravane-" + vmName + "-kfetch-", 0)
                .factory());
    }

    /** A fresh token, never 0 nor the wake-all token. */
    int token() {
        while (true) {
            int id = nextId.getAndIncrement() & ((1 << (32 - TOKEN_VCPU_BITS)) - 1);
            int token = (id << TOKEN_VCPU_BITS) | KERNEL_TOKEN_VCPU;
            if (id != 0 && token != WAKE_ALL_TOKEN) {
                return token;
            }
        }
    }

    /**
     * Fetches the page of {@code gpa} in the background (or joins the fetch already under way) and then wakes
     * {@code token} in {@code table} as a "page ready" handled on {@code vcpu}: also when the fetch failed, whose
     * cause {@link #takeFailure} then gives.
     */
    void fetch(long gpa, int token, int vcpu, SleeperTable table) {
        long page = gpa & -GuestMemory.PAGE_SIZE;
        CompletableFuture<Void> f = inFlight.computeIfAbsent(page, p -> {
            CompletableFuture<Void> started = new CompletableFuture<>();
            try {
                fetchers.execute(() -> {
                    try {
                        memory.ensurePresent(p, GuestMemory.PAGE_SIZE);
                    } catch (PageSourceException | RuntimeException e) {
                        failures.put(p, String.valueOf(e.getMessage()));
                    } finally {
                        inFlight.remove(p);
                        started.complete(null);
                    }
                });
            } catch (RejectedExecutionException e) {
                failures.put(p, "the VM is stopping");
                started.complete(null);
            }
            return started;
        });
        f.thenRun(() -> table.wake(token, vcpu));
    }

    /** Why the last fetch of {@code gpa}'s page failed, forgetting it (a later fault tries again); null if it did not. */
    String takeFailure(long gpa) {
        return failures.remove(gpa & -GuestMemory.PAGE_SIZE);
    }

    /** The kernel stops: fetches under way are interrupted; their waiters are released with the sleeper table. */
    @Override
    public void close() {
        fetchers.shutdownNow();
    }
}
