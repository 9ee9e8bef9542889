package org.paravane.vmm.kernel.abi.linux;

import org.paravane.vmm.linux.fs.FileSystem;
import org.paravane.vmm.linux.fs.ProcessFiles;

/** Processes for tests of the process table and tree, without a kernel underneath (no memory is touched). */
final class ProcessTrees {
    private ProcessTrees() {
    }

    static LinuxHost host() {
        return new LinuxHost("test", null, null, 1, () -> 0, () -> 0);
    }

    /** Adds process {@code pid} with one thread to {@code table}, a child of {@code parent} (null: none). */
    static LinuxProcess process(ProcessTable table, int pid, LinuxProcess parent) {
        LinuxHost host = host();
        FileSystem fs = FileSystem.create(FileSystem.Options.emptyRoot(), org.paravane.vmm.linux.fs.Console.streams(
                java.io.InputStream.nullInputStream(), java.io.OutputStream.nullOutputStream(),
                java.io.OutputStream.nullOutputStream()), new java.util.Random(1));
        ProcessFiles files = new ProcessFiles(fs, "/bin/p" + pid, () -> "", () -> "", ProcessFiles.DEFAULT_NOFILE);
        LinuxProcess p = new LinuxProcess(pid, "/bin/p" + pid, new ProcessMemory(null), files, host);
        synchronized (table) {
            table.add(p);
            p.addThread(new LinuxThread(pid, p, "p" + pid));
            if (parent != null) {
                p.parent = parent;
                parent.children.add(p);
            }
        }
        return p;
    }
}
