package org.paravane.vmm.kernel.abi.linux;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.memory.GuestMemory;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.FileSystem;
import org.paravane.vmm.linux.futex.Futex;
import org.paravane.vmm.linux.fs.Mount;
import org.paravane.vmm.linux.fs.ServedFile;
import org.paravane.vmm.linux.fs.Stat;

/**
 * What the Linux processes of one VM share: the file system view, the CPU model they are told about, the source of
 * AT_RANDOM and getrandom, the futex table, and which unknown system calls were already logged (once per VM).
 */
public final class LinuxHost {
    /** Device minors of the served files (host mounts count up from 0x30). */
    private static final int SERVED_DEV_MINOR = 0x80;

    private static final Logger LOG = Logger.getLogger(LinuxHost.class.getName());

    private final String vmName;
    private final LinuxOptions options;
    private final CpuModel cpuModel;
    private final int vcpus;
    private final RandomGenerator random = new SecureRandom();
    private final Set<Long> unknownLogged = ConcurrentHashMap.newKeySet();
    private final LongSupplier totalRam, freeRam;
    private volatile FileSystem shared;
    private final Futex futex = new Futex();
    /** The pages of every file mapped shared by the VM's processes (guarded by itself). */
    final java.util.Map<SharedFilePages.Key, SharedFilePages> sharedPages = new java.util.HashMap<>();
    private final GuestMemory memory;
    private final ProcessTable processes = new ProcessTable();
    /** The executables the VM's processes were launched from, by guest path: execve finds them there too. */
    private final java.util.Map<String, byte[]> launched = new ConcurrentHashMap<>();
    private final Set<String> limitsLogged = ConcurrentHashMap.newKeySet();

    /** The console's foreground process group (tcsetpgrp), 0 until set. */
    private volatile int foregroundGroup;

    /**
     * @param options the VM's file system view and console, or null: then each process gets an empty root of its own
     *                and its stdout/stderr go to the console given at {@link #fileSystem}
     * @param cpuModel the VM's CPU model, or null when not known (AT_HWCAP 0, a minimal /proc/cpuinfo)
     * @param totalRam the guest kernel's RAM in bytes, {@code freeRam} what is free of it (sysinfo)
     */
    public LinuxHost(String vmName, LinuxOptions options, CpuModel cpuModel, int vcpus, LongSupplier totalRam,
                     LongSupplier freeRam) {
        this(vmName, options, cpuModel, vcpus, totalRam, freeRam, null);
    }

    /**
     * @param memory the VM's guest memory, where the options' lazily served files are (null when there are none)
     */
    public LinuxHost(String vmName, LinuxOptions options, CpuModel cpuModel, int vcpus, LongSupplier totalRam,
                     LongSupplier freeRam, GuestMemory memory) {
        this.memory = memory;
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
                    shared = FileSystem.create(options.files(), options.console(), random, servedMounts());
                    shared.showProcesses(procList());
                }
                fs = shared;
            }
        }
        return fs;
    }

    /** The most processes (zombies included) the VM may hold; fork fails with EAGAIN beyond. */
    int maxProcesses() {
        return options == null ? LinuxOptions.DEFAULT_MAX_PROCESSES : options.maxProcesses();
    }

    /**
     * The VM's memory ran out under {@code process}'s page fault, which is killed for it (Linux's OOM killer picks by
     * size; here the process that needed the page goes): said once per process, naming it and what it touched.
     */
    void killedOutOfMemory(String process, String why) {
        if (limitsLogged.add("out of memory: " + process)) {
            LOG.warning("VM " + vmName + ": out of memory: " + process + " killed by SIGKILL: " + why);
        }
    }

    /** A limit stopped a process from doing something: said once per VM and limit, naming it. */
    void limitReached(String what) {
        if (limitsLogged.add(what)) {
            LOG.warning("VM " + vmName + ": " + what);
        }
    }

    /** Where user space starts (the guest kernel's area lies below): execve's loader needs it. */
    private volatile long kernelAreaEnd;

    long kernelAreaEnd() {
        return kernelAreaEnd;
    }

    void launched(String path, byte[] executable, long kernelArea) {
        kernelAreaEnd = kernelArea;
        launched.putIfAbsent(path, executable);
    }

    /** The executable a process was launched from at {@code path}, or null. */
    byte[] launchedExecutable(String path) {
        return launched.get(path);
    }

    /**
     * The console's foreground process group: the one tcsetpgrp made it, else the group of the VM's first process (the
     * session leader's); 0 before any process starts.
     */
    int foregroundGroup() {
        int fg = foregroundGroup;
        if (fg != 0) {
            return fg;
        }
        LinuxProcess init = processes.init();
        synchronized (processes) {
            return init == null ? 0 : init.pgid;
        }
    }

    void setForegroundGroup(int pgid) {
        foregroundGroup = pgid;
    }

    /** The futexes of the VM's processes: one table, so processes sharing memory meet on shared words. */
    Futex futex() {
        return futex;
    }

    /** The lazily served files, each mounted read-only at its path as a file of its own device. */
    private List<Mount> servedMounts() {
        List<Mount> out = new ArrayList<>();
        int minor = SERVED_DEV_MINOR;
        for (ServedFileSpec f : options.servedFiles()) {
            if (!f.placed() || memory == null) {
                throw new IllegalArgumentException("lazy file " + f.guestPath() + " has no place in guest memory"
                        + " (the VM's builder places it in the data region)");
            }
            out.add(new Mount(f.guestPath(), new ServedFile(memory, f.guestAddress(), f.size(), Stat.makedev(0, minor++)),
                    true));
        }
        return out;
    }

    /** The VM's processes as a tree: each root (no parent) followed by its descendants, depth first, by pid. */
    public java.util.List<ProcessInfo> processTree() {
        java.util.List<ProcessInfo> out = new java.util.ArrayList<>();
        synchronized (processes) {
            for (LinuxProcess p : processes.all()) {
                if (p.parent == null) {
                    addTree(p, 0, out);
                }
            }
        }
        return out;
    }

    private static void addTree(LinuxProcess p, int depth, java.util.List<ProcessInfo> out) {
        out.add(new ProcessInfo(p.pid, p.parent == null ? 0 : p.parent.pid, p.pgid, p.sid,
                p.state() == LinuxProcess.State.LIVE ? "running" : "zombie", p.comm(), p.threads().size(), depth));
        p.children.stream().sorted(java.util.Comparator.comparingInt(c -> c.pid)).forEach(c -> addTree(c, depth + 1, out));
    }

    /** The VM's processes as /proc lists them. */
    private org.paravane.vmm.linux.fs.ProcessList procList() {
        return new org.paravane.vmm.linux.fs.ProcessList() {
            @Override
            public java.util.List<Integer> pids() {
                synchronized (processes) {
                    return processes.all().stream().filter(p -> p.state() != LinuxProcess.State.REAPED)
                            .map(p -> p.pid).sorted().toList();
                }
            }

            @Override
            public Entry entry(int pid) {
                synchronized (processes) {
                    LinuxProcess p = processes.get(pid);
                    if (p == null || p.state() == LinuxProcess.State.REAPED) {
                        return null;
                    }
                    boolean live = p.state() == LinuxProcess.State.LIVE;
                    return new Entry(p.pid, p.parent == null ? 0 : p.parent.pid, p.pgid, p.sid, live ? 'R' : 'Z',
                            p.files.exePath(), p.comm(), live ? p.argv() : java.util.List.of());
                }
            }
        };
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
