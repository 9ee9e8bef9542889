package org.paravane.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.paravane.api.memory.PageSourceException;

/** The gate the fault tests rely on: what it holds, what it lets through, and that a waiting read is seen. */
class GatedPageSourceTest {
    private static final long PAGE = 0x5000;

    private static CompletableFuture<MemorySegment> readAsync(GatedPageSource source, long gpa) {
        return CompletableFuture.supplyAsync(() -> {
            MemorySegment page = Arena.ofAuto().allocate(4096);
            try {
                source.read(gpa, page);
            } catch (PageSourceException e) {
                throw new IllegalStateException(e);
            }
            return page;
        }, r -> Thread.ofPlatform().daemon().start(r));   // a thread per read: blocked reads must not starve each other
    }

    @Test
    void nothingIsHeldUntilAsked() throws Exception {
        GatedPageSource source = new GatedPageSource();
        MemorySegment page = readAsync(source, PAGE).get(10, TimeUnit.SECONDS);
        assertThat(page.get(ValueLayout.JAVA_LONG, 8)).as("each word holds its own address").isEqualTo(PAGE + 8);
        assertThat(source.reads()).isEqualTo(1);
    }

    @Test
    void aHeldPageWaitsAtTheGateUntilReleased() throws Exception {
        GatedPageSource source = new GatedPageSource();
        source.hold(PAGE);
        CompletableFuture<MemorySegment> read = readAsync(source, PAGE);
        assertThat(source.awaitWaiting(1, 10, TimeUnit.SECONDS)).as("the read is blocked at the gate").isTrue();
        assertThat(read).isNotDone();
        assertThat(readAsync(source, PAGE + 4096).get(10, TimeUnit.SECONDS)).as("other pages pass").isNotNull();

        source.release(PAGE);
        assertThat(read.get(10, TimeUnit.SECONDS).get(ValueLayout.JAVA_LONG, 0)).isEqualTo(PAGE);
        assertThat(source.waiting()).isZero();
    }

    @Test
    void holdAllKeepsEveryPageUntilTheGateOpens() throws Exception {
        GatedPageSource source = new GatedPageSource().holdAll();
        CompletableFuture<MemorySegment> a = readAsync(source, PAGE);
        CompletableFuture<MemorySegment> b = readAsync(source, PAGE + 4096);
        assertThat(source.awaitWaiting(2, 10, TimeUnit.SECONDS)).isTrue();
        source.open();
        CompletableFuture.allOf(a, b).get(10, TimeUnit.SECONDS);
        assertThat(source.waiting()).isZero();
    }

    @Test
    void aFailingPageFailsItsRead() {
        GatedPageSource source = new GatedPageSource();
        source.fail(PAGE);
        assertThatThrownBy(() -> source.read(PAGE, Arena.ofAuto().allocate(4096))).isInstanceOf(PageSourceException.class);
    }

    @Test
    void awaitingReadersThatNeverComeTimesOut() throws Exception {
        assertThat(new GatedPageSource().holdAll().awaitWaiting(1, 10, TimeUnit.MILLISECONDS)).isFalse();
    }
}
