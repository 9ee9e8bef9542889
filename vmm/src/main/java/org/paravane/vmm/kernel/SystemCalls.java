package org.paravane.vmm.kernel;

import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.vmm.kernel.abi.SyscallOutcome;

/**
 * One vCPU's system call entry: the SYSCALL's return context (RCX holds the task's RIP, R11 its RFLAGS), the task's
 * own {@link org.paravane.vmm.kernel.abi.SyscallAbi} to carry the call out, and what its outcome means for the task.
 * Each call is counted and timed per task ({@link SyscallStats}), whatever the ABI.
 */
final class SystemCalls {
    private final GuestKernel kernel;
    private final CpuScheduler cpu;

    SystemCalls(GuestKernel kernel, CpuScheduler cpu) {
        this.kernel = kernel;
        this.cpu = cpu;
    }

    /** A SYSCALL of {@code t}, the vCPU's registers at the entry stub in {@code regs}. */
    Step hypercall(Task t, GeneralRegisters regs) {
        cpu.counters().hypercalls++;
        t.counters.hypercalls++;
        GeneralRegisters ctx = regs.withRip(regs.rcx()).withRflags(regs.r11());
        long start = System.nanoTime();
        SyscallOutcome outcome = t.abi().dispatch(t.syscallView(), ctx);
        t.syscalls.record(ctx.rax(), System.nanoTime() - start);
        return switch (outcome) {
            case SyscallOutcome.Return r -> {
                t.registers = ctx.with(GeneralRegisters.RAX, r.value());
                cpu.load(t);
                yield Step.CONTINUE;
            }
            case SyscallOutcome.Yield y -> {
                t.registers = ctx.with(GeneralRegisters.RAX, y.value());
                yield Step.PREEMPT;
            }
            case SyscallOutcome.Exit e -> {
                kernel.exitTask(t, e.code(), null);
                yield Step.LEAVE;
            }
            case SyscallOutcome.Kill k -> cpu.traps().kill(t, k.reason());
        };
    }
}
