package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.paravane.vmm.linux.fs.FileSystem;
import org.paravane.vmm.linux.fs.MountSpec;

/**
 * MAP_SHARED: one set of pages per file page for every mapper, coherent with read()/write() for in-memory files,
 * written back to a host file on munmap; MAP_SHARED|MAP_ANONYMOUS; msync's errnos (guests/linux/shared.c).
 */
class SharedMappingTest {
    @TempDir
    Path dir;

    @Test
    void sharedMappingsShareTheirPagesAndWriteBack() throws Exception {
        Path host = Files.createDirectory(dir.resolve("host"));
        Files.writeString(host.resolve("data.txt"), "original contents of a host file\n");
        FileSystem.Options files = new FileSystem.Options(null, false, List.of(new MountSpec(host, "/host", false)));
        try (GuestStack stack = GuestStack.emulated()) {
            LinuxPrograms.Run r = LinuxPrograms.run(stack, files, "shared", "/host/data.txt");
            assertThat(r.stdout()).doesNotContain("FAIL").contains("shared: ok\n");
            assertThat(r.exitCode()).isZero();
        }
        assertThat(Files.readString(host.resolve("data.txt"))).isEqualTo("HOSTinal contents of a host file\n");
    }
}
