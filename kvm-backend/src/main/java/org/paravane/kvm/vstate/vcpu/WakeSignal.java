package org.paravane.kvm.vstate.vcpu;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * What a vCPU's run thread waits on outside the guest (an emulated halt, a fault's page still on its way): whoever
 * changes what it waits for calls {@link #wake} afterwards, and the waiter checks its condition under the same lock,
 * so no wake is lost and nothing polls.
 */
final class WakeSignal {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();

    /** Wakes every waiter: call after the change they wait for. */
    void wake() {
        lock.lock();
        try {
            woken.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits while {@code condition} holds, until {@code deadline} ({@link System#nanoTime()}; 0: none). A thread
     * interrupt does not end the wait (only the vCPU's own events do); it stays set.
     */
    void awaitWhile(BooleanSupplier condition, long deadline) {
        boolean interrupted = false;
        lock.lock();
        try {
            while (condition.getAsBoolean()) {
                try {
                    if (deadline == 0) {
                        woken.await();
                    } else {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            return;
                        }
                        woken.awaitNanos(left);
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
