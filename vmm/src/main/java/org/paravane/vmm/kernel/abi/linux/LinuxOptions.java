package org.paravane.vmm.kernel.abi.linux;

import java.util.Objects;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * What a VM's Linux processes share: the file system view they are given and the console their fds 0, 1 and 2 are
 * connected to.
 */
public record LinuxOptions(FileSystem.Options files, Console console) {

    public LinuxOptions {
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(console, "console");
    }
}
