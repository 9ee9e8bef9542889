package org.paravane.asyncpf.wait;

import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.paravane.api.asyncpf.Sleeper;

/**
 * A host thread as a {@link Sleeper}: the vCPU thread waiting for the host itself (case #1), and the sleeper of tests
 * and benchmarks. {@code sleep()} and {@code safeHalt()} park the thread; {@code wakeUp()} and {@code kick()} unpark
 * it. {@link LockSupport}'s permit keeps a wake that arrives before the park, so none is lost; a stale one makes one
 * park return early, after which the waiter re-checks its entry.
 *
 * <p>Uninterruptible like {@code TASK_UNINTERRUPTIBLE}: a pending interrupt would make every park return at once and
 * turn the wait into a spin, so the sleeper clears the flag and remembers it. It cannot put it back between two parks
 * ({@link Thread#interrupt()} also leaves an unpark permit, which would make the next park return at once again), so
 * the owner calls {@link #restoreInterrupt()} when its wait is over. An interrupt therefore costs one spurious return,
 * never a busy loop, and the caller still sees it afterwards.
 */
public final class ThreadSleeper implements Sleeper {

    private final int vcpu;
    private final Thread thread;
    /** An interrupt taken while waiting; only the owner thread touches it. */
    private boolean interrupted;

    /** The calling thread, recorded on {@code vcpu}. */
    public ThreadSleeper(int vcpu) {
        this(vcpu, Thread.currentThread());
    }

    public ThreadSleeper(int vcpu, Thread thread) {
        this.vcpu = vcpu;
        this.thread = Objects.requireNonNull(thread, "thread");
    }

    public Thread thread() {
        return thread;
    }

    @Override
    public int vcpu() {
        return vcpu;
    }

    @Override
    public boolean sleep() {
        park();
        return true;
    }

    @Override
    public void safeHalt() {
        park();
    }

    @Override
    public void wakeUp() {
        LockSupport.unpark(thread);
    }

    @Override
    public void kick() {
        LockSupport.unpark(thread);
    }

    /** Sets the interrupt flag again if an interrupt came during the wait. Owner thread, after the wait. */
    public void restoreInterrupt() {
        checkOwner();
        if (interrupted) {
            interrupted = false;
            thread.interrupt();
        }
    }

    private void park() {
        checkOwner();
        if (Thread.interrupted()) {
            interrupted = true;
        }
        LockSupport.park(this);
        if (Thread.interrupted()) {
            interrupted = true;
        }
    }

    private void checkOwner() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("the sleeper of " + thread + " cannot sleep on " + Thread.currentThread());
        }
    }

    @Override
    public String toString() {
        return "thread " + thread.getName() + " on vCPU " + vcpu;
    }
}
