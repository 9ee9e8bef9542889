package org.paravane.vmm.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.memory.PageSource;
import org.paravane.vmm.kernel.TaskSpec;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.emulated.EmulatedBackend;
import org.paravane.vmm.kernel.GuestKernel;
import org.paravane.vmm.manager.GuestImages;
import org.paravane.vmm.kernel.KernelConfig;
import org.paravane.vmm.kernel.Task;
import org.paravane.vmm.kernel.WaitPolicy;
import org.paravane.vmm.persist.MachineImage;
import org.paravane.vmm.source.SourceSpec;

/**
 * VMs of every RAM size up to the limit, with and without a data region, laid out around the 32-bit hole on the
 * software CPU (its RAM is mapped lazily, so 16 GiB costs nothing until touched): they build, run, and move.
 */
class MemoryLayoutTest {
    private static final long LAPIC = 0xFEE00000L, IOAPIC = 0xFEC00000L;
    private static final long SEED = 5, DATA_BYTES = 64 * 4096;

    private final EmulatedBackend backend = new EmulatedBackend();
    private final VmBuilder builder = new VmBuilder(
            new VmDefaults(WaitPolicy.OFF, PreemptionModel.PREEMPTIBLE, 2000, 16), null, () -> null);
    private GuestKernel kernel;

    @AfterEach
    void close() {
        if (kernel != null) {
            kernel.stop();
            kernel.vm().close();
        }
    }

    private GuestKernel build(int memoryMiB, boolean withData) throws Exception {
        List<VmDefinition.Launch> tasks = withData
                ? List.of(new VmDefinition.Launch("hello", GuestImages.load("hello"), 0, -1, 1),
                        new VmDefinition.Launch("scanner", GuestImages.load("scanner"), 1, 0, 1))
                : List.of(new VmDefinition.Launch("hello", GuestImages.load("hello"), 0, -1, 1));
        VmDefinition def = new VmDefinition("m" + memoryMiB, null, 1, memoryMiB,
                withData ? SourceSpec.parse("pattern:" + SEED) : null, withData ? DATA_BYTES : 0, tasks, null, null, null);
        kernel = builder.build(def.name(), def, backend, KernelConfig.Console.NONE).kernel();
        return kernel;
    }

    @ParameterizedTest(name = "{0} MiB, data region {1}")
    @CsvSource({"3072,false", "3072,true", "4096,false", "4096,true", "5120,false", "5120,true", "16384,false",
            "16384,true"})
    void everySizeUpToTheLimitIsLaidOutAroundTheHoleAndRuns(int memoryMiB, boolean withData) throws Exception {
        GuestKernel k = build(memoryMiB, withData);
        List<MemoryRegion> regions = k.vm().spec().regions();
        assertThat(regions).as("no region covers the local APIC or the IOAPIC")
                .noneMatch(r -> r.contains(LAPIC) || r.contains(IOAPIC));
        assertThat(regions.stream().filter(r -> !r.lazy()).mapToLong(MemoryRegion::size).sum())
                .as("all the RAM asked for").isEqualTo((long) memoryMiB << 20);
        long ramTop = regions.stream().filter(r -> !r.lazy()).mapToLong(MemoryRegion::end).max().orElseThrow();
        if (withData) {
            MemoryRegion data = regions.getLast();
            assertThat(data.name()).isEqualTo("data");
            assertThat(data.guestAddress()).as("the data region is above the RAM").isGreaterThanOrEqualTo(ramTop);
        }
        k.start();
        assertThat(k.awaitTasks(120, TimeUnit.SECONDS)).as("tasks finish").isTrue();
        for (Task t : k.tasks()) {
            assertThat(t.exitCode()).as(t + ": " + t.failure() + " " + t.output()).isZero();
        }
        if (withData) {
            assertThat(k.tasks().get(1).reports())
                    .containsEntry("checksum", patternChecksum(regions.getLast().guestAddress(), DATA_BYTES));
        }
    }

    @Test
    void aVmAbove4GiBMovesWithItsMemoryInEveryRegion() throws Exception {
        GuestKernel k = build(5120, true);
        VirtualMachine vm = k.vm();
        List<MemoryRegion> regions = vm.spec().regions();
        assertThat(regions).extracting(MemoryRegion::name).containsExactly("ram", "ram-high", "data");
        long[] marked = {regions.get(0).end() - 4096, regions.get(1).guestAddress(), regions.get(1).end() - 4096,
                regions.get(2).guestAddress() + 4096};
        for (long gpa : marked) {
            vm.memory().slice(gpa, 4096).set(ValueLayout.JAVA_LONG_UNALIGNED, 8, ~gpa);
        }
        try (MachineImage image = MachineImage.capture(vm)) {
            assertThat(image.presentBytes()).as("RAM that is still zero is not copied").isLessThan(64L << 20);
            try (VirtualMachine moved = image.restore(new EmulatedBackend())) {
                assertThat(moved.spec().regions()).isEqualTo(regions);
                for (long gpa : marked) {
                    MemorySegment page = moved.memory().slice(gpa, 4096);
                    assertThat(page.get(ValueLayout.JAVA_LONG_UNALIGNED, 8)).as("page 0x%x", gpa).isEqualTo(~gpa);
                }
                assertThat(moved.memory().isPresent(regions.get(2).guestAddress()))
                        .as("a data page never touched stays absent").isFalse();
                assertThat(moved.memory().slice(regions.get(1).guestAddress() + 8192, 4096)
                        .mismatch(MemorySegment.ofArray(new byte[4096]))).as("untouched RAM reads zero").isEqualTo(-1);
            }
        }
    }

    @Test
    void theKernelAllocatesFromTheRamAboveTheHoleWhenTheRamBelowIsUsedUp() throws Exception {
        long low = 3 << 20;   // the kernel area and 1 MiB: a few tasks use it up
        long high = 16 << 20;
        VirtualMachine vm = backend.createVm(new VmSpec("split", 1, List.of(new MemoryRegion("ram", 0, low, false),
                new MemoryRegion("ram-high", MemoryLayout.HIGH_RAM_BASE, high, false)), PageSource.ZERO, false));
        kernel = new GuestKernel(vm, new KernelConfig(PreemptionModel.PREEMPTIBLE, WaitPolicy.OFF, 2000,
                KernelConfig.Console.NONE), null, () -> null);
        int highPages = (int) (high / 4096);
        assertThat(kernel.freePages()).as("free pages below and above the hole").isGreaterThan(highPages);
        while (kernel.freePages() > highPages - 64) {   // below the hole is full, and 64 pages above it are used
            kernel.launch(new TaskSpec("worker", GuestImages.load("worker"), 20, null));
        }
        kernel.start();
        assertThat(kernel.awaitTasks(120, TimeUnit.SECONDS)).as("tasks finish").isTrue();
        for (Task t : kernel.tasks()) {
            assertThat(t.exitCode()).as(t + ": " + t.failure()).isZero();
            assertThat(t.output()).startsWith("worker: 20 units, checksum ");
        }
    }

    /** What the scanner reports over {@code bytes} of the pattern source at {@code base}: FNV-1a over its qwords. */
    private static long patternChecksum(long base, long bytes) {
        long hash = 0xcbf29ce484222325L;
        for (long off = 0; off < bytes; off += 8) {
            hash = (hash ^ org.paravane.vmm.source.PatternPageSource.qwordAt(SEED, base + off)) * 0x100000001b3L;
        }
        return hash;
    }
}
