package org.paravane.vmm.kernel.abi.linux;

import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;
import org.paravane.api.cpu.CpuModel;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.FileSystem;

/**
 * What the Linux processes of one VM share: the file system view, the CPU model they are told about, the source of
 * AT_RANDOM and getrandom, and which unknown system calls were already logged (once per VM).
 */
public final class LinuxHost {
    private static final Logger LOG = Logger.getLogger(LinuxHost.class.getName());

    private final String vmName;
    private final LinuxOptions options;
    private final CpuModel cpuModel;
    private final int vcpus;
    private final RandomGenerator random = new SecureRandom();
    private final Set<Long> unknownLogged = ConcurrentHashMap.newKeySet();
    private final LongSupplier totalRam, freeRam;
    private volatile FileSystem shared;
    private final ProcessTable processes = new ProcessTable();

    /**
     * @param options the VM's file system view and console, or null: then each process gets an empty root of its own
     *                and its stdout/stderr go to the console given at {@link #fileSystem}
     * @param cpuModel the VM's CPU model, or null when not known (AT_HWCAP 0, a minimal /proc/cpuinfo)
     * @param totalRam the guest kernel's RAM in bytes, {@code freeRam} what is free of it (sysinfo)
     */
    public LinuxHost(String vmName, LinuxOptions options, CpuModel cpuModel, int vcpus, LongSupplier totalRam,
                     LongSupplier freeRam) {
        this.totalRam = totalRam;
        this.freeRam = freeRam;
        this.vmName = vmName;
        this.options = options;
        this.cpuModel = cpuModel;
        this.vcpus = vcpus;
    }

    /** The file system a new process sees; {@code fallback} is its console when the VM has no Linux options. */
    FileSystem fileSystem(Console fallback) {
        if (options == null) {
            return FileSystem.create(FileSystem.Options.emptyRoot(), fallback, random);
        }
        FileSystem fs = shared;
        if (fs == null) {
            synchronized (this) {
                if (shared == null) {
                    shared = FileSystem.create(options.files(), options.console(), random);
                }
                fs = shared;
            }
        }
        return fs;
    }

    /** The VM's processes. */
    ProcessTable processes() {
        return processes;
    }

    RandomGenerator random() {
        return random;
    }

    long hwcap() {
        return CpuInfo.hwcap(cpuModel);
    }

    String cpuinfo() {
        return CpuInfo.render(cpuModel, vcpus);
    }

    long totalRam() {
        return totalRam.getAsLong();
    }

    long freeRam() {
        return freeRam.getAsLong();
    }

    int vcpus() {
        return vcpus;
    }

    /** Logs an unknown call the first time any process of the VM makes it. */
    void unknownCall(long number, String process) {
        if (unknownLogged.add(number)) {
            LOG.warning("VM " + vmName + ": " + process + " called " + SyscallNames.of(number) + " (" + number
                    + "), which is not implemented: it returns -ENOSYS (logged once per VM)");
        }
    }

    /** A call that failed inside the kernel (a bug, not the guest's fault): logged every time, with the exception. */
    void internalError(String process, long number, Throwable e) {
        LOG.log(java.util.logging.Level.WARNING, "VM " + vmName + ": " + process + ": "
                + (number < 0 ? "a page fault" : SyscallNames.of(number)) + " failed inside the kernel", e);
    }
}
