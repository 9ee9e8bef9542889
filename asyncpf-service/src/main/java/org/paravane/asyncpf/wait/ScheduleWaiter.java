package org.paravane.asyncpf.wait;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.paravane.api.asyncpf.AsyncPfWaiter;
import org.paravane.api.asyncpf.Sleeper;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.asyncpf.WaitMode;
import org.paravane.api.asyncpf.WaitOutcome;
import org.paravane.api.asyncpf.WaitsInProgress;

/**
 * The schedule-based wait ({@code kvm_async_pf_task_wait_schedule}): cases #1 (the host's vCPU thread waiting itself),
 * #2a (a guest user-mode fault) and #2b (preemptible guest kernel code outside RCU). The sleeper gives up its CPU until
 * its wake; other tasks run there meanwhile.
 *
 * <p>Lost wake-ups are impossible by construction: the entry is published with its sleeper in the table before the
 * first check, the waker unlinks before it signals, and the sleeper keeps a wake that comes before {@code sleep()} as a
 * permit ({@link Sleeper}). The wait is uninterruptible: only the wake, {@link SleeperTable#release} or the table's
 * {@link SleeperTable#close()} end it; spurious returns from {@code sleep()} just re-check.
 */
@Component(service = AsyncPfWaiter.class, property = AsyncPfWaiter.MODE + "=schedule")
public final class ScheduleWaiter implements AsyncPfWaiter {

    private final WaitsInProgress waits = new WaitsInProgress();

    @Override
    public WaitMode mode() {
        return WaitMode.SCHEDULE;
    }

    @Override
    public WaitOutcome wait(SleeperTable table, int token, Sleeper sleeper) {
        // sleep() returns false for a guest task taken off its vCPU: its wakeUp() makes it runnable when woken
        return waits.await(table, token, sleeper, WaitMode.SCHEDULE, sleeper::sleep);
    }

    /** Threads now blocked in this waiter. */
    public int waitsInProgress() {
        return waits.size();
    }

    /**
     * The provider is going away (DS deactivation, or an embedder dropping it): every wait in progress ends RELEASED
     * and later waits return RELEASED at once, their entries released so the tokens' wakes are absorbed.
     */
    @Deactivate
    public void deactivate() {
        waits.releaseAll();
    }

    @Override
    public String toString() {
        return "schedule waiter (" + waits.size() + " sleeping)";
    }
}
