package org.paravane.vmm.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import org.junit.jupiter.api.Test;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.vmm.kernel.WaitPolicy;

class SettingsTest {

    static VmmConfig config(String backend, String policy, String source, String preemption, long slice, int mem, int max) {
        return config(backend, policy, source, preemption, slice, mem, max, 16, 16384);
    }

    static VmmConfig config(String backend, String policy, String source, String preemption, long slice, int mem, int max,
            int maxVcpus, int maxMemory) {
        return new VmmConfig() {
            public Class<? extends Annotation> annotationType() {
                return VmmConfig.class;
            }

            public String defaultBackend() {
                return backend;
            }

            public String waitPolicy() {
                return policy;
            }

            public String pageSource() {
                return source;
            }

            public String preemption() {
                return preemption;
            }

            public long timeSliceMicros() {
                return slice;
            }

            public int memoryMiB() {
                return mem;
            }

            public int maxVms() {
                return max;
            }

            public int maxVcpus() {
                return maxVcpus;
            }

            public int maxMemoryMiB() {
                return maxMemory;
            }

            public int historySize() {
                return 20;
            }
        };
    }

    @Test
    void validConfigurationIsTakenAsIs() {
        Settings s = Settings.of(config("Emulated", "halt", "file:/x,latency=1ms", "non-preemptible", 500, 128, 4));
        assertThat(s.defaultBackend()).isEqualTo("emulated");
        assertThat(s.waitPolicy()).isEqualTo(WaitPolicy.HALT_EVERYWHERE);
        assertThat(s.pageSource().latencyNanos()).isEqualTo(1_000_000);
        assertThat(s.preemption()).isEqualTo(PreemptionModel.NON_PREEMPTIBLE);
    }

    @Test
    void everyInvalidValueNamesKeyValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> Settings.of(config("auto", "sometimes", "zero", "preemptible", 500, 64, 4)))
                .hasMessage("invalid configuration org.paravane.vmm: waitPolicy = 'sometimes' (allowed: table, halt, off)");
        assertThatThrownBy(() -> Settings.of(config("auto", "table", "zero", "cooperative", 500, 64, 4)))
                .hasMessageContaining("preemption = 'cooperative' (allowed: preemptible, non-preemptible)");
        assertThatThrownBy(() -> Settings.of(config("auto", "table", "zero", "preemptible", 5, 64, 4)))
                .hasMessageContaining("timeSliceMicros = '5' (allowed: 10..1000000)");
        assertThatThrownBy(() -> Settings.of(config("auto", "table", "zero", "preemptible", 500, 1, 4)))
                .hasMessageContaining("memoryMiB = '1'");
        assertThatThrownBy(() -> Settings.of(config("a b", "table", "zero", "preemptible", 500, 64, 4)))
                .hasMessageContaining("defaultBackend = 'a b'");
        assertThatThrownBy(() -> Settings.of(config("auto", "table", "tape", "preemptible", 500, 64, 4)))
                .hasMessageContaining("pageSource = 'tape'");
        assertThatThrownBy(() -> Settings.of(config("auto", "table", "zero", "preemptible", 500, 64, 4, 0, 16384)))
                .hasMessageContaining("maxVcpus = '0' (allowed: 1..256)");
        assertThatThrownBy(() -> Settings.of(config("auto", "table", "zero", "preemptible", 500, 128, 4, 16, 64)))
                .as("the default RAM of a VM must fit the per-VM limit")
                .hasMessageContaining("memoryMiB = '128' (allowed: 4..64)");
    }

    @Test
    void perVmLimitsAreKept() {
        Settings s = Settings.of(config("auto", "table", "zero", "preemptible", 500, 64, 4, 2, 256));
        assertThat(s.maxVcpus()).isEqualTo(2);
        assertThat(s.maxMemoryMiB()).isEqualTo(256);
    }
}
