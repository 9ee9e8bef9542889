package org.paravane.vmm.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.vmm.kernel.WaitPolicy;

/** The manager's configuration as Config Admin (numbers) and FileInstall (strings) give it. */
class SettingsTest {

    private static Map<String, Object> config(Object... keyValues) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        m.put("service.pid", VmmConfig.PID);   // added by Config Admin: not a key of the manager's
        m.put("felix.fileinstall.filename", "file:/deploy/org.paravane.vmm.cfg");
        m.put("guestHandler.target", "(service.ranking>=0)");   // SCR adds each reference's target
        m.put("component.name", VmManager.class.getName());
        return m;
    }

    private static Settings of(Object... keyValues) {
        return Settings.of(config(keyValues), List.of());
    }

    @Test
    void validConfigurationIsTakenAsIs() {
        Settings s = of("defaultBackend", "Emulated", "waitPolicy", "halt", "pageSource", "file:/x,latency=1ms",
                "preemption", "non-preemptible", "timeSliceMicros", 500L, "memoryMiB", 128, "maxVms", "4");
        assertThat(s.defaultBackend()).isEqualTo("emulated");
        assertThat(s.waitPolicy()).isEqualTo(WaitPolicy.HALT_EVERYWHERE);
        assertThat(s.pageSource().latencyNanos()).isEqualTo(1_000_000);
        assertThat(s.preemption()).isEqualTo(PreemptionModel.NON_PREEMPTIBLE);
        assertThat(s.timeSliceMicros()).isEqualTo(500);
        assertThat(s.memoryMiB()).isEqualTo(128);
        assertThat(s.maxVms()).isEqualTo(4);
    }

    @Test
    void missingKeysTakeTheDefaults() {
        assertThat(of()).isEqualTo(Settings.DEFAULTS);
    }

    @Test
    void everyInvalidValueNamesKeyValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> of("waitPolicy", "sometimes"))
                .hasMessage("invalid configuration org.paravane.vmm: waitPolicy = 'sometimes' (allowed: table, halt, off)");
        assertThatThrownBy(() -> of("preemption", "cooperative"))
                .hasMessageContaining("preemption = 'cooperative' (allowed: preemptible, non-preemptible)");
        assertThatThrownBy(() -> of("timeSliceMicros", 5L)).hasMessageContaining("timeSliceMicros = '5' (allowed: 10..1000000)");
        assertThatThrownBy(() -> of("memoryMiB", 1)).hasMessageContaining("memoryMiB = '1'");
        assertThatThrownBy(() -> of("defaultBackend", "a b")).hasMessageContaining("defaultBackend = 'a b'");
        assertThatThrownBy(() -> of("pageSource", "tape")).hasMessageContaining("pageSource = 'tape'");
        assertThatThrownBy(() -> of("maxVcpus", 0)).hasMessageContaining("maxVcpus = '0' (allowed: 1..256)");
        assertThatThrownBy(() -> of("historySize", -1)).hasMessageContaining("historySize = '-1' (allowed: 0..10000)");
        assertThatThrownBy(() -> of("maxProcesses", 0)).hasMessageContaining("maxProcesses = '0' (allowed: 1..65536)");
        assertThat(of("maxProcesses", 64).maxProcesses()).isEqualTo(64);
        assertThatThrownBy(() -> of("memoryMiB", 128, "maxMemoryMiB", 64)).as("the default RAM of a VM must fit the per-VM limit")
                .hasMessageContaining("memoryMiB = '128' (allowed: 4..64, at most maxMemoryMiB)");
    }

    @Test
    void valuesThatAreNotNumbersOrNotInTheListAreRefusedNotThrownAsStackTraces() {
        assertThatThrownBy(() -> of("memoryMiB", "abc"))
                .hasMessage("invalid configuration org.paravane.vmm: memoryMiB = 'abc' (allowed: 4..65536)");
        assertThatThrownBy(() -> of("maxVms", "12x")).hasMessageContaining("maxVms = '12x' (allowed: 1..1024)");
        assertThatThrownBy(() -> of("memoryMiB", "abc", "waitPolicy", "never")).as("every bad key at once")
                .hasMessageContaining("waitPolicy = 'never'").hasMessageContaining("memoryMiB = 'abc'");
    }

    @Test
    void anUnknownDefaultBackendIsRefused() {
        assertThatThrownBy(() -> of("defaultBackend", "qemu"))
                .hasMessageContaining("defaultBackend = 'qemu' (allowed: auto, emulated, kvm)");
        assertThat(Settings.of(config("defaultBackend", "qemu"), List.of("qemu")).defaultBackend())
                .as("a backend registered when the configuration comes").isEqualTo("qemu");
    }

    @Test
    void anUnknownKeyIsRefusedWithTheKeysThereAre() {
        assertThatThrownBy(() -> of("memoryMb", "128")).hasMessageContaining("unknown key 'memoryMb' (keys: defaultBackend,");
    }

    @Test
    void perVmLimitsAreKept() {
        Settings s = of("maxVcpus", 2, "maxMemoryMiB", 256);
        assertThat(s.maxVcpus()).isEqualTo(2);
        assertThat(s.maxMemoryMiB()).isEqualTo(256);
    }

    @Test
    void theCpuModelIsOneOfTheCatalogue() {
        assertThat(of().cpuModel()).isEqualTo("paravane-1");
        assertThat(of("cpuModel", "host").vmDefaults().cpuModel()).isEqualTo("host");
        assertThatThrownBy(() -> of("cpuModel", "pentium"))
                .hasMessageContaining("cpuModel = 'pentium' (allowed: paravane-1, host, paravane-0)");
    }
}
