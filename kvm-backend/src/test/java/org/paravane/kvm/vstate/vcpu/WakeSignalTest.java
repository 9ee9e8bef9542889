package org.paravane.kvm.vstate.vcpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class WakeSignalTest {

    @Test
    void aWaitEndsWhenItsConditionChangesAndTheChangeIsSignalled() throws Exception {
        WakeSignal signal = new WakeSignal();
        AtomicBoolean waiting = new AtomicBoolean(true);
        CountDownLatch entered = new CountDownLatch(1);
        Thread waiter = Thread.ofPlatform().start(() -> signal.awaitWhile(() -> {
            entered.countDown();
            return waiting.get();
        }, 0));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        waiting.set(false);
        signal.wake();
        waiter.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(waiter.isAlive()).as("woken").isFalse();
    }

    @Test
    void aConditionAlreadyOverDoesNotWait() {
        WakeSignal signal = new WakeSignal();
        signal.awaitWhile(() -> false, 0);   // returns at once: no wake needed
    }

    @Test
    void aDeadlineEndsTheWait() {
        WakeSignal signal = new WakeSignal();
        signal.awaitWhile(() -> true, System.nanoTime() + 1_000_000);
    }

    @Test
    void anInterruptDoesNotEndTheWaitAndStaysSet() throws Exception {
        WakeSignal signal = new WakeSignal();
        AtomicBoolean waiting = new AtomicBoolean(true);
        CountDownLatch firstCheck = new CountDownLatch(1);
        CountDownLatch secondCheck = new CountDownLatch(2);
        AtomicBoolean flagAfter = new AtomicBoolean();
        Thread waiter = Thread.ofPlatform().start(() -> {
            signal.awaitWhile(() -> {
                firstCheck.countDown();
                secondCheck.countDown();
                return waiting.get();
            }, 0);
            flagAfter.set(Thread.currentThread().isInterrupted());
        });
        assertThat(firstCheck.await(10, TimeUnit.SECONDS)).isTrue();
        waiter.interrupt();
        assertThat(secondCheck.await(10, TimeUnit.SECONDS)).as("the interrupt made the waiter check again").isTrue();
        assertThat(waiter.isAlive()).as("the condition still holds: it waits on").isTrue();
        waiting.set(false);
        signal.wake();
        waiter.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(waiter.isAlive()).isFalse();
        assertThat(flagAfter.get()).as("the interrupt is kept for the caller").isTrue();
    }
}
