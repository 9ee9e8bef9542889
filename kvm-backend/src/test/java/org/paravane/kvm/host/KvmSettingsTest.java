package org.paravane.kvm.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.paravane.kvm.vstate.memory.MemoryMode;

/** The backend's configuration as Config Admin (typed values) and FileInstall (strings) give it. */
class KvmSettingsTest {
    private static final Path DATA_AREA = Path.of("/data/working-sets");

    @Test
    void noPropertiesGiveTheDefaultsWithTheBundlesDataArea() {
        KvmSettings s = KvmSettings.of(Map.of("service.pid", KvmSettings.PID), DATA_AREA);
        KvmSettings d = KvmSettings.DEFAULTS;
        assertThat(s).isEqualTo(new KvmSettings(d.memoryMode(), d.chunkBytes(), d.fetchThreads(), d.workingSet(), DATA_AREA,
                d.asyncPageFaults(), d.kickSignal(), d.retryMinNanos(), d.retryMaxNanos()));
    }

    @Test
    void stringValuesFromACfgFileAreRead() {
        KvmSettings s = KvmSettings.of(Map.of("memoryMode", "file_mapping", "uffdChunkSize", "4096", "fetchThreads", "2",
                "workingSet", "RECORD", "workingSetDirectory", "/ws", "asyncPageFaults", "off", "kickSignal", "12",
                "fetchRetryMinMillis", "5", "fetchRetryMaxMillis", 50L), DATA_AREA);
        assertThat(s.memoryMode()).isEqualTo(MemoryMode.FILE_MAPPING);
        assertThat(s.chunkBytes()).isEqualTo(4096);
        assertThat(s.fetchThreads()).isEqualTo(2);
        assertThat(s.workingSet()).isEqualTo(KvmSettings.WorkingSetMode.RECORD);
        assertThat(s.workingSetDir()).isEqualTo(Path.of("/ws"));
        assertThat(s.asyncPageFaults()).isEqualTo(KvmSettings.AsyncPfMode.OFF);
        assertThat(s.kickSignal()).isEqualTo(12);
        assertThat(s.retryMinNanos()).isEqualTo(5_000_000);
        assertThat(s.retryMaxNanos()).isEqualTo(50_000_000);
    }

    @Test
    void everyInvalidValueNamesKeyValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> KvmSettings.of(Map.of("memoryMode", "BOGUS"), DATA_AREA))
                .hasMessage("invalid configuration org.paravane.kvm: memoryMode = 'BOGUS' (allowed: USERFAULTFD, FILE_MAPPING)");
        assertThatThrownBy(() -> KvmSettings.of(Map.of("workingSet", "MAYBE"), DATA_AREA))
                .hasMessageContaining("workingSet = 'MAYBE' (allowed: OFF, RECORD, PREFETCH)");
        assertThatThrownBy(() -> KvmSettings.of(Map.of("uffdChunkSize", 12345L), DATA_AREA))
                .hasMessageContaining("uffdChunkSize = '12345' (allowed: a power of two from 4096 to 2097152)");
        assertThatThrownBy(() -> KvmSettings.of(Map.of("fetchThreads", "many"), DATA_AREA))
                .hasMessageContaining("fetchThreads = 'many' (allowed: 1..256)");
        assertThatThrownBy(() -> KvmSettings.of(Map.of("kickSignal", 9), DATA_AREA))
                .hasMessageContaining("kickSignal = '9' (allowed: a signal number 1..64 that can be caught (not 9 or 19))");
        assertThatThrownBy(() -> KvmSettings.of(Map.of("fetchRetryMinMillis", 10L, "fetchRetryMaxMillis", 5L), DATA_AREA))
                .hasMessageContaining("fetchRetryMaxMillis = '5' (allowed: at least fetchRetryMinMillis (10))");
        assertThatThrownBy(() -> KvmSettings.of(Map.of("asyncPageFaults", "sometimes", "chunk", "1"), DATA_AREA))
                .hasMessageContaining("asyncPageFaults = 'sometimes' (allowed: AUTO, OFF)")
                .hasMessageContaining("unknown key 'chunk'");
    }
}
