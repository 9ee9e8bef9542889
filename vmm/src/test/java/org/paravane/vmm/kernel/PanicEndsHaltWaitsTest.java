package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.kernel.GuestStack.DATA;
import static org.paravane.vmm.kernel.GuestStack.image;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.paravane.testkit.GatedPageSource;
import org.paravane.api.asyncpf.AsyncPfWaiter;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.asyncpf.Sleeper;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.asyncpf.WaitMode;
import org.paravane.api.asyncpf.WaitOutcome;
import org.paravane.asyncpf.halt.HaltWaiter;
import org.paravane.vmm.source.PatternPageSource;

/** A halt wait in progress when the kernel panics ends at once, without spinning until the kernel is stopped. */
class PanicEndsHaltWaitsTest {

    /** The halt waiter, counting the halts its waits make and keeping how the first wait ended. */
    private static final class WatchedHaltWaiter implements AsyncPfWaiter {
        private final HaltWaiter waiter = new HaltWaiter();
        final AtomicLong halts = new AtomicLong();
        final CountDownLatch halting = new CountDownLatch(1);
        final CompletableFuture<WaitOutcome> firstWait = new CompletableFuture<>();

        @Override
        public WaitMode mode() {
            return WaitMode.HALT;
        }

        @Override
        public WaitOutcome wait(SleeperTable table, int token, Sleeper vcpu) {
            WaitOutcome outcome = waiter.wait(table, token, new Sleeper() {
                @Override
                public int vcpu() {
                    return vcpu.vcpu();
                }

                @Override
                public boolean sleep() {
                    return vcpu.sleep();
                }

                @Override
                public void wakeUp() {
                    vcpu.wakeUp();
                }

                @Override
                public void safeHalt() {
                    halts.incrementAndGet();
                    halting.countDown();
                    vcpu.safeHalt();
                }

                @Override
                public void kick() {
                    vcpu.kick();
                }
            });
            firstWait.complete(outcome);
            return outcome;
        }
    }

    @Test
    void aHaltWaitInProgressEndsWhenTheKernelPanics() throws Exception {
        WatchedHaltWaiter halt = new WatchedHaltWaiter();
        GatedPageSource source = new GatedPageSource(new PatternPageSource(42)).holdAll();
        GuestStack stack = GuestStack.emulated(halt);
        try {
            long bytes = 16 * 4096;
            GuestKernel k = stack.kernel("panic-in-halt", 1, bytes, source, PreemptionModel.PREEMPTIBLE,
                    WaitPolicy.HALT_EVERYWHERE);
            k.launch(new TaskSpec("scanner", image("scanner"), 1, new TaskSpec.DataMapping(DATA, bytes, bytes)));
            k.start();
            assertThat(halt.halting.await(30, TimeUnit.SECONDS)).as("the scanner's first fault waits with a halt").isTrue();

            k.panic("test: another vCPU shut down");
            long haltsAtPanic = halt.halts.get();

            assertThat(halt.firstWait).as(() -> "the halt wait ends once the kernel has panicked, before anyone stops it"
                            + " (halts since the panic: " + (halt.halts.get() - haltsAtPanic) + ")")
                    .succeedsWithin(Duration.ofSeconds(10)).isEqualTo(WaitOutcome.RELEASED);
            assertThat(halt.halts.get() - haltsAtPanic).as("halts after the panic (a spin makes thousands)")
                    .isLessThanOrEqualTo(2);
        } finally {
            source.open();
            stack.close();
        }
    }
}
