package org.paravane.asyncpf.host;

import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded executor every page fetch runs on (the kernel's workqueue): a fixed number of daemon threads shared by
 * all vCPUs, idle threads retire after a while. Never the vCPU thread. Work waits in an unbounded queue, which the
 * per-vCPU limit of outstanding faults bounds in practice. Fetches are never interrupted: a page source may not
 * survive it (an interrupted FileChannel closes), and a cancelled fetch that already started just completes unheard.
 */
final class FetchPool {

    private final ThreadPoolExecutor executor;

    FetchPool(String name, int threads) {
        AtomicInteger ids = new AtomicInteger();
        executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, name + "-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.allowCoreThreadTimeOut(true);
    }

    Future<?> submit(Runnable fetch) {
        return executor.submit(fetch);
    }

    synchronized void resize(int threads) {
        if (threads > executor.getMaximumPoolSize()) {
            executor.setMaximumPoolSize(threads);
            executor.setCorePoolSize(threads);
        } else {
            executor.setCorePoolSize(threads);
            executor.setMaximumPoolSize(threads);
        }
    }

    int threads() {
        return executor.getMaximumPoolSize();
    }

    /** Fetches queued or running now. */
    int pending() {
        return executor.getQueue().size() + executor.getActiveCount();
    }

    /** Stops taking work; fetches already running finish in the background. */
    void shutdown() {
        executor.shutdown();
    }
}
