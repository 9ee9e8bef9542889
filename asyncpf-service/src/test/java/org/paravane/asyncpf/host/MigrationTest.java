package org.paravane.asyncpf.host;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.api.asyncpf.AsyncPfAbi.EN_DELIVERY_AS_INT;
import static org.paravane.api.asyncpf.AsyncPfAbi.EN_ENABLED;
import static org.paravane.api.asyncpf.AsyncPfAbi.FLAG_PAGE_NOT_PRESENT;
import static org.paravane.api.asyncpf.AsyncPfAbi.MSR_ASYNC_PF_EN;
import static org.paravane.api.asyncpf.AsyncPfAbi.MSR_ASYNC_PF_INT;
import static org.paravane.api.asyncpf.AsyncPfAbi.WAKE_ALL_TOKEN;
import static org.paravane.asyncpf.testing.Await.await;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.paravane.api.asyncpf.GuestFaultResult;
import org.paravane.api.asyncpf.HostFaultResult;
import org.paravane.api.asyncpf.GuestFault;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.asyncpf.WaitMode;
import org.paravane.api.asyncpf.WaitOutcome;
import org.paravane.asyncpf.guest.GuestFaultHandler;
import org.paravane.asyncpf.halt.HaltWaiter;
import org.paravane.asyncpf.table.BucketedSleeperTable;
import org.paravane.asyncpf.testing.FakeContext;
import org.paravane.asyncpf.wait.ScheduleWaiter;
import org.paravane.testkit.GatedPageSource;

/**
 * C22, live migration: the queues and {@code pageready_pending} stay behind on the old host. The guest's MSR restore
 * on the new host queues a wake-all; its delivery wakes the guest's sleepers recorded on that vCPU, they re-fault, and
 * the new host serves the page. Nobody waits forever for a token the new host never issued.
 */
class MigrationTest {

    @Test
    void msrRestoreOnTheNewHostWakesTheSleepersOfTheOldOne() throws Exception {
        BucketedSleeperTable guestTable = new BucketedSleeperTable("migrating guest");
        GuestFaultHandler guest = new GuestFaultHandler(new ScheduleWaiter(), new HaltWaiter());
        ExecutorService tasks = Executors.newCachedThreadPool();
        try (HostFixture oldHost = new HostFixture(1, new GatedPageSource().holdAll())) {
            oldHost.enableAndTakeWakeAll(0);
            HostFaultResult injected = oldHost.fault(5);
            int token = ((HostFaultResult.Injected) injected).token();

            // The guest takes the "not present": a user task sleeps on the token.
            FakeContext pf = new FakeContext(1, guestTable);
            int reason = oldHost.readAndResetFlags();
            assertThat(reason).isEqualTo(FLAG_PAGE_NOT_PRESENT);
            Future<GuestFaultResult> task = tasks.submit(() -> guest.handle(new GuestFault(1, GuestFault.Trigger.PAGE_FAULT,
                    Integer.toUnsignedLong(token), 0, reason, 0x401000, 3, true, 0, 0, false, PreemptionModel.PREEMPTIBLE, pf)));
            await(() -> guestTable.size() == 1, "the task asleep");

            // Migrated: the old host's work is gone with it; the new host knows nothing of the token.
            try (HostFixture newHost = new HostFixture(1)) {
                newHost.apf.writeMsr(MSR_ASYNC_PF_INT, HostFixture.VECTOR);
                newHost.apf.writeMsr(MSR_ASYNC_PF_EN, newHost.areaAddress() | EN_ENABLED | EN_DELIVERY_AS_INT);
                newHost.apf.beforeEntry();
                assertThat(newHost.port.interrupts).containsExactly(HostFixture.VECTOR);

                FakeContext irq = new FakeContext(1, guestTable);
                irq.token.set(newHost.slotToken());
                assertThat(guest.handle(new GuestFault(1, GuestFault.Trigger.PAGE_READY_INTERRUPT, 0, 0, 0, 0x401000, 3, true, 0,
                        0, false, PreemptionModel.PREEMPTIBLE, irq))).isEqualTo(new GuestFaultResult.Woke(WAKE_ALL_TOKEN));
                assertThat(task.get(10, SECONDS)).isEqualTo(new GuestFaultResult.Waited(token, WaitMode.SCHEDULE, WaitOutcome.WOKEN));
                assertThat(guestTable.size()).isZero();

                // The task retries its access on the new host, which starts the fetch afresh.
                assertThat(newHost.fault(5)).isInstanceOf(HostFaultResult.Injected.class);
            }
            oldHost.source.release(HostFixture.page(5));
        } finally {
            tasks.shutdownNow();
        }
    }
}
