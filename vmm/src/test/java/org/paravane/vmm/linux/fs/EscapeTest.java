package org.paravane.vmm.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.linux.fs.Fcntl.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.linux.Errno;

/** A guest reaches no host path outside what it was given, whatever the path or link says. */
class EscapeTest extends FsTestBase {

    private String secretPath() {
        return outside.resolve("secret").toString();
    }

    @Test
    void dotDotCannotClimbAboveTheRoot() {
        assertErrno(() -> open("/../outside/secret", O_RDONLY), Errno.ENOENT);
        assertErrno(() -> open("../../../../../../" + secretPath(), O_RDONLY), Errno.ENOENT);
        assertErrno(() -> open("/data/../../outside/secret", O_RDONLY), Errno.ENOENT);
    }

    @Test
    void theHostPathOfASecretIsJustAMissingGuestPath() {
        assertErrno(() -> open(secretPath(), O_RDONLY), Errno.ENOENT);
    }

    @Test
    void aHostSymlinkToEtcResolvesToTheGuestsEtc() throws Exception {
        Files.createSymbolicLink(hostRoot.resolve("sysetc"), Path.of("/etc"));
        // The host's /etc/passwd exists; the guest's /etc holds only hosts.
        assertErrno(() -> open("/sysetc/passwd", O_RDONLY), Errno.ENOENT);
        assertThat(contents("/sysetc/hosts")).startsWith("127.0.0.1");
    }

    @Test
    void anAbsoluteHostSymlinkToTheSecretFindsNothing() throws Exception {
        Files.createSymbolicLink(hostRoot.resolve("leak"), outside.resolve("secret"));
        assertErrno(() -> open("/leak", O_RDONLY), Errno.ENOENT);
        assertThat(new String(p.readlinkat(AT_FDCWD, "/leak", 4096))).isEqualTo(secretPath());
    }

    @Test
    void aRelativeHostSymlinkClimbingOutStopsAtTheRoot() throws Exception {
        Files.createSymbolicLink(hostRoot.resolve("data/up"), Path.of("../../outside/secret"));
        assertErrno(() -> open("/data/up", O_RDONLY), Errno.ENOENT);
        Files.createSymbolicLink(hostRoot.resolve("data/updir"), Path.of("../../../.."));
        assertErrno(() -> open("/data/updir/outside/secret", O_RDONLY), Errno.ENOENT);
        assertThat(contents("/data/updir/etc/hosts")).startsWith("127.0.0.1");
    }

    @Test
    void guestCreatedSymlinksPointingOutFindNothing() throws Exception {
        p.symlinkat("../../../outside/secret", AT_FDCWD, "/tmp/x");
        p.symlinkat(secretPath(), AT_FDCWD, "/tmp/y");
        assertErrno(() -> open("/tmp/x", O_RDONLY), Errno.ENOENT);
        assertErrno(() -> open("/tmp/y", O_RDONLY), Errno.ENOENT);
    }

    @Test
    void procSelfRootIsTheGuestRoot() throws Exception {
        assertThat(contents("/proc/self/root/etc/hosts")).startsWith("127.0.0.1");
        assertErrno(() -> open("/proc/self/root/../outside/secret", O_RDONLY), Errno.ENOENT);
        assertErrno(() -> open("/proc/self/root/../../../" + secretPath(), O_RDONLY), Errno.ENOENT);
        assertErrno(() -> open("/proc/self/cwd/../../outside/secret", O_RDONLY), Errno.ENOENT);
    }

    @Test
    void mountsDoNotLeadAboveThemselves() throws Exception {
        Path shared = Files.createDirectories(temp.resolve("shared"));
        Files.writeString(shared.resolve("f"), "shared file");
        Files.createSymbolicLink(shared.resolve("abs"), outside.resolve("secret"));
        Files.createSymbolicLink(shared.resolve("rel"), Path.of("../outside/secret"));
        start(new FileSystem.Options(hostRoot, false, List.of(new MountSpec(shared, "/mnt/shared", true))));
        assertThat(contents("/mnt/shared/f")).isEqualTo("shared file");
        assertErrno(() -> open("/mnt/shared/abs", O_RDONLY), Errno.ENOENT);
        assertErrno(() -> open("/mnt/shared/rel", O_RDONLY), Errno.ENOENT);
        assertErrno(() -> open("/mnt/shared/../../outside/secret", O_RDONLY), Errno.ENOENT);
        assertThat(contents("/mnt/shared/../../etc/hosts")).startsWith("127.0.0.1");
    }

    @Test
    void hostDevicesAndFifosAreInvisible() throws Exception {
        Files.createSymbolicLink(hostRoot.resolve("disk"), Path.of("/dev/null"));
        // Through the guest's namespace /dev/null is the guest's device, never the host's node.
        assertThat(p.stat("/disk").rdev()).isEqualTo(Stat.makedev(1, 3));
        assertThat(p.stat("/disk").dev()).isEqualTo(FileSystem.DEV_DEV);
    }

    @Test
    void writesThroughTheRootNeverReachTheHost() throws Exception {
        create("/data/a.txt", "changed");
        create("/data/new.txt", "new");
        p.unlinkat(AT_FDCWD, "/etc/hosts", 0);
        assertThat(contents("/data/a.txt")).isEqualTo("changed");
        assertThat(Files.readString(hostRoot.resolve("data/a.txt"))).isEqualTo("alpha");
        assertThat(hostRoot.resolve("data/new.txt")).doesNotExist();
        assertThat(hostRoot.resolve("etc/hosts")).exists();
    }
}
