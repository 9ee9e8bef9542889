package org.paravane.support.memory;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;

class PagedGuestMemoryTest {

    private final Arena arena = Arena.ofShared();
    private final AtomicInteger fills = new AtomicInteger();

    private final HostPages heap = new HostPages() {
        @Override
        public MemorySegment map(MemoryRegion region) {
            return arena.allocate(region.size(), 4096);
        }

        @Override
        public void fill(MemorySegment target, MemorySegment contents) {
            fills.incrementAndGet();
            target.copyFrom(contents);
        }

        @Override
        public void fillZero(MemorySegment target) {
            fills.incrementAndGet();
            target.fill((byte) 0);
        }

        @Override
        public void unmap(MemoryRegion region, MemorySegment host) {
        }
    };

    /** Every page holds its own guest-physical address in every qword; counts reads per page. */
    private final ConcurrentHashMap<Long, AtomicInteger> reads = new ConcurrentHashMap<>();
    private final PageSource addressPattern = (gpa, dst) -> {
        reads.computeIfAbsent(gpa, k -> new AtomicInteger()).incrementAndGet();
        for (long off = 0; off < dst.byteSize(); off += 8) {
            dst.set(JAVA_LONG, off, gpa + off);
        }
    };

    @AfterEach
    void close() {
        arena.close();
    }

    private PagedGuestMemory memory(PageSource source) {
        return new PagedGuestMemory(new VmSpec("t", 1, List.of(
                new MemoryRegion("low", 0, 64 * 4096, false),
                new MemoryRegion("lazy", 1 << 20, 64 * 4096, true)), source), heap);
    }

    @Test
    void eagerRegionIsPresentAndLazyRegionStartsAbsent() {
        PagedGuestMemory m = memory(addressPattern);
        assertThat(m.isPresent(0)).isTrue();
        assertThat(m.isPresent((1 << 20) + 5)).isFalse();
        assertThat(m.contains(0x80000)).isFalse();
        assertThat(m.stats().presentPages()).isEqualTo(64);
        assertThat(m.stats().absentPages()).isEqualTo(64);
    }

    @Test
    void sliceFetchesAbsentPagesFromTheSource() throws Exception {
        PagedGuestMemory m = memory(addressPattern);
        MemorySegment s = m.slice((1 << 20) + 4096, 2 * 4096);
        assertThat(s.get(JAVA_LONG, 8)).isEqualTo((1 << 20) + 4096 + 8);
        assertThat(s.get(JAVA_LONG, 4096)).isEqualTo((1 << 20) + 8192);
        assertThat(m.stats().fetchedPages()).isEqualTo(2);
        assertThat(m.isPresent((1 << 20) + 4096)).isTrue();
        assertThat(m.isPresent(1 << 20)).isFalse();
    }

    @Test
    void installNeverOverwritesAPageThatIsAlreadyPresent() throws Exception {
        PagedGuestMemory m = memory(addressPattern);
        MemorySegment page = m.slice(1 << 20, 4096);
        page.set(JAVA_LONG, 0, 42);   // the guest wrote it after it arrived
        MemorySegment late = MemorySegment.ofArray(new byte[4096]);
        late.fill((byte) 7);
        m.install(1 << 20, late);
        assertThat(page.get(JAVA_LONG, 0)).isEqualTo(42);
    }

    @Test
    void concurrentFaultsOnOnePageReadItOnce() throws Exception {
        PagedGuestMemory m = memory(addressPattern);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    for (int p = 0; p < 64; p++) {
                        m.ensurePresent((1 << 20) + p * 4096L, 1);
                    }
                } catch (Throwable t) {
                    synchronized (errors) {
                        errors.add(t);
                    }
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(errors).isEmpty();
        assertThat(reads).hasSize(64).allSatisfy((gpa, n) -> assertThat(n.get()).isEqualTo(1));
        assertThat(m.stats().absentPages()).isZero();
    }

    @Test
    void failingSourceLeavesThePageAbsentAndRetryable() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        PagedGuestMemory m = memory((gpa, dst) -> {
            if (attempts.incrementAndGet() == 1) {
                throw new PageSourceException(gpa, "disk on fire");
            }
            dst.fill((byte) 1);
        });
        assertThatThrownBy(() -> m.ensurePresent(1 << 20, 1)).isInstanceOf(PageSourceException.class)
                .hasMessageContaining("0x100000").hasMessageContaining("disk on fire");
        assertThat(m.isPresent(1 << 20)).isFalse();
        assertThat(m.stats().fetchErrors()).isEqualTo(1);
        m.ensurePresent(1 << 20, 1);
        assertThat(m.isPresent(1 << 20)).isTrue();
    }

    @Test
    void zeroSourceFillsWithoutReading() throws Exception {
        PagedGuestMemory m = memory(PageSource.ZERO);
        assertThat(m.slice(1 << 20, 4096).get(JAVA_LONG, 0)).isZero();
        assertThat(m.stats().zeroPages()).isEqualTo(1);
        assertThat(m.stats().fetchedPages()).isZero();
    }

    @Test
    void addressesOutsideMemoryAreRejectedWithTheAddress() {
        PagedGuestMemory m = memory(addressPattern);
        assertThatThrownBy(() -> m.slice(0x80000, 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0x80000");
        assertThatThrownBy(() -> m.slice(63 * 4096, 2 * 4096)).hasMessageContaining("leaves region 'low'");
    }

    @Test
    void presentPagesAreListedInOrder() throws Exception {
        PagedGuestMemory m = memory(addressPattern);
        m.ensurePresent((1 << 20) + 3 * 4096, 1);
        List<Long> present = new ArrayList<>();
        m.forEachPresentPage(present::add);
        assertThat(present).hasSize(65).endsWith((1L << 20) + 3 * 4096);
    }
}
