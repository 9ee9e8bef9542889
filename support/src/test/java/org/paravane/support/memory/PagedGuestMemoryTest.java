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

    /** A source that records every read call as (address, size). */
    private final List<long[]> readCalls = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final PageSource recordingPattern = (gpa, dst) -> {
        readCalls.add(new long[] {gpa, dst.byteSize()});
        for (long off = 0; off < dst.byteSize(); off += 8) {
            dst.set(JAVA_LONG, off, gpa + off);
        }
    };

    @Test
    void fetchFillsTheAbsentRunAroundThePageInOneReadWithinTheChunk() throws Exception {
        PagedGuestMemory m = memory(recordingPattern);
        long lazy = 1 << 20;
        m.ensurePresent(lazy + 2 * 4096, 1);            // page 2 present: the run must stop before it
        readCalls.clear();
        PagedGuestMemory.Range r = m.fetch(lazy + 5 * 4096 + 123, 8 * 4096);
        assertThat(r).isEqualTo(new PagedGuestMemory.Range(lazy + 3 * 4096, 5 * 4096));
        assertThat(readCalls).singleElement().satisfies(c -> assertThat(c).containsExactly(lazy + 3 * 4096, 5 * 4096));
        for (long p = 3; p < 8; p++) {
            assertThat(m.isPresent(lazy + p * 4096)).isTrue();
            assertThat(m.slice(lazy + p * 4096, 8).get(JAVA_LONG, 0)).isEqualTo(lazy + p * 4096);
        }
        assertThat(m.isPresent(lazy + 8 * 4096)).as("next chunk untouched").isFalse();
        assertThat(m.stats().fetchedPages()).isEqualTo(6);
    }

    @Test
    void fetchOfAClaimedPageReturnsNull() throws Exception {
        PagedGuestMemory m = memory(recordingPattern);
        assertThat(m.fetch(1 << 20, 65536)).isNotNull();
        assertThat(m.fetch((1 << 20) + 4096, 65536)).isNull();
    }

    @Test
    void fetchServesZeroRunsWithoutReading() throws Exception {
        PageSource halfZero = new PageSource() {
            @Override
            public void read(long gpa, MemorySegment dst) {
                readCalls.add(new long[] {gpa, dst.byteSize()});
                dst.fill((byte) 0x5A);
            }

            @Override
            public boolean isZero(long gpa) {
                return ((gpa >> 12) & 3) < 2;      // pages 0,1 zero, 2,3 data, 4,5 zero ...
            }
        };
        PagedGuestMemory m = memory(halfZero);
        PagedGuestMemory.Range r = m.fetch(1 << 20, 4 * 4096);
        assertThat(r.size()).isEqualTo(4 * 4096);
        assertThat(readCalls).singleElement().satisfies(c -> assertThat(c).containsExactly((1 << 20) + 2 * 4096, 2 * 4096));
        assertThat(m.stats().zeroPages()).isEqualTo(2);
        assertThat(m.stats().fetchedPages()).isEqualTo(2);
        assertThat(m.slice((1 << 20) + 3 * 4096, 1).get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 0x5A);
    }

    @Test
    void failedFetchUnclaimsTheWholeRunSoItCanBeRetried() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        PagedGuestMemory m = memory((gpa, dst) -> {
            if (attempts.incrementAndGet() == 1) {
                throw new PageSourceException(gpa, "remote store down");
            }
            dst.fill((byte) 1);
        });
        assertThatThrownBy(() -> m.fetch((1 << 20) + 4096, 4 * 4096)).isInstanceOf(PageSourceException.class)
                .hasMessageContaining("remote store down");
        for (int p = 0; p < 4; p++) {
            assertThat(m.isPresent((1 << 20) + p * 4096L)).isFalse();
            assertThat(m.hostRegion(1 << 20).isClaimed((1 << 20) + p * 4096L)).isFalse();
        }
        assertThat(m.stats().fetchErrors()).isEqualTo(1);
        assertThat(m.fetch((1 << 20) + 4096, 4 * 4096).size()).isEqualTo(4 * 4096);
    }

    @Test
    void ensurePresentReadsARangeInOneCall() throws Exception {
        PagedGuestMemory m = memory(recordingPattern);
        m.ensurePresent((1 << 20) + 100, 10 * 4096);
        assertThat(readCalls).singleElement().satisfies(c -> assertThat(c).containsExactly(1L << 20, 11L * 4096));
    }

    @Test
    void chunkMustBeAPowerOfTwo() {
        PagedGuestMemory m = memory(recordingPattern);
        assertThatThrownBy(() -> m.fetch(1 << 20, 3 * 4096)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two");
    }

    @Test
    void aBackendCanMapALazyRegionPresent() {
        HostPages fileBacked = new HostPages() {
            @Override
            public MemorySegment map(MemoryRegion region) {
                return arena.allocate(region.size(), 4096);
            }

            @Override
            public boolean startsPresent(MemoryRegion region) {
                return true;
            }

            @Override
            public void fill(MemorySegment target, MemorySegment contents) {
                throw new AssertionError("no fills for a region mapped present");
            }

            @Override
            public void fillZero(MemorySegment target) {
                throw new AssertionError("no fills for a region mapped present");
            }

            @Override
            public void unmap(MemoryRegion region, MemorySegment host) {
            }
        };
        PagedGuestMemory m = new PagedGuestMemory(new VmSpec("t", 1, List.of(new MemoryRegion("snap", 0, 8 * 4096, true)),
                addressPattern), fileBacked);
        assertThat(m.stats().absentPages()).isZero();
        assertThat(m.isPresent(7 * 4096)).isTrue();
    }
}
