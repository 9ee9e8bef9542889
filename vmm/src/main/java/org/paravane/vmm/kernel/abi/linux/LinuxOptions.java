package org.paravane.vmm.kernel.abi.linux;

import java.util.List;
import java.util.Objects;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * What a VM's Linux processes share: the file system view they are given, the console their fds 0, 1 and 2 are
 * connected to, the files a page source serves lazily ({@code --lazy-file}), which the VM's builder places in its
 * data region before the processes start, and the most processes the VM may hold at once (zombies included; fork
 * fails with EAGAIN beyond).
 */
public record LinuxOptions(FileSystem.Options files, Console console, List<ServedFileSpec> servedFiles,
                           int maxProcesses) {

    /** The default of {@link #maxProcesses}. */
    public static final int DEFAULT_MAX_PROCESSES = 512;

    public LinuxOptions {
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(console, "console");
        servedFiles = List.copyOf(servedFiles);
        if (maxProcesses < 1 || maxProcesses > 65536) {
            throw new IllegalArgumentException("maxProcesses must be 1..65536, not " + maxProcesses);
        }
    }

    public LinuxOptions(FileSystem.Options files, Console console) {
        this(files, console, List.of(), DEFAULT_MAX_PROCESSES);
    }

    public LinuxOptions(FileSystem.Options files, Console console, List<ServedFileSpec> servedFiles) {
        this(files, console, servedFiles, DEFAULT_MAX_PROCESSES);
    }

    public LinuxOptions(FileSystem.Options files, Console console, int maxProcesses) {
        this(files, console, List.of(), maxProcesses);
    }

    /** The same options on another console. */
    public LinuxOptions withConsole(Console other) {
        return new LinuxOptions(files, other, servedFiles, maxProcesses);
    }

    /** The same options with the served files as placed. */
    public LinuxOptions withServedFiles(List<ServedFileSpec> placed) {
        return new LinuxOptions(files, console, placed, maxProcesses);
    }
}
