package org.paravane.vmm.kernel.abi.linux;

import java.util.List;
import java.util.Objects;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * What a VM's Linux processes share: the file system view they are given, the console their fds 0, 1 and 2 are
 * connected to, and the files a page source serves lazily ({@code --lazy-file}), which the VM's builder places in its
 * data region before the processes start.
 */
public record LinuxOptions(FileSystem.Options files, Console console, List<ServedFileSpec> servedFiles) {

    public LinuxOptions {
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(console, "console");
        servedFiles = List.copyOf(servedFiles);
    }

    public LinuxOptions(FileSystem.Options files, Console console) {
        this(files, console, List.of());
    }

    /** The same options on another console. */
    public LinuxOptions withConsole(Console other) {
        return new LinuxOptions(files, other, servedFiles);
    }

    /** The same options with the served files as placed. */
    public LinuxOptions withServedFiles(List<ServedFileSpec> placed) {
        return new LinuxOptions(files, console, placed);
    }
}
