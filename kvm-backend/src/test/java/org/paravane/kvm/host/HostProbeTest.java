package org.paravane.kvm.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.paravane.kvm.vstate.memory.MemoryMode;
import org.paravane.support.linux.Errno;

class HostProbeTest {

    @Test
    void openFailuresSayWhatToDo() {
        assertThat(HostProbe.openFailure(Errno.ENOENT)).startsWith("no /dev/kvm").contains("kvm_intel");
        assertThat(HostProbe.openFailure(Errno.EACCES)).startsWith("no permission").contains("group 'kvm'");
        assertThat(HostProbe.openFailure(Errno.EPERM)).startsWith("no permission");
        assertThat(HostProbe.openFailure(Errno.ENODEV)).contains("no KVM module");
        assertThat(HostProbe.openFailure(Errno.EBUSY)).contains("EBUSY");
    }

    @Test
    void aKickSignalSomeoneElseHandlesMakesTheBackendUnusableWithTheReason() {
        // HotSpot handles SIGUSR2 (thread suspend/resume) itself
        KvmSettings d = KvmSettings.DEFAULTS;
        KvmSettings usr2 = new KvmSettings(d.memoryMode(), d.chunkBytes(), d.fetchThreads(), d.workingSet(), d.workingSetDir(),
                d.asyncPageFaults(), 12, d.retryMinNanos(), d.retryMaxNanos());
        HostProbe.Result r = HostProbe.probe(usr2);
        org.junit.jupiter.api.Assumptions.assumeTrue(r.support().usable() || r.support().reason().contains("signal 12"),
                () -> "KVM unusable for another reason: " + r.support().reason());
        if (r.kvm() != null) {
            r.kvm().close();
        }
        assertThat(r.support().usable()).isFalse();
        assertThat(r.support().reason()).contains("signal 12").contains("kickSignal");
    }

    @Test
    void settingsRefuseValuesThatCannotWork() {
        KvmSettings d = KvmSettings.DEFAULTS;
        assertThatThrownBy(() -> new KvmSettings(MemoryMode.USERFAULTFD, 3 * 4096, 8, d.workingSet(), Path.of("/tmp"),
                d.asyncPageFaults(), 10, 1, 2)).hasMessageContaining("uffdChunkSize").hasMessageContaining("12288");
        assertThatThrownBy(() -> new KvmSettings(MemoryMode.USERFAULTFD, 4096, 0, d.workingSet(), Path.of("/tmp"),
                d.asyncPageFaults(), 10, 1, 2)).hasMessageContaining("fetchThreads");
        assertThatThrownBy(() -> new KvmSettings(MemoryMode.USERFAULTFD, 4096, 1, d.workingSet(), Path.of("/tmp"),
                d.asyncPageFaults(), 9, 1, 2)).hasMessageContaining("kickSignal");
    }
}
