package org.paravane.kvm.vstate;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.kvm.KvmBackend;
import org.paravane.kvm.KvmTestSupport;
import org.paravane.support.x86.FlatPlatform;
import org.paravane.testkit.Asm;

/**
 * 1,000 VMs created, run to their first exit and destroyed leave no file descriptor and no mapping behind. Every other
 * VM serves memory lazily (userfaultfd, fault handler threads, in-kernel irqchip), the others are eager-only.
 */
class VmLifecycleLeakTest {
    private static final long LAZY = 0x800000;

    @Test
    void thousandVmCyclesLeakNoFdAndNoMapping() throws Exception {
        KvmBackend b = KvmTestSupport.backend();
        byte[] code = new Asm().loadRax(LAZY).storeRax(KvmTestSupport.MMIO).spin().bytes();
        for (int i = 0; i < 50; i++) {
            cycle(b, code, i);   // warm-up: JIT, class loading, glibc's thread-stack cache
        }
        System.gc();
        long fds = count("/proc/self/fd"), maps = lines("/proc/self/maps");
        long t0 = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            cycle(b, code, i);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.gc();
        long fdsAfter = count("/proc/self/fd"), mapsAfter = lines("/proc/self/maps");
        System.out.printf("1000 VM cycles (create, first exit - half of them through a lazy page fault -, destroy): %d ms, %.2f ms each; fds %d -> %d, "
                + "mappings %d -> %d%n", millis, millis / 1000.0, fds, fdsAfter, maps, mapsAfter);
        assertThat(fdsAfter).as("file descriptors").isEqualTo(fds);
        // a VM maps guest memory and a kvm_run area: a leak would add thousands; allow the JVM's own small churn
        assertThat(mapsAfter - maps).as("mappings").isLessThan(50);
        assertThat(b.vms()).isEmpty();
    }

    private static void cycle(KvmBackend b, byte[] code, int i) throws Exception {
        MemoryRegion extra = new MemoryRegion("lazy", LAZY, 64 * 1024, i % 2 == 1);
        try (VirtualMachine vm = b.createVm(KvmTestSupport.spec("leak-" + i, 1, KvmTestSupport.ADDRESS_PATTERN, extra))) {
            if (i % 2 == 0) {
                vm.memory().slice(LAZY, 8).set(JAVA_LONG, 0, LAZY);
            }
            FlatPlatform p = KvmTestSupport.platform(vm.memory(), 1, code);
            vm.vcpu(0).setState(p.state(0, 3, KvmTestSupport.CODE, KvmTestSupport.USER_STACK, 0x202));
            VcpuExit e = vm.vcpu(0).run();
            assertThat(e).isInstanceOfSatisfying(VcpuExit.Mmio.class, m -> assertThat(m.data().get(JAVA_LONG, 0)).isEqualTo(LAZY));
        }
    }

    private static long count(String dir) throws IOException {
        try (Stream<Path> s = Files.list(Path.of(dir))) {
            return s.count();
        }
    }

    private static long lines(String file) throws IOException {
        return Files.readAllLines(Path.of(file)).size();
    }
}
