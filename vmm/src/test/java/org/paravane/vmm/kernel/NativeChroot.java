package org.paravane.vmm.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A program run natively as the guest sees it: chrooted into the guest's root folder in a user namespace (no
 * privileges needed), with /dev bound and /proc and /tmp mounted as the guest has them, the same environment
 * ({@link LinuxPrograms#ENV}) and working directory. The root folder needs {@code dev}, {@code proc} and {@code tmp}
 * folders as mount points and the program at its guest path. A host that cannot make the namespace is a skip.
 */
final class NativeChroot {
    private static final Path UNSHARE = Path.of("/usr/bin/unshare");

    private NativeChroot() {
    }

    /** Runs {@code argv} (argv[0] a path inside {@code root}) in {@code root}, from {@code cwd} (a guest path). */
    static LinuxPrograms.Run run(Path root, String cwd, List<String> argv, byte[] stdin, long timeoutSeconds)
            throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(UNSHARE), "skipped: no " + UNSHARE + " (util-linux)");
        for (String d : List.of("dev", "proc", "tmp")) {
            Files.createDirectories(root.resolve(d));
        }
        String r = quote(root.toString());
        StringBuilder inside = new StringBuilder("mount --rbind /dev ").append(r).append("/dev && mount -t proc proc ")
                .append(r).append("/proc && mount -t tmpfs tmpfs ").append(r).append("/tmp && exec chroot ").append(r)
                .append(" /bin/busybox env -i");
        for (String e : LinuxPrograms.ENV) {
            inside.append(' ').append(quote(e));
        }
        inside.append(" /bin/busybox sh -c 'cd \"$0\" && exec \"$@\"' ").append(quote(cwd));
        for (String a : argv) {
            inside.append(' ').append(quote(a));
        }
        List<String> cmd = List.of(UNSHARE.toString(), "-rmpf", "--mount-proc", "/bin/sh", "-c", inside.toString());
        LinuxPrograms.Run run = LinuxPrograms.runProcess(cmd, null, null, stdin, timeoutSeconds);
        Assumptions.assumeFalse(run.stderr().startsWith("unshare:") || run.stderr().startsWith("mount:"),
                () -> "skipped: this host cannot chroot in a user namespace: " + run.stderr().strip());
        return run;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
