package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.Errno.EFAULT;
import static org.paravane.vmm.linux.Errno.ENOMEM;
import static org.paravane.vmm.linux.Errno.ENOSYS;

import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.vmm.kernel.abi.FaultOutcome;
import org.paravane.vmm.kernel.abi.SyscallAbi;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.kernel.mm.PhysicalPages;
import org.paravane.vmm.linux.ErrnoException;

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
        } catch (ErrnoException e) {
            return new SyscallOutcome.Return(-e.errno());
        } catch (GuestAccessException e) {
            return new SyscallOutcome.Return(-EFAULT);
        } catch (PhysicalPages.OutOfGuestMemoryException e) {
            return new SyscallOutcome.Return(-ENOMEM);
        } catch (RuntimeException e) {
            process.host.internalError(process.toString(), nr, e);
            return new SyscallOutcome.Return(-org.paravane.vmm.linux.Errno.EIO);
        } finally {
            if (process.memory().takeFlush()) {
                task.flushTlb();
            }
        }
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
