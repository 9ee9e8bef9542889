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
            case SyscallOutcome.Sleep s -> {
                t.registers = ctx.with(GeneralRegisters.RAX, s.value());
                yield sleep(t, s.nanos());
            }
            case SyscallOutcome.Signaled s -> cpu.traps().killBySignal(t, s.signal(), s.reason());
            case SyscallOutcome.Kill k -> cpu.traps().kill(t, k.reason());
        };
    }

    /**
     * Takes {@code t} off its vCPU for {@code nanos}: the kernel's timer wakes it through its sleeper, as a "page
     * ready" wakes a schedule wait. A wake that comes before the task is suspended is kept, and the task runs on.
     */
    private Step sleep(Task t, long nanos) {
        if (nanos <= 0) {
            return Step.PREEMPT;
        }
        kernel.wakeAfter(t, nanos);
        if (t.sleeper.sleep()) {
            cpu.load(t);
            return Step.CONTINUE;
        }
        return Step.LEAVE;
    }
}
