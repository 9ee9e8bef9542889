package org.paravane.api.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.paravane.api.cpu.CpuModels;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;

class VmSpecTest {

    private static final MemoryRegion RAM = new MemoryRegion("ram", 0, 16 << 20, false);
    private static final MemoryRegion DATA = new MemoryRegion("data", 1L << 32, 1 << 20, true);

    @Test
    void regionsAreSortedByAddressAndSizesAddUp() {
        VmSpec spec = new VmSpec("vm-1.a_b", 2, List.of(DATA, RAM), null);
        assertThat(spec.regions()).containsExactly(RAM, DATA);
        assertThat(spec.memorySize()).isEqualTo((16 << 20) + (1 << 20));
        assertThat(spec.pageSource()).as("no source means zero pages").isSameAs(PageSource.ZERO);
        assertThat(spec.asyncPageFaults()).isTrue();
    }

    @Test
    void overlappingRegionsAreRefusedByName() {
        MemoryRegion inside = new MemoryRegion("mmio", 8 << 20, 4096, false);
        assertThatThrownBy(() -> new VmSpec("vm", 1, List.of(RAM, inside), PageSource.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'ram' and 'mmio' overlap");
        MemoryRegion adjacent = new MemoryRegion("next", 16 << 20, 4096, false);
        assertThat(new VmSpec("vm", 1, List.of(RAM, adjacent), PageSource.ZERO).regions()).hasSize(2);
    }

    @Test
    void badNamesCountsAndEmptyMemoryAreRefused() {
        assertThatThrownBy(() -> new VmSpec("my vm", 1, List.of(RAM), null)).hasMessageContaining("'my vm'");
        assertThatThrownBy(() -> new VmSpec("", 1, List.of(RAM), null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new VmSpec("vm", 0, List.of(RAM), null)).hasMessageContaining("at least one vCPU, got 0");
        assertThatThrownBy(() -> new VmSpec("vm", 1, List.of(), null)).hasMessageContaining("at least one memory region");
    }

    @Test
    void regionsArePageGranularAndDoNotWrap() {
        assertThatThrownBy(() -> new MemoryRegion("ram", 100, 4096, false)).hasMessageContaining("guest address 0x64");
        assertThatThrownBy(() -> new MemoryRegion("ram", 0, 4095, false)).hasMessageContaining("size 4095");
        assertThatThrownBy(() -> new MemoryRegion("ram", 0, 0, false)).hasMessageContaining("size 0");
        assertThatThrownBy(() -> new MemoryRegion("top", Long.MAX_VALUE - 4095, 8192, false)).hasMessageContaining("wraps");
        assertThat(RAM.contains(0)).isTrue();
        assertThat(RAM.contains(16 << 20)).as("end is exclusive").isFalse();
    }

    @Test
    void aNegativeRunBudgetIsRefused() {
        assertThatThrownBy(() -> new RunBudget(-1, 0)).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> new RunBudget(0, -1)).hasMessageContaining("must not be negative");
    }

    @Test
    void theConstructorsOfVersion1_1StillMakeASpecWithoutBackendOptions() {
        VmSpec four = new VmSpec("vm", 1, List.of(RAM), null);
        VmSpec five = new VmSpec("vm", 1, List.of(RAM), null, false);
        VmSpec six = new VmSpec("vm", 1, List.of(RAM), null, true, CpuModels.defaultModel(1));
        assertThat(List.of(four, five, six)).allSatisfy(s -> assertThat(s.backendOptions()).isEmpty());
        assertThat(five.asyncPageFaults()).isFalse();
        assertThat(six).isEqualTo(four);
    }

    @Test
    void backendOptionsAreCopiedSortedAndKeptByTheWithMethods() {
        Map<String, String> given = new HashMap<>(Map.of("emulated.translation", "false", "kvm.x", "1"));
        VmSpec spec = new VmSpec("vm", 1, List.of(RAM), null).withBackendOptions(given);
        given.put("emulated.codeCacheKiB", "1");
        assertThat(spec.backendOptions()).as("a copy").containsOnlyKeys("emulated.translation", "kvm.x");
        assertThatThrownBy(() -> spec.backendOptions().put("a.b", "c")).isInstanceOf(UnsupportedOperationException.class);
        VmSpec more = spec.withBackendOption("emulated.translationThreshold", "0").withCpuModel(CpuModels.defaultModel(1));
        assertThat(more.backendOptions().keySet())
                .containsExactly("emulated.translation", "emulated.translationThreshold", "kvm.x");
        assertThat(more.backendOptions("emulated")).containsExactly(Map.entry("translation", "false"),
                Map.entry("translationThreshold", "0"));
        assertThat(more.backendOptions("kvm")).containsExactly(Map.entry("x", "1"));
        assertThat(more.backendOptions("emu")).as("a prefix of a backend's name is not its namespace").isEmpty();
        assertThat(more.withBackendOption("emulated.translation", "true").backendOptions("emulated"))
                .containsEntry("translation", "true");
    }

    @Test
    void anOptionNotNamedByItsBackendOrWithoutValueIsRefusedByKey() {
        VmSpec spec = new VmSpec("vm", 1, List.of(RAM), null);
        assertThatThrownBy(() -> spec.withBackendOption("translation", "false"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'translation' is not <backend>.<name>");
        assertThatThrownBy(() -> spec.withBackendOption(".translation", "false")).hasMessageContaining("'.translation'");
        assertThatThrownBy(() -> spec.withBackendOption("emulated.", "false")).hasMessageContaining("'emulated.'");
        assertThatThrownBy(() -> spec.withBackendOption("emulated.translation", null))
                .hasMessageContaining("'emulated.translation' has no value");
    }
}
