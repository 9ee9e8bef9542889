package org.paravane.vmm.kernel.abi.paravane;

import java.nio.charset.StandardCharsets;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.vmm.kernel.abi.KernelSection;
import org.paravane.vmm.kernel.abi.SyscallAbi;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.GuestAccessException;

/** The nine Paravane hypercalls: RAX the number, arguments in RDI, RSI, RDX, the result (or -errno) in RAX. */
public final class ParavaneAbi implements SyscallAbi {

    public static final ParavaneAbi INSTANCE = new ParavaneAbi();

    /** The largest write a task may make at once. */
    private static final long MAX_WRITE = 1 << 20;

    private ParavaneAbi() {
    }

    @Override
    public String name() {
        return "paravane";
    }

    /** The hypercall's name as paravane.h spells it without its prefix ({@code write}, {@code rcu_read_lock}). */
    @Override
    public String callName(long number) {
        Hypercall call = Hypercall.of(number);
        return call == null ? SyscallAbi.super.callName(number) : call.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public SyscallOutcome dispatch(SyscallTask task, GeneralRegisters regs) {
        long nr = regs.rax();
        Hypercall call = Hypercall.of(nr);
        if (call == null) {
            task.kernelMessage("unknown hypercall " + Long.toUnsignedString(nr) + " at rip 0x" + Long.toHexString(regs.rip())
                    + " (returned -ENOSYS)");
            return new SyscallOutcome.Return(-GuestAbi.ENOSYS);
        }
        return switch (call) {
            case EXIT -> new SyscallOutcome.Exit((int) regs.rdi());
            case YIELD -> new SyscallOutcome.Yield(0);
            case WRITE -> new SyscallOutcome.Return(write(task, regs.rdi(), regs.rsi(), regs.rdx()));
            case TIME -> new SyscallOutcome.Return(task.nanosSinceStart());
            case PREEMPT_DISABLE -> new SyscallOutcome.Return(enter(task, KernelSection.PREEMPT_DISABLED));
            case PREEMPT_ENABLE -> new SyscallOutcome.Return(leave(task, KernelSection.PREEMPT_DISABLED));
            case RCU_READ_LOCK -> new SyscallOutcome.Return(enter(task, KernelSection.RCU_READ));
            case RCU_READ_UNLOCK -> new SyscallOutcome.Return(leave(task, KernelSection.RCU_READ));
            case REPORT -> new SyscallOutcome.Return(report(task, regs.rdi(), regs.rsi()));
        };
    }

    /** preempt_disable and rcu_read_lock: nesting counts of kernel tasks, read by the decision table. */
    private static long enter(SyscallTask task, KernelSection section) {
        if (task.cpl() == 3) {
            return -GuestAbi.EPERM;
        }
        task.enter(section);
        return 0;
    }

    private static long leave(SyscallTask task, KernelSection section) {
        if (task.cpl() == 3) {
            return -GuestAbi.EPERM;
        }
        return task.leave(section) ? 0 : -GuestAbi.EINVAL;
    }

    private static long write(SyscallTask task, long fd, long buf, long len) {
        if (fd != 1 && fd != 2) {
            return -GuestAbi.EINVAL;
        }
        if (len < 0 || len > MAX_WRITE) {
            return -GuestAbi.EINVAL;
        }
        try {
            task.write(new String(task.memory().read(buf, (int) len), StandardCharsets.UTF_8));
            return len;
        } catch (GuestAccessException e) {
            task.kernelMessage("write: " + e.getMessage());
            return -GuestAbi.EFAULT;
        }
    }

    private static long report(SyscallTask task, long namePtr, long value) {
        try {
            task.report(task.memory().readString(namePtr, 64), value);
            return 0;
        } catch (GuestAccessException e) {
            task.kernelMessage("report: " + e.getMessage());
            return -GuestAbi.EFAULT;
        }
    }
}
