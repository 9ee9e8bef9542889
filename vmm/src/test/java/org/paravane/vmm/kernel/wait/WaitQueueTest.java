package org.paravane.vmm.kernel.wait;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WaitQueueTest {

    @Test
    void wakesOnlyWaitersInterestedInTheEvent() {
        List<String> woken = new ArrayList<>();
        WaitQueue q = new WaitQueue();
        q.add(() -> woken.add("reader"), 1);
        q.add(() -> woken.add("writer"), 4);
        q.add(() -> woken.add("any"));
        q.wakeAll(1);
        assertThat(woken).containsExactly("reader", "any");
        assertThat(q.size()).as("wakeAll leaves waiters queued").isEqualTo(3);
    }

    @Test
    void wakeAndRemoveTakesTheOldestFirstUpToTheCount() {
        List<String> woken = new ArrayList<>();
        WaitQueue q = new WaitQueue();
        Waker a = () -> woken.add("a"), b = () -> woken.add("b"), c = () -> woken.add("c");
        q.add(a);
        q.add(b);
        q.add(c);
        assertThat(q.wakeAndRemove(2, WaitQueue.ANY)).isEqualTo(2);
        assertThat(woken).containsExactly("a", "b");
        assertThat(q.size()).isEqualTo(1);
        q.remove(c);
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void aWakerMayRemoveItselfWhileBeingWoken() {
        WaitQueue q = new WaitQueue();
        Waker[] self = new Waker[1];
        self[0] = () -> q.remove(self[0]);
        q.add(self[0]);
        q.wakeAll();
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void takeRemovesTheOldestInterestedWithoutWakingThem() {
        List<String> woken = new ArrayList<>();
        WaitQueue q = new WaitQueue();
        Waker a = () -> woken.add("a"), b = () -> woken.add("b"), c = () -> woken.add("c");
        q.add(a, 1);
        q.add(b, 2);
        q.add(c, 1);
        assertThat(q.take(5, 1)).containsExactly(a, c);
        assertThat(woken).isEmpty();
        assertThat(q.size()).isEqualTo(1);
        assertThat(q.take(0, WaitQueue.ANY)).isEmpty();
    }
}
