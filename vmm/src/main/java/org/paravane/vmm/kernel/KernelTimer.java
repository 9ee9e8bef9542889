package org.paravane.vmm.kernel;

import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A VM's kernel timer: one daemon thread, made at the first deadline, that runs actions when their time has come
 * (timed sleeps, blocked calls' deadlines, signal timers). Once closed, an action runs at once: nothing will run the
 * VM's tasks anyway.
 */
final class KernelTimer {
    private final String vmName;
    private ScheduledExecutorService executor;

    KernelTimer(String vmName) {
        this.vmName = vmName;
    }

    /** Runs {@code action} once {@code nanos} have passed; the answer cancels it. */
    Runnable after(long nanos, Runnable action) {
        ScheduledExecutorService timer;
        synchronized (this) {
            if (executor == null) {
                executor = Executors.newSingleThreadScheduledExecutor(
                        Thread.ofPlatform().name("paravane-" + vmName + "-timer").daemon().factory());
            }
            timer = executor;
        }
        try {
            var f = timer.schedule(action, Math.min(Math.max(0, nanos), Long.MAX_VALUE / 4), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (RejectedExecutionException e) {
            action.run();
            return () -> {
            };
        }
    }

    synchronized void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
