package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.Errno.EAGAIN;
import static org.paravane.vmm.linux.Errno.EINVAL;

import java.util.concurrent.atomic.AtomicReference;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.vmm.kernel.abi.NewTask;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.AddressSpace;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.fs.ProcessFiles;
import org.paravane.vmm.linux.mm.MapsFile;
import org.paravane.vmm.linux.signal.Signal;

/**
 * clone, fork and vfork: a new thread of the caller's process (CLONE_THREAD, sharing its memory, files and signal
 * dispositions), or a new process — a copy-on-write copy of the caller's memory ({@link AddressSpace#forkCopy}), or
 * with CLONE_VM the caller's memory itself until it execs (vfork, posix_spawn) — with copies of its descriptors,
 * limits and dispositions. The child starts where the caller returns, with RAX 0, on {@code stack} when given and
 * with {@code tls} as its FS base under CLONE_SETTLS. A vfork parent waits until its child execs or ends.
 *
 * CLONE_FILES shares the descriptor table, CLONE_FS the working directory and umask.
 *
 * <p>Differences from Linux: the threads of a process share its working directory and umask even without CLONE_FS
 * (pthread_create always passes it); namespaces, CLONE_PIDFD and ptrace flags are refused with EINVAL.
 */
final class CloneCall {
    static final long CSIGNAL = 0xFF, CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
            CLONE_PIDFD = 0x1000, CLONE_PTRACE = 0x2000, CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000,
            CLONE_THREAD = 0x10000, CLONE_NEWNS = 0x20000, CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000,
            CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_DETACHED = 0x400000,
            CLONE_UNTRACED = 0x800000, CLONE_CHILD_SETTID = 0x01000000, CLONE_IO = 0x80000000L;
    /** Every namespace flag (NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWNS). */
    static final long NAMESPACES = 0x7E000000L | CLONE_NEWNS;
    static final long FORK = Signal.SIGCHLD, VFORK = CLONE_VM | CLONE_VFORK | Signal.SIGCHLD;

    private final LinuxThread thread;
    private final LinuxProcess process;

    CloneCall(LinuxThread thread) {
        this.thread = thread;
        this.process = thread.process;
    }

    /** clone(flags, stack, parent_tid, child_tid, tls) as x86-64 orders its arguments. */
    SyscallOutcome clone(SyscallTask task, GeneralRegisters regs, long flags, long stack, long parentTid, long childTid,
                         long tls) throws ErrnoException, GuestAccessException {
        check(flags);
        boolean newThread = (flags & CLONE_THREAD) != 0;
        ProcessTable table = process.host.processes();
        int id = task.newTaskId();
        LinuxProcess child;
        AddressSpace space;
        if (newThread) {
            child = process;
            space = task.memory();
        } else {
            checkLimits(table);
            space = (flags & CLONE_VM) != 0 ? task.memory() : task.memory().forkCopy(va -> {
                org.paravane.vmm.linux.mm.Vma v = process.memory().map().find(va);
                return v != null && v.shared();   // MAP_SHARED stays shared between parent and child
            });
            try {
                child = newProcess(id, flags, space);
            } catch (RuntimeException | ErrnoException e) {
                if (space != task.memory()) {
                    space.release();
                }
                throw e;
            }
            child.exitSignal = (int) (flags & CSIGNAL);
        }
        LinuxThread t = new LinuxThread(id, child, thread.comm, thread,
                (flags & CLONE_VM) != 0 && (flags & CLONE_VFORK) == 0);   // mask, and the alternate stack of a fork
        if ((flags & CLONE_CHILD_CLEARTID) != 0) {
            t.clearChildTid = childTid;
        }
        if ((flags & CLONE_PARENT_SETTID) != 0) {
            process.memory().writeInt(parentTid, id);
        }
        if ((flags & CLONE_CHILD_SETTID) != 0) {
            child.memory().writeInt(childTid, id);
        }
        synchronized (table) {
            if (!newThread) {
                table.add(child);
                LinuxProcess parent = (flags & CLONE_PARENT) != 0 && process.parent != null ? process.parent : process;
                child.parent = parent;
                parent.children.add(child);
                child.pgid = process.pgid;
                child.sid = process.sid;
            }
            child.addThread(t);
        }
        GeneralRegisters start = regs.with(GeneralRegisters.RAX, 0);
        if (stack != 0) {
            start = start.with(GeneralRegisters.RSP, stack);
        }
        long fsBase = (flags & CLONE_SETTLS) != 0 ? tls : task.fsBase();
        LinuxAbi abi = new LinuxAbi(t);
        t.task = task.spawn(id, new NewTask(t.comm, abi, space, start, fsBase));
        if ((flags & CLONE_VFORK) != 0) {
            return awaitVfork(task, child);
        }
        return new SyscallOutcome.Return(id);
    }

    private static void check(long flags) throws ErrnoException {
        if ((flags & CLONE_THREAD) != 0 && (flags & CLONE_SIGHAND) == 0) {
            throw new ErrnoException(EINVAL, "CLONE_THREAD without CLONE_SIGHAND");
        }
        if ((flags & CLONE_SIGHAND) != 0 && (flags & CLONE_VM) == 0) {
            throw new ErrnoException(EINVAL, "CLONE_SIGHAND without CLONE_VM");
        }
        if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS)) {
            throw new ErrnoException(EINVAL, "CLONE_NEWNS with CLONE_FS");
        }
        if ((flags & (CLONE_PIDFD | CLONE_DETACHED)) == (CLONE_PIDFD | CLONE_DETACHED)) {
            throw new ErrnoException(EINVAL, "CLONE_PIDFD with CLONE_DETACHED");
        }
        if ((flags & NAMESPACES) != 0) {
            throw new ErrnoException(EINVAL, "namespaces (clone flags 0x" + Long.toHexString(flags & NAMESPACES)
                    + ") are not supported");
        }
        if ((flags & (CLONE_PIDFD | CLONE_PTRACE | CLONE_UNTRACED)) != 0) {
            throw new ErrnoException(EINVAL, "clone flags 0x" + Long.toHexString(flags & (CLONE_PIDFD | CLONE_PTRACE
                    | CLONE_UNTRACED)) + " (pidfd, ptrace) are not supported");
        }
        if ((flags >>> 32) != 0) {
            throw new ErrnoException(EINVAL, "clone flags 0x" + Long.toHexString(flags) + " have unknown bits");
        }
    }

    /** EAGAIN when the VM's process limit or the caller's RLIMIT_NPROC is reached, with a line saying which. */
    private void checkLimits(ProcessTable table) throws ErrnoException {
        int max = process.host.maxProcesses();
        int count;
        synchronized (table) {
            if (table.size() >= max) {
                ProcessCalls.reapAdoptedZombies(table);
            }
            count = table.size();
        }
        if (count >= max) {
            process.host.limitReached("the VM's limit of " + max + " processes (maxProcesses) is reached: fork fails"
                    + " with EAGAIN");
            throw new ErrnoException(EAGAIN, "the VM has " + count + " processes, its limit");
        }
        long nproc = process.limits.getUnchecked(Limits.RLIMIT_NPROC);
        if (nproc >= 0 && count >= nproc) {
            process.host.limitReached("RLIMIT_NPROC " + nproc + " is reached: fork fails with EAGAIN");
            throw new ErrnoException(EAGAIN, "RLIMIT_NPROC " + nproc + " reached");
        }
    }

    /** The child process of a fork: memory (its own copy, or the caller's), files, limits, dispositions. */
    private LinuxProcess newProcess(int pid, long flags, AddressSpace space) throws ErrnoException {
        boolean sharedMemory = (flags & CLONE_VM) != 0;
        AtomicReference<LinuxProcess> self = new AtomicReference<>();
        String path = process.executablePath();
        // CLONE_FILES: the very descriptor table (ProcessFiles.fork shares it), CLONE_FS the very cwd and umask.
        ProcessFiles files = process.files.fork(() -> MapsFile.render(self.get().memory().map().vmas()),
                (flags & CLONE_FILES) != 0, (flags & CLONE_FS) != 0);
        ProcessMemory memory;
        if (sharedMemory) {
            memory = process.memory();
        } else {
            memory = new ProcessMemory(space);
            memory.attach(process.memory().map().copy(memory::apply));
        }
        LinuxProcess child = new LinuxProcess(pid, path, memory, files, process.host);
        self.set(child);
        child.setArgv(process.argv());
        if (sharedMemory) {
            child.shareMemoryOf(process);
        } else {
            child.memoryCalls().inherit(process.memoryCalls());
        }
        child.setExecutable(process.executable());
        child.limits.copyFrom(process.limits);
        child.signals.copyActionsOf(process.signals);
        return child;
    }

    /** The vfork parent waits, off its vCPU, until the child execs or ends; then it gets the child's pid. */
    private static SyscallOutcome awaitVfork(SyscallTask task, LinuxProcess child) {
        child.vforkWaiters.add(task.waker());
        if (!child.vforkReleased) {
            return new SyscallOutcome.Block(new org.paravane.vmm.kernel.abi.Blocked() {
                @Override
                public SyscallOutcome resume(SyscallTask t) {
                    return awaitVfork(t, child);
                }

                @Override
                public void cancel() {
                    child.vforkWaiters.remove(task.waker());
                }
            });
        }
        child.vforkWaiters.remove(task.waker());
        return new SyscallOutcome.Return(child.pid);
    }
}
