package org.paravane.vmm.kernel.abi.linux;

import java.util.Objects;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * What a VM's Linux processes share: the file system view they are given, the console their fds 0, 1 and 2 are
 * connected to, and the most processes the VM may hold at once (zombies included; fork fails with EAGAIN beyond).
 */
public record LinuxOptions(FileSystem.Options files, Console console, int maxProcesses) {

    /** The default of {@link #maxProcesses}. */
    public static final int DEFAULT_MAX_PROCESSES = 512;

    public LinuxOptions(FileSystem.Options files, Console console) {
        this(files, console, DEFAULT_MAX_PROCESSES);
    }

    public LinuxOptions {
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(console, "console");
        if (maxProcesses < 1 || maxProcesses > 65536) {
            throw new IllegalArgumentException("maxProcesses must be 1..65536, not " + maxProcesses);
        }
    }
}
