package org.paravane.api.asyncpf;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The context that waits for a token, as the kernel's {@code current} task and CPU: a host thread (the vCPU thread
 * waiting for the host itself) or a guest task of a Java guest kernel. The caller implements it; waiters and the
 * {@link SleeperTable} call it.
 *
 * <p>A wake may reach the sleeper at any time after its entry is published, including before {@link #sleep()} is
 * called or after the wait already returned; implementations keep it as a permit (like
 * {@link java.util.concurrent.locks.LockSupport#unpark}) so that no wake is lost and a stale one only causes a
 * spurious return, after which the waiter re-checks its entry.
 */
@ConsumerType
public interface Sleeper {

    /** The vCPU the wait is recorded on; a wake-all on that vCPU releases it. */
    int vcpu();

    /**
     * The schedule wait's {@code schedule()}: give up the CPU until {@link #wakeUp()}.
     *
     * @return true when the calling thread blocked and has been woken (or was spuriously released): the waiter
     *         re-checks its entry; false when the sleeper was suspended without blocking (a guest task taken off its
     *         vCPU by its kernel), in which case the wait returns {@link WaitOutcome#SUSPENDED}
     */
    boolean sleep();

    /** Makes a sleeping schedule waiter runnable again ({@code swake_up_one}). Any thread; after the entry is unhashed. */
    void wakeUp();

    /**
     * The halt wait's {@code sti; hlt}: halt this vCPU until any event arrives (a "page ready" for any token, a
     * {@link #kick()}), handling the events, then return so the waiter re-checks its entry.
     */
    void safeHalt();

    /** The reschedule IPI to this sleeper's vCPU: ends its {@link #safeHalt()}. Any thread. */
    void kick();
}
