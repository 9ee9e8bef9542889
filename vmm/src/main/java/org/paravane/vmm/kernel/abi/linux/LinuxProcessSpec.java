package org.paravane.vmm.kernel.abi.linux;

import java.util.List;
import java.util.Objects;

/**
 * A Linux process to start: its executable as the guest names it and as the loader reads it, and the argv and envp
 * it starts with (argv[0] included, as execve takes them).
 *
 * @param executablePath the executable's absolute path in the guest's file system ({@code /proc/self/exe})
 * @param executable     the executable's bytes (an ELF file, not yet checked)
 */
public record LinuxProcessSpec(String executablePath, byte[] executable, List<String> argv, List<String> envp) {

    public LinuxProcessSpec {
        Objects.requireNonNull(executablePath, "executablePath");
        Objects.requireNonNull(executable, "executable");
        argv = List.copyOf(argv);
        envp = List.copyOf(envp);
        if (!executablePath.startsWith("/")) {
            throw new IllegalArgumentException("executable path " + executablePath + " must be absolute in the guest");
        }
    }
}
