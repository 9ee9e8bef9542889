package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Lua 5.4.7's own test suite ({@code lua -e"_port=true" all.lua} in {@code testes/}) run by the glibc-static
 * interpreter the guests build makes, as an unmodified Linux process whose root is the conformance folder's
 * {@code testes/} under the in-memory layer (which takes its writes, such as {@code time.txt}; /tmp is in memory): it
 * must print {@code final OK !!!} and exit 0. Natively it takes about 8 s; the wall time on each backend is printed
 * (the README's figures come from the bench module's {@code LinuxProgramRuns}, not from here).
 * The build runs the whole suite (natively 8 s, on the software CPU about 4 minutes); {@code -Dparavane.lua.suite=soft}
 * adds {@code _soft=true} (every file, the heavy loops shortened) for a quicker run while working.
 */
class LuaTestSuiteTest {
    private static final long TIMEOUT_SECONDS = Long.getLong("paravane.lua.timeout", 3600);

    private static void suite(GuestStack stack) throws Exception {
        Path lua = LinuxPrograms.realProgram("lua");
        Path testes = LinuxPrograms.conformance("lua-5.4.7").resolve("testes");
        String flags = "soft".equals(System.getProperty("paravane.lua.suite")) ? "_port=true; _soft=true" : "_port=true";
        LinuxPrograms.Run r = LinuxPrograms.run(stack, "lua-" + stack.name(), lua, List.of("-e" + flags, "all.lua"),
                testes, new byte[0], TIMEOUT_SECONDS);
        System.out.printf("Lua test suite (%s) on %s: %.1f s%n", flags, stack.name(), r.nanos() / 1e9);
        assertThat(r.stdout()).as("%s", r).contains("final OK !!!");
        assertThat(r.exitCode()).as("%s", r).isZero();
    }

    @Test
    void passesOnTheSoftwareCpu() throws Exception {
        try (GuestStack s = GuestStack.emulated()) {
            suite(s);
        }
    }

    @Test
    void passesOnKvm() throws Exception {
        try (GuestStack s = GuestStack.kvm()) {
            suite(s);
        }
    }
}
