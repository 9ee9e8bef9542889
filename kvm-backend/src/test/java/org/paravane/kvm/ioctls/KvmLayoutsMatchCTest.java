package org.paravane.kvm.ioctls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.paravane.kvm.uffd.UffdLayouts;
import org.paravane.support.linux.Poll;
import org.paravane.support.linux.Signals;
import org.paravane.support.linux.Timers;

/**
 * Every Java layout against the C headers: a C program generated from the layouts prints sizeof/offsetof of every named
 * field (and the ioctl numbers), gcc compiles it against the installed uapi and libc headers, and the values must match.
 * A drift fails the build; without gcc the test is skipped with that reason.
 */
class KvmLayoutsMatchCTest {

    /** Fields newer than the installed headers, checked only where the headers define them. */
    private static final Map<String, String> GUARDS = Map.of("kvm_run.memory_fault", "KVM_EXIT_MEMORY_FAULT");

    private static final List<StructLayout> LAYOUTS = new ArrayList<>();

    static {
        LAYOUTS.addAll(KvmLayouts.ALL);
        LAYOUTS.addAll(UffdLayouts.ALL);
        LAYOUTS.addAll(List.of(Poll.POLLFD, Signals.SIGACTION, Signals.TIMESPEC, Timers.SIGEVENT, Timers.ITIMERSPEC));
    }

    @Test
    void javaLayoutsMatchTheCHeaders(@TempDir Path dir) throws Exception {
        Path gcc = Path.of("/usr/bin/gcc");
        assumeTrue(Files.isExecutable(gcc) || onPath("gcc"), "gcc is not installed: cannot compare the layouts with the C headers");
        Map<String, Long> java = new LinkedHashMap<>();
        StringBuilder c = new StringBuilder("""
                #define _GNU_SOURCE
                #include <stddef.h>
                #include <stdio.h>
                #include <signal.h>
                #include <time.h>
                #include <poll.h>
                #include <linux/kvm.h>
                #include <linux/userfaultfd.h>
                #define P(name, value) printf("%s %lu\\n", name, (unsigned long)(value))
                int main(void) {
                """);
        for (StructLayout l : LAYOUTS) {
            String struct = l.name().orElseThrow();
            java.put(struct + " size", l.byteSize());
            c.append("P(\"").append(struct).append(" size\", sizeof(struct ").append(struct).append("));\n");
            walk(l, struct, "", 0, java, c);
        }
        for (Field f : KvmIoctls.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == long.class) {
                java.put("ioctl " + f.getName(), f.getLong(null));
                c.append("P(\"ioctl ").append(f.getName()).append("\", ").append(f.getName()).append(");\n");
            }
        }
        for (String[] u : new String[][] {{"UFFDIO_API_IOCTL", "UFFDIO_API"}, {"UFFDIO_REGISTER_IOCTL", "UFFDIO_REGISTER"},
                {"UFFDIO_COPY_IOCTL", "UFFDIO_COPY"}, {"UFFDIO_ZEROPAGE_IOCTL", "UFFDIO_ZEROPAGE"},
                {"UFFDIO_WAKE_IOCTL", "UFFDIO_WAKE"}, {"UFFDIO_UNREGISTER_IOCTL", "UFFDIO_UNREGISTER"}}) {
            java.put("ioctl " + u[1], UffdLayouts.class.getField(u[0]).getLong(null));
            c.append("P(\"ioctl ").append(u[1]).append("\", ").append(u[1]).append(");\n");
        }
        c.append("return 0; }\n");
        Path src = dir.resolve("layouts.c");
        Path exe = dir.resolve("layouts");
        Files.writeString(src, c);
        String compile = run(dir, "gcc", "-Wall", "-o", exe.toString(), src.toString());
        String out = run(dir, exe.toString());
        Map<String, Long> fromC = new LinkedHashMap<>();
        for (String line : out.lines().toList()) {
            int sp = line.lastIndexOf(' ');
            fromC.put(line.substring(0, sp), Long.parseUnsignedLong(line.substring(sp + 1)));
        }
        List<String> skipped = new ArrayList<>(java.keySet());
        skipped.removeAll(fromC.keySet());
        for (String key : skipped) {
            assertThat(GUARDS.keySet().stream().anyMatch(key::startsWith))
                    .as("%s was not printed by the C program (compiler said: %s)", key, compile).isTrue();
        }
        java.keySet().removeAll(skipped);
        assertThat(fromC).as("C sizes/offsets/ioctl numbers (left) vs Java layouts").containsExactlyInAnyOrderEntriesOf(java);
        assertThat(java).hasSizeGreaterThan(300);
        System.out.printf("layouts: %d values match the C headers; %d fields newer than the headers skipped: %s%n",
                java.size(), skipped.size(), skipped);
    }

    private static void walk(MemoryLayout layout, String struct, String prefix, long base, Map<String, Long> java, StringBuilder c) {
        if (!(layout instanceof GroupLayout g)) {
            return;
        }
        long offset = 0;
        for (MemoryLayout m : g.memberLayouts()) {
            long at = g instanceof StructLayout ? offset : 0;
            offset += m.byteSize();
            if (m instanceof PaddingLayout || m.name().isEmpty()) {
                continue;
            }
            String name = m.name().get();
            boolean anonymous = name.startsWith("$");
            String path = anonymous ? prefix : prefix + name;
            if (!anonymous) {
                String key = struct + "." + path;
                String guard = GUARDS.entrySet().stream().filter(e -> key.startsWith(e.getKey())).map(Map.Entry::getValue)
                        .findFirst().orElse(null);
                if (guard != null) {
                    c.append("#ifdef ").append(guard).append('\n');
                }
                java.put(key + " offset", base + at);
                java.put(key + " size", m.byteSize());
                c.append("P(\"").append(key).append(" offset\", offsetof(struct ").append(struct).append(", ").append(path).append("));\n");
                c.append("P(\"").append(key).append(" size\", sizeof(((struct ").append(struct).append(" *)0)->").append(path).append("));\n");
                walk(m, struct, path + ".", base + at, java, c);
                if (guard != null) {
                    c.append("#endif\n");
                }
            } else {
                walk(m, struct, prefix, base + at, java, c);
            }
        }
    }

    private static boolean onPath(String tool) {
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(p, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s failed:%n%s", String.join(" ", command), out).isZero();
        return out;
    }
}
