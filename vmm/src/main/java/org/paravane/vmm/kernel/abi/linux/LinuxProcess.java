package org.paravane.vmm.kernel.abi.linux;

import java.util.ArrayList;
import java.util.List;
import org.paravane.vmm.kernel.wait.WaitQueue;
import org.paravane.vmm.linux.fs.ProcessFiles;
import org.paravane.vmm.linux.signal.ProcessSignals;
import org.paravane.vmm.linux.signal.Signal;

/**
 * One Linux process, a thread group: its pid, memory (replaced by execve), files, limits, the signal dispositions its
 * threads share, and its place in the VM's process tree (parent, children, process group, session). It lives from its
 * first thread's start until its parent reaps it: {@code LIVE} while a thread runs, then a {@code ZOMBIE} holding its
 * wait status, then {@code REAPED}. Tree fields change only under the {@link ProcessTable}'s monitor.
 */
final class LinuxProcess {

    enum State { LIVE, ZOMBIE, REAPED }

    final int pid;
    final LinuxHost host;
    final ProcessFiles files;
    final Limits limits;
    /** Signal actions the threads share, the process-wide pending set, the stop state: what kill reaches. */
    final ProcessSignals signals = new ProcessSignals();
    /** ITIMER_REAL and the POSIX timers, which post to the process or one of its threads. */
    final SignalTimers timers = new SignalTimers(this);
    /** Woken when a child changes state (ends, stops, continues), for wait4/waitid. */
    final WaitQueue childEvents = new WaitQueue();
    /** Its stops and continues, for its parent's wait and SIGCHLD. */
    final StopReports stops = new StopReports(this);

    private volatile ProcessMemory memory;
    private volatile MemoryCalls memoryCalls;
    private volatile String executablePath;
    /** The arguments of its image ({@code /proc/PID/cmdline}). */
    private volatile java.util.List<String> argv = java.util.List.of();
    /** The executable's bytes (what {@code /proc/self/exe} runs when the file system does not hold it). */
    private volatile byte[] executable;
    /** False while the process runs in its parent's memory (CLONE_VM without CLONE_THREAD: vfork, posix_spawn). */
    private volatile boolean ownsMemory = true;
    /** The signal its parent gets when it ends (SIGCHLD for fork; clone's low byte), or 0 for none. */
    volatile int exitSignal = Signal.SIGCHLD;
    /** The OOM killer sent this process SIGKILL: its memory comes back when it ends ({@link OomKiller}). */
    volatile boolean oomVictim;
    /** Set when a vfork child execs or ends: its parent, blocked in vfork, goes on. */
    volatile boolean vforkReleased;
    final WaitQueue vforkWaiters = new WaitQueue();

    // --- the tree, under the process table's monitor
    LinuxProcess parent;
    final List<LinuxProcess> children = new ArrayList<>();
    int pgid;
    int sid;
    /** Re-parented to init after its parent ended: the kernel reaps it when it ends, as init would. */
    boolean adopted;
    private final List<LinuxThread> threads = new ArrayList<>();
    private State state = State.LIVE;
    /** Set by the first group end (exit_group, a fatal signal): the status the process ends with, whatever thread is last. */
    private Integer groupStatus;
    /** The wait status once a zombie: exit code << 8, or the signal that ended it. */
    private int waitStatus;

    LinuxProcess(int pid, String executablePath, ProcessMemory memory, ProcessFiles files, LinuxHost host) {
        this.pid = pid;
        this.host = host;
        this.files = files;
        this.limits = new Limits(files);
        this.pgid = pid;
        this.sid = pid;
        signals.reportTo(stops);
        install(executablePath, memory);
    }

    /** A new process image (the first one, or execve's): its memory and the calls that change it. */
    java.util.List<String> argv() {
        return argv;
    }

    void setArgv(java.util.List<String> args) {
        argv = java.util.List.copyOf(args);
    }

    void install(String path, ProcessMemory newMemory) {
        MemoryCalls old = memoryCalls;
        boolean owned = ownsMemory;
        this.executablePath = path;
        this.memory = newMemory;
        this.memoryCalls = new MemoryCalls(this);
        this.ownsMemory = true;
        if (old != null && owned) {
            old.release();
        }
    }

    /** CLONE_VM without CLONE_THREAD: the child runs in {@code parent}'s memory until it execs. */
    void shareMemoryOf(LinuxProcess parent) {
        this.memory = parent.memory;
        this.memoryCalls = parent.memoryCalls;
        this.ownsMemory = false;
    }

    /** The process ended: its file mappings let go, unless the memory is its parent's. */
    void releaseMemory() {
        if (ownsMemory) {
            memoryCalls.release();
        }
    }

    /** A vfork child execs or ends: the parent waiting in vfork goes on. */
    void releaseVfork() {
        if (!vforkReleased) {
            vforkReleased = true;
            vforkWaiters.wakeAll();
        }
    }

    void setExecutable(byte[] bytes) {
        this.executable = bytes;
    }

    byte[] executable() {
        return executable;
    }

    ProcessMemory memory() {
        return memory;
    }

    MemoryCalls memoryCalls() {
        return memoryCalls;
    }

    String executablePath() {
        return executablePath;
    }

    // --- threads and the end (the caller holds the table's monitor)

    void addThread(LinuxThread t) {
        threads.add(t);
    }

    List<LinuxThread> threads() {
        return List.copyOf(threads);
    }

    /**
     * {@code t} ended; true when it was the last thread, and the process is now a zombie with {@code status}.
     */
    boolean threadExited(LinuxThread t, int status) {
        threads.remove(t);
        if (!threads.isEmpty() || state != State.LIVE) {
            return false;
        }
        state = State.ZOMBIE;
        waitStatus = groupStatus != null ? groupStatus : status;
        return true;
    }

    /** The group starts to end with {@code status}; false when it is ending already. */
    boolean startGroupExit(int status) {
        if (groupStatus != null || state != State.LIVE) {
            return false;
        }
        groupStatus = status;
        return true;
    }

    State state() {
        return state;
    }

    int waitStatus() {
        return waitStatus;
    }

    void reaped() {
        state = State.REAPED;
    }

    /** The wait status of an exit with {@code code}, or of the end by {@code signal} when it is not 0. */
    static int waitStatus(int code, int signal) {
        return signal != 0 ? signal & 0x7F : (code & 0xFF) << 8;
    }

    /** The process's name as ps shows it: its first living thread's, or its executable's. */
    String comm() {
        synchronized (host.processes()) {
            return threads.isEmpty() ? LinuxThread.commOf(executablePath) : threads.getFirst().comm;
        }
    }

    @Override
    public String toString() {
        return "process " + pid + " (" + LinuxThread.commOf(executablePath) + ")";
    }
}
