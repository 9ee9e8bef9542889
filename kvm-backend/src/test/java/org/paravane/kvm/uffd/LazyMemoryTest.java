package org.paravane.kvm.uffd;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.kvm.KvmTestSupport.CODE;
import static org.paravane.kvm.KvmTestSupport.MMIO;
import static org.paravane.kvm.KvmTestSupport.USER_STACK;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.paravane.api.backend.RunBudget;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;
import org.paravane.kvm.KvmBackend;
import org.paravane.kvm.KvmTestSupport;
import org.paravane.kvm.host.KvmSettings;
import org.paravane.kvm.vstate.memory.MemoryMode;
import org.paravane.kvm.vstate.vm.KvmVm;
import org.paravane.support.x86.FlatPlatform;
import org.paravane.testkit.Asm;

/** Lazy guest memory on KVM: userfaultfd faults served in chunks, zero pages, failures, file mappings, working sets. */
class LazyMemoryTest {
    static final long LAZY = 0x800000;   // 8 MiB: inside the identity map, outside eager RAM
    private VirtualMachine vm;

    @AfterEach
    void close() {
        if (vm != null) {
            vm.close();
        }
    }

    /** rsi = LAZY; rcx = pages; rbx = 0; loop: rbx += [rsi]; rsi += 4096; dec rcx; jnz; [MMIO] = rbx */
    static byte[] sumPages(int pages) {
        Asm a = new Asm().movImm64(6, LAZY).movImm64(1, pages).movImm64(3, 0);
        int loop = a.size();
        return a.addRbxFromRsi().addRsi(4096).decRcx().jnz(loop).storeRbx(MMIO).spin().bytes();
    }

    static long expectedSum(int pages) {
        long sum = 0;
        for (int p = 0; p < pages; p++) {
            sum += LAZY + p * 4096L;
        }
        return sum;
    }

    private Vcpu start(KvmBackend b, String name, PageSource source, int pages, long rflags) {
        vm = b.createVm(KvmTestSupport.spec(name, 1, source, new MemoryRegion("lazy", LAZY, 4L << 20, true)));
        FlatPlatform p = KvmTestSupport.platform(vm.memory(), 1, sumPages(pages));
        Vcpu v = vm.vcpu(0);
        v.setState(p.state(0, 3, CODE, USER_STACK, rflags));
        return v;
    }

    private static long mmioValue(VcpuExit e) {
        assertThat(e).isInstanceOf(VcpuExit.Mmio.class);
        return ((VcpuExit.Mmio) e).data().get(JAVA_LONG, 0);
    }

    @Test
    void guestReadsOfAbsentPagesAreServedInChunks() {
        for (long chunk : new long[] {4096, 65536}) {
            KvmBackend b = KvmTestSupport.backend(KvmTestSupport.withChunk(KvmSettings.DEFAULTS, chunk));
            Vcpu v = start(b, "lazy" + chunk, KvmTestSupport.ADDRESS_PATTERN, 256, 0x202);
            assertThat(mmioValue(v.run())).isEqualTo(expectedSum(256));
            var stats = vm.memory().stats();
            assertThat(stats.fetchedPages()).as("chunk %d", chunk).isEqualTo(256);
            FaultHandler.Stats f = ((KvmVm) vm).faultStats();
            long chunks = 256 * 4096 / chunk;
            assertThat(stats.faults()).as("a fault per chunk (duplicates allowed)").isBetween(chunks, 2 * chunks);
            assertThat(f.fetches()).as("one fetch per chunk").isEqualTo(chunks);
            assertThat(stats.absentPages()).isEqualTo(1024 - 256);
            vm.close();
            vm = null;
        }
    }

    @Test
    void pagesTheSourceKnowsAreZeroAreMappedWithoutReading() {
        AtomicInteger reads = new AtomicInteger();
        PageSource halfZero = new PageSource() {
            @Override
            public void read(long gpa, MemorySegment dst) throws PageSourceException {
                reads.incrementAndGet();
                KvmTestSupport.ADDRESS_PATTERN.read(gpa, dst);
            }

            @Override
            public boolean isZero(long gpa) {
                return ((gpa >> 12) & 1) == 1;
            }
        };
        Vcpu v = start(KvmTestSupport.backend(KvmTestSupport.withChunk(KvmSettings.DEFAULTS, 4096)), "zero", halfZero, 64, 0x202);
        long want = 0;
        for (int p = 0; p < 64; p += 2) {
            want += LAZY + p * 4096L;
        }
        assertThat(mmioValue(v.run())).isEqualTo(want);
        assertThat(vm.memory().stats().zeroPages()).isEqualTo(32);
        assertThat(reads.get()).isEqualTo(32);
    }

    @Test
    void hostAccessAndGuestFaultsFillEachPageOnce() throws Exception {
        ConcurrentHashMap<Long, AtomicInteger> reads = new ConcurrentHashMap<>();
        PageSource counting = (gpa, dst) -> {
            for (long off = 0; off < dst.byteSize(); off += 4096) {
                reads.computeIfAbsent(gpa + off, k -> new AtomicInteger()).incrementAndGet();
            }
            KvmTestSupport.ADDRESS_PATTERN.read(gpa, dst);
        };
        Vcpu v = start(KvmTestSupport.backend(), "once", counting, 128, 0x202);
        // the host reads pages 10..19 first (UFFDIO_COPY, like the guest's faults), and writes page 30
        assertThat(vm.memory().slice(LAZY + 10 * 4096, 10 * 4096).get(JAVA_LONG, 4096)).isEqualTo(LAZY + 11 * 4096);
        vm.memory().slice(LAZY + 30 * 4096, 8).set(JAVA_LONG, 0, 5);
        long want = expectedSum(128) - (LAZY + 30 * 4096) + 5;
        assertThat(mmioValue(v.run())).isEqualTo(want);
        assertThat(reads).allSatisfy((gpa, n) -> assertThat(n.get()).as("0x%x", gpa).isEqualTo(1));
    }

    @Test
    void aFailingSourceFailsTheAccessWithMemoryErrorAndTheRetryCompletes() {
        // synchronous faults: no irqchip, or interrupts off at CPL3 with the irqchip (KVM's async path needs IF=1)
        for (Object[] c : new Object[][] {{KvmTestSupport.noIrqchip(), 0x202L}, {KvmSettings.DEFAULTS, 0x2L}}) {
            java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean(true);
            long bad = LAZY + 40 * 4096;
            PageSource flaky = (gpa, dst) -> {
                if (gpa <= bad && bad < gpa + dst.byteSize() && down.get()) {
                    throw new PageSourceException(bad, "remote store timed out");
                }
                KvmTestSupport.ADDRESS_PATTERN.read(gpa, dst);
            };
            KvmBackend b = KvmTestSupport.backend((KvmSettings) c[0]);
            Vcpu v = start(b, "flaky", flaky, 64, (Long) c[1]);
            VcpuExit e = v.run();
            assertThat(e).as("%s", c[0]).isInstanceOfSatisfying(VcpuExit.MemoryError.class, m -> {
                assertThat(m.guestAddress()).isEqualTo(bad);
                assertThat(m.cause()).contains("remote store timed out");
            });
            assertThat(vm.memory().isPresent(bad)).isFalse();
            assertThat(vm.memory().isPresent(bad - 4096)).as("its neighbours were fetched on their own").isTrue();
            assertThat(v.registers().rsi()).as("the access did not complete").isEqualTo(bad);
            down.set(false);
            assertThat(mmioValue(v.run())).isEqualTo(expectedSum(64));
            vm.close();
            vm = null;
        }
    }

    @Test
    void kernelWorkerFaultsAreRetriedUntilTheSourceRecovers() {
        // irqchip + IF=1 at CPL3: KVM's async-PF worker takes the fault, no vCPU thread waits in it; the handler retries
        AtomicInteger failuresLeft = new AtomicInteger(3);
        long bad = LAZY + 5 * 4096;
        PageSource flaky = (gpa, dst) -> {
            if (gpa <= bad && bad < gpa + dst.byteSize() && failuresLeft.getAndDecrement() > 0) {
                throw new PageSourceException(bad, "not yet");
            }
            KvmTestSupport.ADDRESS_PATTERN.read(gpa, dst);
        };
        KvmBackend b = KvmTestSupport.backend(KvmTestSupport.withChunk(KvmSettings.DEFAULTS, 4096));
        org.junit.jupiter.api.Assumptions.assumeTrue(b.hostSupport().kernelAsyncPf(), "no in-kernel irqchip here");
        Vcpu v = start(b, "retry", flaky, 16, 0x202);
        v.setBudget(new RunBudget(0, 5_000_000_000L));
        assertThat(mmioValue(v.run())).isEqualTo(expectedSum(16));
        assertThat(((KvmVm) vm).faultStats().failures()).isEqualTo(3);
    }

    @Test
    void closingAVmWithAVcpuBlockedOnASlowPageReturnsPromptly() throws Exception {
        PageSource slow = (gpa, dst) -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                throw new PageSourceException(gpa, "interrupted");
            }
            KvmTestSupport.ADDRESS_PATTERN.read(gpa, dst);
        };
        for (KvmSettings s : new KvmSettings[] {KvmSettings.DEFAULTS, KvmTestSupport.noIrqchip()}) {
            Vcpu v = start(KvmTestSupport.backend(s), "slow", slow, 4, 0x202);
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    outcome.set(v.run());
                } catch (RuntimeException e) {
                    outcome.set(e);
                }
            });
            Thread.sleep(200);
            long t0 = System.nanoTime();
            vm.close();
            long closeMillis = (System.nanoTime() - t0) / 1_000_000;
            vm = null;
            t.join(5000);
            assertThat(t.isAlive()).isFalse();
            assertThat(closeMillis).as("close with %s", s.asyncPageFaults()).isLessThan(3000);
            System.out.printf("close with a vCPU blocked in a fault (%s): %d ms, run() ended with %s%n", s.asyncPageFaults(),
                    closeMillis, outcome.get());
        }
    }

    @Test
    void aLocalSnapshotFileIsMappedPrivately(@TempDir Path dir) throws IOException {
        Path image = dir.resolve("ram.img");
        ByteBuffer buf = ByteBuffer.allocate(4 << 20).order(ByteOrder.LITTLE_ENDIAN);
        for (long off = 0; off < (4 << 20); off += 8) {
            buf.putLong((int) off, LAZY + off);
        }
        Files.write(image, buf.array());
        AtomicInteger reads = new AtomicInteger();
        PageSource snapshot = new PageSource() {
            @Override
            public void read(long gpa, MemorySegment dst) throws PageSourceException {
                reads.incrementAndGet();
                KvmTestSupport.ADDRESS_PATTERN.read(gpa, dst);
            }

            @Override
            public Optional<LocalFile> localFile(long guestAddress, long size) {
                return guestAddress == LAZY ? Optional.of(new LocalFile(image, 0)) : Optional.empty();
            }
        };
        KvmSettings d = KvmSettings.DEFAULTS;
        KvmSettings fileMode = new KvmSettings(MemoryMode.FILE_MAPPING, d.chunkBytes(), d.fetchThreads(), d.workingSet(),
                d.workingSetDir(), d.asyncPageFaults(), d.kickSignal(), d.retryMinNanos(), d.retryMaxNanos());
        Vcpu v = start(KvmTestSupport.backend(fileMode), "file", snapshot, 256, 0x202);
        assertThat(((KvmVm) vm).memoryDecisions()).singleElement().asString().contains("private mapping of " + image);
        assertThat(mmioValue(v.run())).isEqualTo(expectedSum(256));
        assertThat(reads.get()).as("the kernel paged the file in").isZero();
        vm.memory().slice(LAZY, 8).set(JAVA_LONG, 0, 99);
        assertThat(Files.readAllBytes(image)[0]).as("copy-on-write: the file is unchanged").isEqualTo((byte) LAZY);
    }

    @Test
    void aRecordedWorkingSetIsPrefetchedByTheNextVmOfThatName(@TempDir Path dir) throws Exception {
        KvmSettings d = KvmSettings.DEFAULTS;
        KvmSettings record = new KvmSettings(d.memoryMode(), 4096, d.fetchThreads(), KvmSettings.WorkingSetMode.RECORD, dir,
                d.asyncPageFaults(), d.kickSignal(), d.retryMinNanos(), d.retryMaxNanos());
        Vcpu v = start(KvmTestSupport.backend(record), "ws", KvmTestSupport.ADDRESS_PATTERN, 100, 0x202);
        assertThat(mmioValue(v.run())).isEqualTo(expectedSum(100));
        vm.close();
        vm = null;
        Path file = dir.resolve("ws.pages");
        assertThat(WorkingSet.load(file)).hasSize(100).startsWith(LAZY, LAZY + 4096);

        KvmSettings prefetch = new KvmSettings(d.memoryMode(), 4096, d.fetchThreads(), KvmSettings.WorkingSetMode.PREFETCH, dir,
                d.asyncPageFaults(), d.kickSignal(), d.retryMinNanos(), d.retryMaxNanos());
        v = start(KvmTestSupport.backend(prefetch), "ws", KvmTestSupport.ADDRESS_PATTERN, 100, 0x202);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (vm.memory().stats().presentPages() < 1024 + 100 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(mmioValue(v.run())).isEqualTo(expectedSum(100));
        assertThat(vm.memory().stats().faults()).as("the guest found its pages present").isZero();
    }
}
