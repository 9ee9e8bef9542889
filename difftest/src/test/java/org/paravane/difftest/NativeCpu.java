package org.paravane.difftest;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host processor as the reference: {@code cpu-runner.c}, compiled with gcc at first use, runs each case natively
 * at CPL 3 (single-stepped with TF) in a child process and reports every step. Available wherever the tests run on
 * x86-64 Linux with gcc; no /dev/kvm needed.
 */
public final class NativeCpu implements Reference {

    private static final Path TARGET = Path.of("target");

    /** Why the host CPU cannot be used here, or null when it can. */
    public static String unavailableReason() {
        if (!"amd64".equals(System.getProperty("os.arch")) && !"x86_64".equals(System.getProperty("os.arch"))) {
            return "the host is not x86-64 (" + System.getProperty("os.arch") + ")";
        }
        try {
            build();
            return null;
        } catch (IOException | RuntimeException e) {
            return "cannot build the native runner with gcc: " + e.getMessage();
        }
    }

    /** The runner built from this source: named by the source's digest, so a changed runner is never run stale. */
    private static synchronized Path build() throws IOException {
        byte[] source;
        try (InputStream in = NativeCpu.class.getResourceAsStream("/native/cpu-runner.c")) {
            source = in.readAllBytes();
        }
        Path binary = TARGET.resolve("cpu-runner-" + Integer.toHexString(Arrays.hashCode(source)));
        if (Files.isExecutable(binary)) {
            return binary;
        }
        Files.createDirectories(TARGET);
        Path src = TARGET.resolve("cpu-runner.c");
        Files.write(src, source);
        Process p = new ProcessBuilder("gcc", "-O2", "-o", binary.toString(), src.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("gcc failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return binary;
    }

    @Override
    public String name() {
        return "host CPU";
    }

    /**
     * A stack access at a non-canonical address is #SS in 64-bit mode, but a host kernel may report it otherwise: the
     * PVM kernels of our CI hosts deliver it to user space as #GP (trap 13, SIGSEGV). Probed once, by running such a
     * push natively, so only a host that really reports it that way gets this reading.
     */
    @Override
    public boolean reportsAs(int architectural, int reported) {
        return architectural == reported
                || architectural == STACK_FAULT && reported == GENERAL_PROTECTION && hostReportsStackFaultsAsGp();
    }

    private static final int STACK_FAULT = 12, GENERAL_PROTECTION = 13;
    private static volatile Boolean stackFaultsAsGp;

    private boolean hostReportsStackFaultsAsGp() {
        Boolean known = stackFaultsAsGp;
        if (known == null) {
            TestCase probe = SequenceGenerator.fixed(List.of("non-canonical push"),
                    List.of(List.of(SequenceGenerator.G.plain("mov rsp, 0x8000000000000000"),
                            SequenceGenerator.G.plain("push rax"))), 1, true).getFirst();
            CpuRecord last = run(List.of(probe)).getFirst().getLast();
            known = last.kind() == CpuRecord.Kind.FAULT && last.vector() == GENERAL_PROTECTION;
            if (known) {
                System.out.println("host CPU reference: this host's kernel reports a non-canonical stack access as #GP,"
                        + " not #SS; the emulated CPU's #SS is compared as that report");
            }
            stackFaultsAsGp = known;
        }
        return known;
    }

    @Override
    public List<List<CpuRecord>> run(List<TestCase> cases) {
        try {
            Process p = new ProcessBuilder(build().toAbsolutePath().toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Thread writer = Thread.ofVirtual().start(() -> {
                try (OutputStream out = new BufferedOutputStream(p.getOutputStream(), 1 << 16)) {
                    for (TestCase tc : cases) {
                        ByteBuffer b = ByteBuffer.allocate(8 + 18 * 8 + 8).order(ByteOrder.LITTLE_ENDIAN);
                        b.putInt(tc.code().length).putInt(tc.stepwise() ? 1 : 0);
                        for (long r : tc.regs()) {
                            b.putLong(r);
                        }
                        b.putLong(tc.gsBase());
                        out.write(b.array());
                        ByteBuffer v = ByteBuffer.allocate(8 * Layout.SIMD_WORDS).order(ByteOrder.LITTLE_ENDIAN);
                        for (long w : tc.simd()) {
                            v.putLong(w);
                        }
                        out.write(v.array());
                        out.write(tc.code());
                        out.write(tc.data());
                    }
                } catch (IOException e) {
                    // the reader reports the short output
                }
            });
            List<List<CpuRecord>> all = new ArrayList<>(cases.size());
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(p.getInputStream(), 1 << 16))) {
                for (TestCase tc : cases) {
                    List<CpuRecord> records = new ArrayList<>();
                    for (;;) {
                        CpuRecord r = read(in);
                        records.add(r);
                        if (r.last()) {
                            break;
                        }
                    }
                    all.add(records);
                }
            } catch (EOFException e) {
                throw new IllegalStateException("the native runner stopped early (exit " + p.waitFor() + ") after "
                        + "case " + all.size() + " of " + cases.size() + ": " + cases.get(all.size()).name());
            }
            writer.join();
            p.waitFor(10, TimeUnit.SECONDS);
            return all;
        } catch (IOException e) {
            throw new IllegalStateException("native runner: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static long le(DataInputStream in) throws IOException {
        return Long.reverseBytes(in.readLong());
    }

    private static CpuRecord read(DataInputStream in) throws IOException {
        int kind = Integer.reverseBytes(in.readInt());
        long[] regs = new long[18];
        for (int i = 0; i < 18; i++) {
            regs[i] = le(in);
        }
        regs[Layout.RFLAGS] &= ~((1L << 8) | (1L << 16));        // TF (the stepping) and RF (fault restart)
        long[] simd = new long[Layout.SIMD_WORDS];
        for (int i = 0; i < simd.length; i++) {
            simd[i] = le(in);
        }
        return readRest(in, kind, regs).withSimd(simd);
    }

    private static CpuRecord readRest(DataInputStream in, int kind, long[] regs) throws IOException {
        return switch (kind) {
            case 1 -> CpuRecord.step(regs);
            case 2 -> new CpuRecord(CpuRecord.Kind.END, regs, -1, 0, 0, in.readNBytes(Layout.DATA_SIZE), "");
            case 3 -> {
                int trap = (int) le(in);
                long err = le(in);
                long cr2 = le(in);
                yield new CpuRecord(CpuRecord.Kind.FAULT, regs, trap, err, trap == 14 ? cr2 : 0,
                        in.readNBytes(Layout.DATA_SIZE), "");
            }
            case 4 -> new CpuRecord(CpuRecord.Kind.LIMIT, regs, -1, 0, 0, in.readNBytes(Layout.DATA_SIZE), "");
            default -> throw new IOException("bad record kind " + kind);
        };
    }

    @Override
    public void close() {
    }
}
