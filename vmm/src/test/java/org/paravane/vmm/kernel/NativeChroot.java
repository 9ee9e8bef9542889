package org.paravane.vmm.kernel;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A program run natively as the guest sees it: chrooted into the guest's root folder in a user namespace (no
 * privileges needed), with /dev bound and /proc and /tmp mounted as the guest has them, the same environment
 * ({@link RealPrograms#ENV}) and working directory. The root folder needs {@code dev}, {@code proc} and {@code tmp}
 * folders as mount points and the program at its guest path. A host that cannot make the namespace is a skip.
 */
final class NativeChroot {
    private static final Path UNSHARE = Path.of("/usr/bin/unshare");

    private NativeChroot() {
    }

    /** Runs {@code argv} (argv[0] a path inside {@code root}) in {@code root}, from {@code cwd} (a guest path). */
    static RealPrograms.Run run(Path root, String cwd, List<String> argv, byte[] stdin, long timeoutSeconds)
            throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(UNSHARE), "skipped: no " + UNSHARE + " (util-linux)");
        for (String d : List.of("dev", "proc", "tmp")) {
            Files.createDirectories(root.resolve(d));
        }
        String r = quote(root.toString());
        StringBuilder inside = new StringBuilder("mount --rbind /dev ").append(r).append("/dev && mount -t proc proc ")
                .append(r).append("/proc && mount -t tmpfs tmpfs ").append(r).append("/tmp && exec chroot ").append(r)
                .append(" /bin/busybox env -i");
        for (String e : RealPrograms.ENV) {
            inside.append(' ').append(quote(e));
        }
        inside.append(" /bin/busybox sh -c 'cd \"$0\" && exec \"$@\"' ").append(quote(cwd));
        for (String a : argv) {
            inside.append(' ').append(quote(a));
        }
        List<String> cmd = new ArrayList<>(List.of(UNSHARE.toString(), "-rmpf", "--mount-proc", "/bin/sh", "-c",
                inside.toString()));
        Path errFile = Files.createTempFile("native-stderr", ".txt");
        try {
            long start = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectError(errFile.toFile()).start();
            try (var in = p.getOutputStream()) {
                in.write(stdin);
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("native " + argv + " did not finish in " + timeoutSeconds + " s");
            }
            byte[] err = Files.readAllBytes(errFile);
            String errText = new String(err, StandardCharsets.UTF_8);
            Assumptions.assumeFalse(errText.startsWith("unshare:") || errText.startsWith("mount:"),
                    () -> "skipped: this host cannot chroot in a user namespace: " + errText.strip());
            return new RealPrograms.Run(p.exitValue(), out, err, null, System.nanoTime() - start);
        } finally {
            Files.delete(errFile);
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
