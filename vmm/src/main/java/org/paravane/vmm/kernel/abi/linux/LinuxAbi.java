package org.paravane.vmm.kernel.abi.linux;


import static org.paravane.vmm.linux.Errno.EFAULT;
import static org.paravane.vmm.linux.Errno.ENOMEM;
import static org.paravane.vmm.linux.Errno.ENOSYS;

import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.vmm.kernel.abi.Blocked;
import org.paravane.api.memory.PageSourceException;
import org.paravane.vmm.kernel.abi.FaultOutcome;
import org.paravane.vmm.kernel.abi.SyscallAbi;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.kernel.mm.PhysicalPages;
import org.paravane.vmm.linux.BrokenPipe;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.signal.SigAction;
import org.paravane.vmm.linux.signal.SigInfo;
import org.paravane.vmm.linux.signal.Signal;
import org.paravane.vmm.linux.WouldBlock;
import org.paravane.vmm.linux.fs.PagesAbsentException;

/**
 * Linux's x86-64 system call interface for one process: RAX the number, arguments in RDI, RSI, RDX, R10, R8, R9, the
 * result or -errno in RAX. The table ({@link SyscallTable}) names each call's handler; this class turns what can go
 * wrong into what Linux returns: an errno, EFAULT for a bad pointer, ENOSYS (logged once per VM) for a call that is
 * not implemented, and -EIO with a log line for a failure inside the kernel, which never reaches the guest as an
 * exception. It also decides the process's page faults (demand paging, or SIGSEGV) and exceptions (signals), acts on
 * pending signals at each return to user mode ({@link SignalDelivery}) and decides how a signal interrupts a blocked
 * call.
 */
public final class LinuxAbi implements SyscallAbi {
    private static final long RT_SIGRETURN = 15, SIGALTSTACK = 131;
    private static final int PAGE_FAULT = 14;
    /** The SYSCALL instruction (0F 05) a restarted call runs again. */
    private static final int SYSCALL_LENGTH = 2;

    private final LinuxThread thread;
    private final LinuxProcess process;
    /** Replaced by execve with the new image's. */
    private volatile SyscallTable table;
    private final SignalDelivery signals;

    LinuxAbi(LinuxThread thread) {
        this.thread = thread;
        this.process = thread.process;
        this.table = new SyscallTable(thread);
        this.signals = new SignalDelivery(process, thread.signals);
    }

    LinuxThread thread() {
        return thread;
    }

    @Override
    public String name() {
        return "linux";
    }

    @Override
    public String callName(long number) {
        return SyscallNames.of(number);
    }

    @Override
    public SyscallOutcome dispatch(SyscallTask task, GeneralRegisters r) {
        while (true) {
            try {
                return call(task, r);
            } catch (PagesAbsentException e) {
                // A copy needs a page of lazily served memory: a fault in kernel context, before any byte moved.
                try {
                    SyscallOutcome wait = task.awaitPage(e.guestAddress(), again -> dispatch(again, r));
                    if (wait != null) {
                        return wait;
                    }
                } catch (PageSourceException failed) {
                    return new SyscallOutcome.Return(-org.paravane.vmm.linux.Errno.EIO);
                }
            }
        }
    }

    private SyscallOutcome call(SyscallTask task, GeneralRegisters r) {
        long nr = r.rax();
        try {
            thread.task = task;
            if (nr == RT_SIGRETURN) {
                return signals.sigreturn(task, r);
            }
            if (nr == SIGALTSTACK) {
                return new SyscallOutcome.Return(table.signalCalls().sigaltstack(r.rdi(), r.rsi(), r.rsp()));
            }
            SyscallOutcome outcome = table.call(task, r, nr, r.rdi(), r.rsi(), r.rdx(), r.r10(), r.r8(), r.r9());
            if (table.stale()) {
                table = new SyscallTable(thread);   // execve: the calls work on the new image from now on
            }
            if (outcome == null) {
                process.host.unknownCall(nr, process.toString());
                return new SyscallOutcome.Return(-ENOSYS);
            }
            return outcome;
        } catch (CallBlocks blocks) {
            return WaitingCall.start(task, blocks, attempt -> settle(nr, attempt));
        } catch (WouldBlock w) {
            // A stream that would block under a call that does not wait itself: the whole call tries again.
            return WaitingCall.start(task, CallBlocks.on(w, () -> again(task, r)),
                    attempt -> settle(nr, attempt));
        } catch (PagesAbsentException e) {
            throw e;   // dispatch waits for the pages as for a fault in kernel context
        } catch (ErrnoException | GuestAccessException | RuntimeException x) {
            return failed(nr, x);
        } finally {
            if (process.memory().takeFlush()) {
                task.flushTlb();
            }
        }
    }

    private long again(SyscallTask task, GeneralRegisters r) throws ErrnoException, GuestAccessException, CallBlocks {
        if (table.call(task, r, r.rax(), r.rdi(), r.rsi(), r.rdx(), r.r10(), r.r8(), r.r9()) instanceof SyscallOutcome.Return v) {
            return v.value();
        }
        throw new IllegalStateException("call " + r.rax() + " blocked on a stream and then did not return a value");
    }

    /** A blocked call's attempt as the call's outcome (its value, or what its failure means for the guest). */
    private SyscallOutcome settle(long nr, CallBlocks.Attempt attempt) {
        try {
            return new SyscallOutcome.Return(attempt.attempt());
        } catch (CallBlocks unexpected) {
            return failed(nr, new IllegalStateException("a blocked call's attempt blocked outside its wait"));
        } catch (ErrnoException | GuestAccessException | RuntimeException x) {
            return failed(nr, x);
        }
    }

    /** What a failed call returns: -errno, EPIPE or SIGPIPE for a broken pipe, EFAULT, ENOMEM, or EIO and a log line. */
    private SyscallOutcome failed(long nr, Exception x) {
        return switch (x) {
            case BrokenPipe p -> table.brokenPipe();
            case ErrnoException e -> new SyscallOutcome.Return(-e.errno());
            case GuestAccessException g -> new SyscallOutcome.Return(-EFAULT);
            case PhysicalPages.OutOfGuestMemoryException o -> new SyscallOutcome.Return(-ENOMEM);
            default -> {
                process.host.internalError(process.toString(), nr, x);
                yield new SyscallOutcome.Return(-org.paravane.vmm.linux.Errno.EIO);
            }
        };
    }

    /**
     * The thread's task ended: it takes no more signals; the process ends with its last thread (descriptors closed,
     * mappings let go, timers stopped).
     */
    @Override
    public void exited(SyscallTask task, int code, int signal) {
        process.signals.removeThread(thread.signals);
        table.ended(code, signal);
    }

    @Override
    public FaultOutcome pageFault(SyscallTask task, long address, int errorCode, long rip) {
        boolean write = (errorCode & 2) != 0, exec = (errorCode & 16) != 0;
        CpuFaults f;
        try {
            ProcessMemory memory = process.memory();
            if (memory.fault(address, write, exec)) {
                if (memory.takeFlush()) {
                    task.flushTlb();
                }
                return FaultOutcome.Retry.INSTANCE;
            }
            f = CpuFaults.segmentationFault(address, rip, process.memory().map().find(address) != null);
        } catch (PhysicalPages.OutOfGuestMemoryException e) {
            String why = "touching 0x" + Long.toHexString(address) + ", rip 0x" + Long.toHexString(rip) + ": " + e.getMessage();
            if (OomKiller.killLargestFor(process, why)) {
                return FaultOutcome.Retry.INSTANCE;   // a larger process is dying for the page
            }
            process.host.killedOutOfMemory(process.toString(), why);
            return new FaultOutcome.End(new SyscallOutcome.Signaled(Signal.SIGKILL, "killed by SIGKILL (out of memory) " + why));
        } catch (RuntimeException e) {
            process.host.internalError(process.toString(), -1, e);
            f = CpuFaults.busError(address, ", rip 0x" + Long.toHexString(rip) + ": the kernel failed to provide the page ("
                    + e + ")");
        } catch (ErrnoException e) {
            f = CpuFaults.busError(address, ", rip 0x" + Long.toHexString(rip) + ": its file could not be read ("
                    + e.getMessage() + ")");
        }
        return signals.fault(f.info(), PAGE_FAULT, errorCode, address, f.death());
    }

    @Override
    public FaultOutcome exception(SyscallTask task, int vector, long errorCode, long rip) {
        CpuFaults f = CpuFaults.forException(vector, rip);
        if (f == null) {
            return FaultOutcome.KernelDefault.INSTANCE;
        }
        return signals.fault(f.info(), vector, errorCode, 0, f.death());
    }

    /**
     * Ctrl-C: SIGINT from the kernel to this process when it is in the console's foreground process group (as
     * Linux's tty does); a process of a background group does not get it, but the Linux ABI still took the Ctrl-C.
     */
    @Override
    public boolean consoleInterrupt(SyscallTask task) {
        if (thread.task == null) {
            thread.task = task;
        }
        int foreground = process.host.foregroundGroup();
        boolean first;
        synchronized (process.host.processes()) {
            first = process.pgid == foreground
                    && process.threads().stream().findFirst().map(t -> t == thread).orElse(false);
        }
        if (first) {   // once per process, whichever of its threads the kernel asks
            process.signals.post(SigInfo.sent(Signal.SIGINT, SigInfo.SI_KERNEL, 0, 0));
        }
        return true;
    }

    @Override
    public boolean userReturnPending(SyscallTask task) {
        return signals.pending();
    }

    @Override
    public SyscallOutcome returnToUser(SyscallTask task, GeneralRegisters registers) {
        return signals.returnToUser(task, registers);
    }

    /**
     * Linux's rules for a call a signal interrupts: a handler to run ends it with EINTR, or restarts it (RIP back over
     * the SYSCALL, RAX its number) when the handler has SA_RESTART and the call allows it, or returns the bytes it
     * moved when it had moved some; a fatal signal ends it (the
     * process dies at its return to user mode); a signal without a handler lets it wait on (it acts at the return).
     */
    @Override
    public SyscallOutcome interrupt(SyscallTask task, Blocked blocked, GeneralRegisters call) {
        if (SignalDelivery.isStop(blocked) || !thread.signals.hasDeliverable()) {
            return null;
        }
        int sig = thread.signals.next();
        SigAction action = process.signals.actions().get(sig);
        boolean fatal = sig == Signal.SIGKILL || action.isDefault() && switch (Signal.defaultAction(sig)) {
            case TERM, CORE -> true;
            default -> false;
        };
        if (!fatal && !action.handled()) {
            return null;
        }
        blocked.interrupted(task);
        if (blocked instanceof WaitingCall w && w.moved() > 0) {
            return new SyscallOutcome.Return(w.moved());   // a write that moved bytes returns them
        }
        if (!fatal && blocked.restart() == Blocked.Restart.WITH_SA_RESTART && action.has(SigAction.SA_RESTART)) {
            return new SyscallOutcome.Restore(call.withRip(call.rip() - SYSCALL_LENGTH));
        }
        return new SyscallOutcome.Return(-org.paravane.vmm.linux.Errno.EINTR);
    }
}
