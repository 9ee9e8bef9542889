package org.paravane.vmm.manager;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.paravane.vmm.kernel.ElfImage;
import org.paravane.vmm.kernel.InvalidImageException;

/**
 * Finds guest images: a path to a file, or the name of a program shipped in this bundle ({@code hello},
 * {@code guests/hello.elf}).
 */
public final class GuestImages {

    public static final List<String> BUNDLED = List.of("hello", "worker", "scanner", "kscan", "checksum",
            "cpu_alu", "cpu_sieve", "cpu_fib", "cpu_crc", "cpu_nbody", "cpuinfo", "fpstate", "fpswitch", "faults", "traps");

    private GuestImages() {
    }

    public static ElfImage load(String nameOrPath) throws IOException, InvalidImageException {
        Path file = Path.of(nameOrPath);
        if (Files.isRegularFile(file)) {
            return ElfImage.parse(file.getFileName().toString(), Files.readAllBytes(file));
        }
        String name = nameOrPath.replaceFirst("^guests/", "").replaceFirst("\\.elf$", "");
        try (InputStream in = GuestImages.class.getResourceAsStream("/guests/" + name + ".elf")) {
            if (in == null) {
                throw new IOException("no guest image '" + nameOrPath + "': not a file, and not one of the bundled programs "
                        + String.join(", ", BUNDLED));
            }
            return ElfImage.parse(name + ".elf", in.readAllBytes());
        }
    }

    /** One line per bundled program with what it does (the first comment line of its source). */
    public static String describe() {
        StringBuilder b = new StringBuilder();
        for (String name : BUNDLED) {
            b.append(String.format("%-10s %s%n", name, PURPOSE.getOrDefault(name, "")));
        }
        return b.toString();
    }

    private static final java.util.Map<String, String> PURPOSE = java.util.Map.ofEntries(
            java.util.Map.entry("hello", "prints a greeting"),
            java.util.Map.entry("worker", "CPU-bound work units (arg: units, 0 = until stopped)"),
            java.util.Map.entry("scanner", "checksums every page of its data region (arg: passes)"),
            java.util.Map.entry("kscan", "kernel-mode scan in a chosen context (arg: 0 preempt-off, 1 RCU, 2 preemptible, 3 IRQs off)"),
            java.util.Map.entry("checksum", "CRC-32 of its file-backed data region"),
            java.util.Map.entry("cpu_alu", "CPU kernel: register ALU loop (arg: iterations)"),
            java.util.Map.entry("cpu_sieve", "CPU kernel: byte sieve (arg: passes)"),
            java.util.Map.entry("cpu_fib", "CPU kernel: recursive fib(27) (arg: times)"),
            java.util.Map.entry("cpu_crc", "CPU kernel: table CRC-32 (arg: passes)"),
            java.util.Map.entry("cpu_nbody", "CPU kernel: double-precision n-body, exact energies (arg: steps)"),
            java.util.Map.entry("cpuinfo", "prints every CPUID leaf the VM's CPU model announces, and XCR0"),
            java.util.Map.entry("fpstate", "keeps its own MXCSR, x87 control word and XMM values across time slices (arg: 1 or 2)"),
            java.util.Map.entry("fpswitch", "yields in a loop, with (arg > 0) or without (arg < 0) XMM use: FP switch cost"),
            java.util.Map.entry("faults", "misbehaves on purpose (arg: 0 bad hypercall, 1 bad pointer, 2 #UD, 3 page fault, 4 triple fault)"),
            java.util.Map.entry("traps", "user-mode exceptions (arg: 0 int3, 1 int 4, 2 int 0x80, 3-9 writes to unmapped or kernel memory)"));
}
