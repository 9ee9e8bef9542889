package org.paravane.asyncpf.halt;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.paravane.api.asyncpf.AsyncPfWaiter;
import org.paravane.api.asyncpf.Sleeper;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.asyncpf.WaitMode;
import org.paravane.api.asyncpf.WaitOutcome;
import org.paravane.api.asyncpf.WaitsInProgress;

/**
 * The halt-based wait ({@code kvm_async_pf_task_wait_halt}, case #2c): the vCPU runs no other task until the token is
 * woken. It halts with interrupts enabled ({@code sti; hlt}), so "page ready" events for any token are still taken while
 * it waits; the wake of this entry kicks the vCPU (the reschedule IPI) and the loop re-checks.
 *
 * <p>Lives in a bundle of its own and uses the sleeper table only through the API, so the enqueue path is the one both
 * waiters share. Stopping or updating this bundle ends its waits in progress with {@link WaitOutcome#RELEASED}: the
 * guest retries the access and the host serves it synchronously; the token's later wake is absorbed by the table.
 */
@Component(service = AsyncPfWaiter.class, property = AsyncPfWaiter.MODE + "=halt")
public final class HaltWaiter implements AsyncPfWaiter {

    private final WaitsInProgress waits = new WaitsInProgress();

    @Override
    public WaitMode mode() {
        return WaitMode.HALT;
    }

    @Override
    public WaitOutcome wait(SleeperTable table, int token, Sleeper sleeper) {
        return waits.await(table, token, sleeper, WaitMode.HALT, () -> {
            sleeper.safeHalt();
            return true;   // a halted vCPU never leaves: it re-checks after every wake-up
        });
    }

    /** Halted waits now in progress. */
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
        return "halt waiter (" + waits.size() + " halted)";
    }
}
