package org.paravane.vmm.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.GuestKernel;
import org.paravane.vmm.kernel.Task;
import org.paravane.vmm.kernel.WaitPolicy;
import org.paravane.vmm.kernel.abi.linux.LinuxOptions;
import org.paravane.vmm.kernel.abi.linux.LinuxProcessSpec;
import org.paravane.vmm.kernel.abi.linux.ServedFileSpec;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.FileSystem;
import org.paravane.vmm.source.SourceSpec;

/**
 * The experiment with unmodified Linux programs: each scanner is a busybox applet reading a file of its own whose
 * data is served lazily, each worker busybox {@code sha256sum /dev/zero} (CPU-bound: hashing). All read 4 KiB at a
 * time, so a worker's work unit is one 4 KiB block hashed and a scanner's progress one page: their {@code read}
 * calls. Nothing in the programs knows about the experiment.
 */
final class ProgramsWorkload implements Workload {

    /** What the scanners are. */
    enum Scanner {
        /** {@code dd if=FILE of=/dev/null bs=4096}: a page costs little but its wait (I/O-bound). */
        READ("busybox-dd", "busybox dd bs=4096 of"),
        /** {@code sha256sum FILE}: each page also costs a hash, as much as a worker's work unit (CPU-heavy). */
        HASH("busybox-sha256sum", "busybox sha256sum of");

        private final String key, says;

        Scanner(String key, String says) {
            this.key = key;
            this.says = says;
        }

        List<String> args(String file) {
            return this == HASH ? List.of("sha256sum", file) : List.of("dd", "if=" + file, "of=/dev/null", "bs=4096");
        }
    }

    private static final List<String> ENV = List.of("PATH=/bin", "HOME=/", "LANG=C");
    private static final int STDERR_KEPT = 4096;

    private final Path busybox;
    private final byte[] executable;
    private final Scanner scanner;
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    /**
     * @param busybox a static busybox executable on the host (Debian's busybox-static: /bin/busybox)
     * @param scanner what the scanners run
     */
    ProgramsWorkload(Path busybox, Scanner scanner) throws IOException {
        this.busybox = busybox;
        this.scanner = scanner;
        this.executable = Files.readAllBytes(busybox);
    }

    @Override
    public String key() {
        return scanner.key;
    }

    @Override
    public String describe(AsyncPfExperiment.Options o) {
        return String.format(Locale.ROOT, "%d vCPUs, %d scanners (%s a file of %d MiB served lazily,"
                + " %d us per page), %d workers (busybox sha256sum /dev/zero; a work unit is 4 KiB hashed),"
                + " %.1f s per run; busybox: %s", o.vcpus(), o.scanners(), scanner.says, o.bytesPerScanner() >> 20,
                o.latencyNanos() / 1000, o.workers(), o.runMillis() / 1000.0, busybox);
    }

    @Override
    public VmDefinition define(String name, String backend, WaitPolicy policy, AsyncPfExperiment.Options o)
            throws IOException {
        List<VmDefinition.Launch> launches = new ArrayList<>();
        List<ServedFileSpec> served = new ArrayList<>();
        for (int i = 0; i < o.scanners(); i++) {
            String file = "/data/scan" + i;
            // the synthetic experiment's source: the same pages at the same latency, a file of its own per scanner
            served.add(new ServedFileSpec(file, new SourceSpec("pattern", String.valueOf(2010 + i), o.latencyNanos(), 0),
                    o.bytesPerScanner(), -1));
            launches.add(VmDefinition.Launch.linuxProcess("scanner" + i, process(scanner.args(file))));
        }
        for (int i = 0; i < o.workers(); i++) {
            launches.add(VmDefinition.Launch.linuxProcess("worker" + i, process(List.of("sha256sum", "/dev/zero"))));
        }
        Console console = Console.streams(InputStream.nullInputStream(), OutputStream.nullOutputStream(), new Kept());
        LinuxOptions linux = new LinuxOptions(FileSystem.Options.emptyRoot(), console, served);
        return new VmDefinition(name, backend, o.vcpus(), 128, null, 0, launches, policy, PreemptionModel.PREEMPTIBLE,
                o.sliceMicros(), null, linux);
    }

    private LinuxProcessSpec process(List<String> args) {
        List<String> argv = new ArrayList<>(List.of("/bin/busybox"));
        argv.addAll(args);
        return new LinuxProcessSpec("/bin/busybox", executable, argv, ENV);
    }

    @Override
    public long work(GuestKernel kernel) {
        return reads(kernel, "worker");
    }

    @Override
    public long scanned(GuestKernel kernel) {
        return reads(kernel, "scanner");
    }

    private static long reads(GuestKernel kernel, String prefix) {
        long n = 0;
        for (Task t : kernel.tasks()) {
            if (t.name().startsWith(prefix)) {
                n += t.syscallStats().byTime(t.abi()).stream().filter(c -> c.name().equals("read"))
                        .mapToLong(c -> c.count()).sum();
            }
        }
        return n;
    }

    @Override
    public String problem(GuestKernel kernel) {
        String p = Workload.super.problem(kernel);
        if (p == null) {
            return null;
        }
        synchronized (stderr) {
            return stderr.size() == 0 ? p : p + "; stderr: " + stderr.toString(StandardCharsets.UTF_8).strip();
        }
    }

    /** The guests' stderr, its first {@value #STDERR_KEPT} bytes kept for a failure's message. */
    private final class Kept extends OutputStream {
        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (stderr) {
                stderr.write(b, off, Math.max(0, Math.min(len, STDERR_KEPT - stderr.size())));
            }
        }
    }
}
