package org.paravane.vmm.kernel;

import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * Where the vCPU schedulers park between two runs while the VM underneath is read, snapshot or replaced. A pause is
 * one request flag; the schedulers count themselves in as they park, and the pausing thread waits for all live ones.
 */
final class PauseGate {
    private final Object lock = new Object();
    private final Runnable kickAll;
    private final IntSupplier liveSchedulers;
    private final BooleanSupplier stopping;
    private volatile boolean requested;   // written under lock, read without it on every scheduler iteration
    private int parked;                   // guarded by lock

    PauseGate(Runnable kickAll, IntSupplier liveSchedulers, BooleanSupplier stopping) {
        this.kickAll = kickAll;
        this.liveSchedulers = liveSchedulers;
        this.stopping = stopping;
    }

    /** Asks every scheduler to park and returns once all live ones have (or the kernel stops). */
    void pause() throws InterruptedException {
        synchronized (lock) {
            requested = true;
        }
        kickAll.run();
        synchronized (lock) {
            while (parked < liveSchedulers.getAsInt() && !stopping.getAsBoolean()) {
                lock.wait(100);
                kickAll.run();   // a kick that failed (a vCPU being replaced or closed) is not lost for good
            }
        }
    }

    void resume() {
        synchronized (lock) {
            requested = false;
            lock.notifyAll();
        }
    }

    boolean requested() {
        return requested;
    }

    /** Parks the calling scheduler while a pause is requested; true when it parked (its vCPU may have been replaced). */
    boolean parkIfRequested() {
        if (!requested) {
            return false;
        }
        synchronized (lock) {
            if (!requested) {
                return false;
            }
            parked++;
            lock.notifyAll();
            try {
                while (requested && !stopping.getAsBoolean()) {
                    lock.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                parked--;
            }
            return true;
        }
    }

    /** Wakes parked schedulers and the pausing thread so they see that the kernel stops. */
    void stopping() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }
}
