package org.paravane.kvm.uffd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PendingPageTest {

    /** Records what the fault handler tells it. */
    private static final class Recorder implements FaultedVcpu {
        final List<String> events = new ArrayList<>();

        @Override
        public int id() {
            return 0;
        }

        @Override
        public boolean memoryError(long guestAddress, String cause) {
            events.add("error");
            return true;
        }

        @Override
        public void pageWaited(long nanos) {
            events.add(nanos >= 0 ? "waited" : "negative wait");
        }

        @Override
        public void pageWaitEnded() {
            events.add("ended");
        }
    }

    @Test
    void aResolvedPageTellsItsVcpusHowLongTheyWaitedThenEndsTheirWait() {
        PendingPage page = new PendingPage();
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        page.vcpus.add(a);
        page.vcpus.add(b);
        page.resolved();
        assertThat(a.events).containsExactly("waited", "ended");
        assertThat(b.events).containsExactly("waited", "ended");
    }

    @Test
    void aDroppedEntryEndsTheWaitWithoutCountingIt() {
        PendingPage page = new PendingPage();
        Recorder a = new Recorder();
        page.vcpus.add(a);
        page.released();
        assertThat(a.events).containsExactly("ended");
    }

    @Test
    void aFetchIsDueWithoutBackoffOrOnceItHasPassed() {
        PendingPage page = new PendingPage();
        long now = System.nanoTime();
        assertThat(page.due(now)).isTrue();
        page.retryAt = now + 1_000;
        assertThat(page.due(now)).isFalse();
        assertThat(page.due(now + 1_000)).isTrue();
    }
}
