package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The shootdown handshake without a VM: vCPU threads that {@link VcpuTlb#enter} and {@link VcpuTlb#leave} around a
 * "run of guest code" that lasts until they are kicked.
 */
class ShootdownsTest {
    private static final long SPACE = 0x10_0000, OTHER = 0x20_0000;

    /** A fake vCPU 1 in guest code with {@code cr3}: its run ends when it is kicked (after {@code ignoredKicks}). */
    private static final class GuestRun extends Thread {
        final VcpuTlb tlb;
        final CountDownLatch kicked;
        final CountDownLatch entered = new CountDownLatch(1);
        final AtomicBoolean left = new AtomicBoolean();
        final long cr3;
        volatile boolean flushedOnEntry;

        GuestRun(VcpuTlb tlb, long cr3, int kicksToEnd) {
            this.tlb = tlb;
            this.cr3 = cr3;
            this.kicked = new CountDownLatch(kicksToEnd);
        }

        @Override
        public void run() {
            flushedOnEntry = tlb.enter(cr3);
            entered.countDown();
            try {
                kicked.await();
                Thread.sleep(20);   // the run ends a while after the kick: the requester must wait for it
            } catch (InterruptedException e) {
                return;
            }
            left.set(true);
            tlb.leave();
        }
    }

    @Test
    void aVcpuInGuestCodeWithTheSpaceIsKickedAndWaitedForAndFlushesBeforeItsNextRun() throws Exception {
        AtomicInteger kicks = new AtomicInteger();
        GuestRun[] runs = new GuestRun[1];
        Shootdowns s = new Shootdowns(2, vcpu -> {
            assertThat(vcpu).isEqualTo(1);
            kicks.incrementAndGet();
            runs[0].kicked.countDown();
        });
        runs[0] = new GuestRun(s.of(1), SPACE, 1);
        runs[0].start();
        runs[0].entered.await();
        s.of(0).enter(SPACE);   // the caller's own vCPU ran the space and is now in the kernel
        s.of(0).leave();

        s.shootDown(SPACE);

        assertThat(runs[0].left).as("the run of vCPU 1 ended before the shootdown returned").isTrue();
        assertThat(kicks.get()).isPositive();
        assertThat(s.remoteWaits()).isEqualTo(1);
        assertThat(s.of(1).enter(SPACE)).as("vCPU 1 flushes before it runs guest code again").isTrue();
        s.of(1).leave();
        assertThat(s.of(1).enter(SPACE)).as("once").isFalse();
        s.of(1).leave();
        assertThat(s.of(0).enter(SPACE)).as("the caller's vCPU flushes too").isTrue();
        runs[0].join();
    }

    @Test
    void aVcpuOutsideGuestCodeIsNotWaitedForButFlushesOnEntry() {
        Shootdowns s = new Shootdowns(2, vcpu -> {
            throw new AssertionError("kicked vCPU " + vcpu + ", which runs no guest code");
        });
        s.of(1).enter(SPACE);
        s.of(1).leave();

        s.shootDown(SPACE);

        assertThat(s.remoteWaits()).isZero();
        assertThat(s.of(1).enter(SPACE)).isTrue();
    }

    @Test
    void aVcpuRunningAnotherSpaceIsLeftAlone() throws Exception {
        GuestRun[] runs = new GuestRun[1];
        Shootdowns s = new Shootdowns(2, vcpu -> {
            throw new AssertionError("kicked vCPU " + vcpu + ", which runs another space");
        });
        runs[0] = new GuestRun(s.of(1), OTHER, 1);
        runs[0].start();
        runs[0].entered.await();

        s.shootDown(SPACE);

        assertThat(s.remoteWaits()).isZero();
        runs[0].kicked.countDown();
        runs[0].join();
        assertThat(s.of(1).enter(OTHER)).as("no flush of the other space's translations").isFalse();
    }

    @Test
    void aVcpuWhoseSpaceIsNotKnownYetCountsAsHoldingAny() throws Exception {
        GuestRun[] runs = new GuestRun[1];
        Shootdowns s = new Shootdowns(2, vcpu -> runs[0].kicked.countDown());
        runs[0] = new GuestRun(s.of(1), -1, 1);
        runs[0].start();
        runs[0].entered.await();

        s.shootDown(SPACE);

        assertThat(runs[0].left).isTrue();
        runs[0].join();
    }

    @Test
    void aLostKickIsRepeatedUntilTheRunEnds() throws Exception {
        AtomicInteger kicks = new AtomicInteger();
        GuestRun[] runs = new GuestRun[1];
        Shootdowns s = new Shootdowns(2, vcpu -> {
            kicks.incrementAndGet();
            runs[0].kicked.countDown();
        });
        runs[0] = new GuestRun(s.of(1), SPACE, 3);   // the first two kicks are lost
        runs[0].start();
        runs[0].entered.await();

        s.shootDown(SPACE);

        assertThat(runs[0].left).isTrue();
        assertThat(kicks.get()).isGreaterThanOrEqualTo(3);
        runs[0].join();
    }

    @Test
    void aRunThatBeganAfterTheRequestIsNotWaitedForAndFlushesFirst() throws Exception {
        VcpuTlb tlb = new VcpuTlb();
        tlb.enter(SPACE);
        long run = tlb.request(SPACE);
        assertThat(run).as("in guest code: to be waited for").isNotNegative();
        tlb.leave();
        assertThat(tlb.enter(SPACE)).as("the next run flushes first").isTrue();
        CountDownLatch returned = new CountDownLatch(1);
        Thread requester = Thread.ofPlatform().start(() -> {
            tlb.await(run, () -> {
                throw new AssertionError("kicked during a run that began after the request");
            });
            returned.countDown();
        });
        assertThat(returned.await(5, TimeUnit.SECONDS)).as("the requester went on").isTrue();
        requester.join();
        tlb.leave();
    }
}
