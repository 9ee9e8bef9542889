package org.paravane.vmm.linux.futex;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.kernel.wait.WaitQueue;

class FutexTableTest {
    private static final long WORD = FakeWords.BASE;

    /**
     * A waiter that compares and queues while another thread changes the word and wakes: it either sees the new value
     * or is woken; it never stays queued unwoken (a lost wake-up).
     */
    @Test
    void noWakeIsLostBetweenTheCompareAndTheQueueing() throws Exception {
        FutexTable table = new FutexTable();
        FakeWords mem = new FakeWords(4096);
        FutexKey key = new FutexKey.Private(mem, WORD);
        CyclicBarrier start = new CyclicBarrier(2);
        AtomicInteger lost = new AtomicInteger(), woken = new AtomicInteger(), changed = new AtomicInteger();
        int rounds = 5_000;
        Thread waker = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    start.await();
                    mem.store(WORD, i + 1);
                    table.wake(key, 1, WaitQueue.ANY);
                    start.await();
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        for (int i = 0; i < rounds; i++) {
            start.await();
            Waiter w = table.waitIfEqual(key, mem, WORD, i, WaitQueue.ANY, () -> { });
            start.await();
            if (w == null) {
                changed.incrementAndGet();
            } else if (w.woken()) {
                woken.incrementAndGet();
            } else {
                lost.incrementAndGet();
                table.leave(w);
            }
        }
        waker.join();
        assertThat(lost).hasValue(0);
        assertThat(changed.get() + woken.get()).isEqualTo(rounds);
        assertThat(table.waiters(key)).isZero();
    }

    @Test
    void leaveAfterAWakeAnswersFalse() throws Exception {
        FutexTable table = new FutexTable();
        FakeWords mem = new FakeWords(4096);
        FutexKey key = new FutexKey.Private(mem, WORD);
        Waiter w = table.waitIfEqual(key, mem, WORD, 0, WaitQueue.ANY, () -> { });
        assertThat(table.wake(key, 1, WaitQueue.ANY)).isEqualTo(1);
        assertThat(table.leave(w)).isFalse();
        Waiter w2 = table.waitIfEqual(key, mem, WORD, 0, WaitQueue.ANY, () -> { });
        assertThat(table.leave(w2)).isTrue();
        assertThat(table.wake(key, 1, WaitQueue.ANY)).isZero();
    }
}
