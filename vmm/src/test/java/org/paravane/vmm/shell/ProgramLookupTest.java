package org.paravane.vmm.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.paravane.vmm.linux.fs.FileSystem;
import org.paravane.vmm.linux.fs.MountSpec;
import org.paravane.vmm.shell.ProgramLookup.LinuxProgram;
import org.paravane.vmm.shell.ProgramLookup.ParavaneImage;

class ProgramLookupTest {
    @TempDir
    Path dir;
    Path root;
    byte[] hello;
    /** A static ELF without the Paravane note: to the launcher, a Linux program. */
    byte[] linux;

    @BeforeEach
    void files() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/guests/hello.elf")) {
            hello = in.readAllBytes();
        }
        linux = hello.clone();
        byte[] name = "Paravane\0".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + name.length <= linux.length; i++) {
            if (Arrays.equals(linux, i, i + name.length, name, 0, name.length)) {
                linux[i] = 'X';
            }
        }
        root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve("bin"));
        Files.write(root.resolve("bin/prog"), linux);
        Files.createSymbolicLink(root.resolve("bin/alias"), Path.of("/bin/prog"));   // absolute: inside the guest's root
        Files.createSymbolicLink(root.resolve("bin/escape"), dir.resolve("outside"));
        Files.write(dir.resolve("outside"), linux);
        Files.write(dir.resolve("hello.elf"), hello);
        Files.write(dir.resolve("notes.txt"), "just text\n".getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("script"), "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8));
    }

    private static FileSystem.Options view(Path root, MountSpec... mounts) {
        return new FileSystem.Options(root, true, List.of(mounts));
    }

    private static ProgramLookup lookup(FileSystem.Options files, String hostPath) {
        return new ProgramLookup(files, ProgramLookup.GUEST_PATH, hostPath);
    }

    /** What the guest reads at the program's path in its view: the program itself. */
    private static void guestSees(LinuxProgram p, byte[] expected) throws Exception {
        assertThat(new GuestView(p.files()).read(p.guestPath())).isEqualTo(expected);
    }

    @Test
    void bundledNamesAndFilesWithTheNoteAreParavaneImages() {
        ProgramLookup l = lookup(view(null), "");
        assertThat(l.find("hello", 0)).isInstanceOfSatisfying(ParavaneImage.class, p -> assertThat(p.argument()).isZero());
        assertThat(l.find("worker:30", 0)).isInstanceOfSatisfying(ParavaneImage.class, p -> assertThat(p.argument()).isEqualTo(30));
        assertThat(l.find(dir.resolve("hello.elf").toString(), 4)).isInstanceOfSatisfying(ParavaneImage.class,
                p -> assertThat(p.argument()).isEqualTo(4));
        assertThat(l.find(dir.resolve("hello.elf") + ":9", 0)).isInstanceOfSatisfying(ParavaneImage.class,
                p -> assertThat(p.argument()).isEqualTo(9));
    }

    @Test
    void aHostProgramOutsideTheRootIsMountedReadOnlyAtItsRealPath() throws Exception {
        FileSystem.Options files = view(root);
        LinuxProgram p = (LinuxProgram) lookup(files, "").find(dir.resolve("outside").toString(), 0);
        String real = dir.resolve("outside").toRealPath().toString();
        assertThat(p.guestPath()).isEqualTo(real);
        assertThat(p.files().mounts()).containsExactly(new MountSpec(Path.of(real), real, true));
        assertThat(p.files().hostRoot()).isEqualTo(root);
        guestSees(p, linux);
    }

    @Test
    void withAnEmptyRootTooEvenUnderTmp() throws Exception {
        LinuxProgram p = (LinuxProgram) lookup(view(null), "").find(dir.resolve("outside").toString(), 0);
        guestSees(p, linux);
    }

    @Test
    void aHostProgramInsideTheRootOrAMountIsSeenWhereItIs() throws Exception {
        LinuxProgram inRoot = (LinuxProgram) lookup(view(root), "").find(root.resolve("bin/prog").toString(), 0);
        assertThat(inRoot.guestPath()).isEqualTo("/bin/prog");
        assertThat(inRoot.files().mounts()).isEmpty();
        guestSees(inRoot, linux);
        MountSpec mount = new MountSpec(dir, "/mnt/host", true);
        LinuxProgram inMount = (LinuxProgram) lookup(view(null, mount), "").find(dir.resolve("outside").toString(), 0);
        assertThat(inMount.guestPath()).isEqualTo("/mnt/host/outside");
        assertThat(inMount.files().mounts()).containsExactly(mount);
        guestSees(inMount, linux);
    }

    @Test
    void withARootAbsolutePathsAndBareNamesAreLookedUpInTheGuestFirst() throws Exception {
        ProgramLookup l = lookup(view(root), "");
        assertThat(((LinuxProgram) l.find("/bin/prog", 0)).guestPath()).isEqualTo("/bin/prog");
        assertThat(((LinuxProgram) l.find("prog", 0)).guestPath()).isEqualTo("/bin/prog");
        LinuxProgram alias = (LinuxProgram) l.find("/bin/alias", 0);   // its absolute link resolves inside the root
        assertThat(alias.guestPath()).isEqualTo("/bin/alias");
        assertThat(alias.executable()).isEqualTo(linux);
    }

    @Test
    void aLinkPointingOutOfTheRootFindsNothingThere() {
        // In the guest, /bin/escape points at a path that does not exist inside the root, and the host has no /bin/escape.
        assertThatThrownBy(() -> lookup(view(root), "").find("/bin/escape", 0)).isInstanceOfSatisfying(CommandStatus.class,
                e -> assertThat(e.status()).isEqualTo(CommandStatus.NOT_FOUND));
    }

    @Test
    void bareNamesFallBackToTheHostPath() throws Exception {
        LinuxProgram p = (LinuxProgram) lookup(view(null), "/nonexistent:" + dir).find("outside", 0);
        assertThat(p.guestPath()).isEqualTo(dir.resolve("outside").toRealPath().toString());
    }

    @Test
    void whatCannotRunSaysWhyWith126AndWhatIsMissing127() {
        ProgramLookup l = lookup(view(null), dir.toString());
        assertThatThrownBy(() -> l.find("no-such-program", 0)).isInstanceOfSatisfying(CommandStatus.class,
                e -> assertThat(e.status()).isEqualTo(127)).hasMessageContaining("no program 'no-such-program'");
        assertThatThrownBy(() -> l.find(dir.resolve("missing").toString(), 0)).isInstanceOfSatisfying(CommandStatus.class,
                e -> assertThat(e.status()).isEqualTo(127));
        assertThatThrownBy(() -> l.find(dir.resolve("notes.txt").toString(), 0)).isInstanceOfSatisfying(CommandStatus.class,
                e -> assertThat(e.status()).isEqualTo(126)).hasMessageContaining("not an ELF executable");
        assertThatThrownBy(() -> l.find(dir.resolve("script").toString(), 0)).hasMessageContaining("#! script");
        assertThatThrownBy(() -> l.find(dir.toString(), 0)).isInstanceOfSatisfying(CommandStatus.class,
                e -> assertThat(e.status()).isEqualTo(126)).hasMessageContaining("is a directory");
    }

    @Test
    void aRootThatIsNoDirectoryOrAMountOfNothingIsAUsageError() {
        assertThatThrownBy(() -> lookup(view(dir.resolve("notes.txt")), "")).isInstanceOfSatisfying(CommandStatus.class,
                e -> assertThat(e.status()).isEqualTo(2)).hasMessageContaining("not a directory");
        assertThatThrownBy(() -> lookup(view(null, new MountSpec(dir.resolve("gone"), "/mnt", true)), ""))
                .isInstanceOfSatisfying(CommandStatus.class, e -> assertThat(e.status()).isEqualTo(2))
                .hasMessageContaining("mount " + dir.resolve("gone"));
    }
}
