package org.paravane.vmm.kernel;

import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.vmm.kernel.abi.Blocked;
import org.paravane.vmm.kernel.abi.SyscallOutcome;

/**
 * One vCPU's system call entry: the SYSCALL's return context (RCX holds the task's RIP, R11 its RFLAGS), the task's
 * own {@link org.paravane.vmm.kernel.abi.SyscallAbi} to carry the call out, and what its outcome means for the task.
 * Each call is counted and timed per task ({@link SyscallStats}), whatever the ABI.
 *
 * <p>A call that blocks ({@link SyscallOutcome.Block}) leaves the task off its vCPU with the call's registers; when
 * the task is picked again, {@link #resumeBlocked} hands it back to its {@link Blocked} on that vCPU before any
 * guest instruction runs, and the outcome is applied as if the call had just returned it.
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
        return apply(t, ctx, outcome);
    }

    /** {@code t} was picked while blocked in a system call: its call decides again. */
    Step resumeBlocked(Task t) {
        Blocked b = t.blocked;
        t.blocked = null;
        GeneralRegisters ctx = t.registers;
        return apply(t, ctx, b.resume(t.syscallView()));
    }

    private Step apply(Task t, GeneralRegisters ctx, SyscallOutcome outcome) {
        while (true) {
            switch (outcome) {
                case SyscallOutcome.Return r -> {
                    t.registers = ctx.with(GeneralRegisters.RAX, r.value());
                    cpu.load(t);
                    return Step.CONTINUE;
                }
                case SyscallOutcome.NewContext n -> {
                    t.registers = n.registers();
                    cpu.load(t);
                    return Step.CONTINUE;
                }
                case SyscallOutcome.Yield y -> {
                    t.registers = ctx.with(GeneralRegisters.RAX, y.value());
                    return Step.PREEMPT;
                }
                case SyscallOutcome.Exit e -> {
                    kernel.exitTask(t, e.code(), 0, null);
                    return Step.LEAVE;
                }
                case SyscallOutcome.Sleep s -> {
                    t.registers = ctx.with(GeneralRegisters.RAX, s.value());
                    return sleep(t, s.nanos());
                }
                case SyscallOutcome.Block b -> {
                    t.registers = ctx;
                    if (!block(t, b)) {
                        return Step.LEAVE;
                    }
                    outcome = b.blocked().resume(t.syscallView());   // woken before it could leave: check again here
                }
                case SyscallOutcome.Signaled s -> {
                    return cpu.traps().killBySignal(t, s.signal(), s.reason());
                }
                case SyscallOutcome.Kill k -> {
                    return cpu.traps().kill(t, k.reason());
                }
            }
        }
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

    /**
     * Suspends {@code t} in {@code b}'s call; false when it left its vCPU, true when a wake was already kept (the call
     * must check again at once). The call is recorded before the suspension, since the wake may run its resumption's
     * queueing from any thread at once.
     */
    private boolean block(Task t, SyscallOutcome.Block b) {
        if (b.deadlineNanos() != SyscallOutcome.Block.NO_DEADLINE) {
            kernel.wakeAfter(t, Math.max(0, b.deadlineNanos() - kernel.nanosSinceStart()));
        }
        t.blocked = b.blocked();
        if (t.sleeper.sleep()) {
            t.blocked = null;
            return true;
        }
        return false;
    }
}
