package org.paravane.emulated.cpu.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.Vcpu;
import org.paravane.emulated.testing.Kernels;
import org.paravane.emulated.testing.TestVm;

/**
 * Translated code goes with its VM: 1,000 create/run/destroy cycles, every block translated, keep the loaded class
 * count and metaspace flat (measured after a full GC, through JMX).
 */
class TranslationUnloadTest {
    static final int CYCLES = 1000, WARM = 100;

    @Test
    void thousandVmCyclesKeepClassesAndMetaspaceFlat() {
        ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
        long translated = 0;
        long baseClasses = 0, baseMeta = 0;
        for (int i = 0; i < CYCLES; i++) {
            if (i == WARM) {
                gc();
                baseClasses = classes.getLoadedClassCount();
                baseMeta = metaspace();
            }
            try (TestVm t = TranslatorTest.vm(TranslatorTest.forced())) {
                t.load(TestVm.CODE, Kernels.build(1, 1));
                Vcpu v = t.start(0, 3, TestVm.CODE);
                assertThat(t.runToResult(v)).isEqualTo(Kernels.expected(1, 1));
                translated += TranslatorTest.stats(t).translated();
            }
        }
        gc();
        long grownClasses = classes.getLoadedClassCount() - baseClasses;
        long grownMeta = metaspace() - baseMeta;
        long perCycle = translated / CYCLES;
        System.out.printf("%d cycles, %d blocks translated (%d per cycle); after a full GC: %+d loaded classes, "
                + "%+d KiB metaspace since cycle %d (%d classes unloaded in all)%n", CYCLES, translated, perCycle,
                grownClasses, grownMeta >> 10, WARM, classes.getUnloadedClassCount());
        // Leaking would keep (CYCLES - WARM) * perCycle classes: thousands, and megabytes of metaspace.
        assertThat(translated).isGreaterThanOrEqualTo(CYCLES * 2L);   // K1's two regions (loop and tail)
        assertThat(grownClasses).isLessThan((CYCLES - WARM) * perCycle / 10);
        assertThat(grownMeta).isLessThan(2L << 20);
    }

    private static void gc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
    }

    private static long metaspace() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getName().equals("Metaspace"))
                .mapToLong(p -> p.getUsage().getUsed()).sum();
    }
}
