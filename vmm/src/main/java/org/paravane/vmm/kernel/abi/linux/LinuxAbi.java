package org.paravane.vmm.kernel.abi.linux;


import static org.paravane.vmm.linux.Errno.EFAULT;
import static org.paravane.vmm.linux.Errno.ENOMEM;
import static org.paravane.vmm.linux.Errno.ENOSYS;

import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.memory.PageSourceException;
import org.paravane.vmm.kernel.abi.FaultOutcome;
import org.paravane.vmm.kernel.abi.SyscallAbi;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.kernel.mm.PhysicalPages;
import org.paravane.vmm.linux.BrokenPipe;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.WouldBlock;
import org.paravane.vmm.linux.fs.PagesAbsentException;

/**
 * Linux's x86-64 system call interface for one process: RAX the number, arguments in RDI, RSI, RDX, R10, R8, R9, the
 * result or -errno in RAX. The table ({@link SyscallTable}) names each call's handler; this class turns what can go
 * wrong into what Linux returns: an errno, EFAULT for a bad pointer, ENOSYS (logged once per VM) for a call that is
 * not implemented, and -EIO with a log line for a failure inside the kernel, which never reaches the guest as an
 * exception. It also decides the process's page faults (demand paging, or SIGSEGV) and exceptions (signals).
 */
public final class LinuxAbi implements SyscallAbi {
    private final LinuxThread thread;
    private final LinuxProcess process;
    /** Replaced by execve with the new image's. */
    private volatile SyscallTable table;

    LinuxAbi(LinuxThread thread) {
        this.thread = thread;
        this.process = thread.process;
        this.table = new SyscallTable(thread);
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

    /** The thread's task ended: the process ends with its last thread (descriptors closed, mappings let go). */
    @Override
    public void exited(SyscallTask task, int code, int signal) {
        table.ended(code, signal);
    }

    @Override
    public FaultOutcome pageFault(SyscallTask task, long address, int errorCode, long rip) {
        boolean write = (errorCode & 2) != 0, exec = (errorCode & 16) != 0;
        try {
            ProcessMemory memory = process.memory();
            if (memory.fault(address, write, exec)) {
                if (memory.takeFlush()) {
                    task.flushTlb();
                }
                return FaultOutcome.Retry.INSTANCE;
            }
        } catch (PhysicalPages.OutOfGuestMemoryException e) {
            return new FaultOutcome.End(new SyscallOutcome.Signaled(Signals.SIGKILL, "killed by SIGKILL (out of memory)"
                    + " touching 0x" + Long.toHexString(address) + ", rip 0x" + Long.toHexString(rip) + ": " + e.getMessage()));
        } catch (RuntimeException e) {
            process.host.internalError(process.toString(), -1, e);
            return new FaultOutcome.End(new SyscallOutcome.Signaled(Signals.SIGBUS, "killed by SIGBUS at 0x"
                    + Long.toHexString(address) + ", rip 0x" + Long.toHexString(rip) + ": the kernel failed to provide"
                    + " the page (" + e + ")"));
        } catch (ErrnoException e) {
            return new FaultOutcome.End(new SyscallOutcome.Signaled(Signals.SIGBUS, "killed by SIGBUS at 0x"
                    + Long.toHexString(address) + ", rip 0x" + Long.toHexString(rip) + ": its file could not be read ("
                    + e.getMessage() + ")"));
        }
        return new FaultOutcome.End(Signals.segmentationFault(address, rip));
    }

    @Override
    public FaultOutcome exception(SyscallTask task, int vector, long errorCode, long rip) {
        SyscallOutcome.Signaled s = Signals.forException(vector, rip);
        if (s == null) {
            return FaultOutcome.KernelDefault.INSTANCE;
        }
        return new FaultOutcome.End(s);
    }
}
