package org.paravane.vmm.kernel;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import org.paravane.api.asyncpf.AsyncPfAbi;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSourceException;
import org.paravane.support.x86.TrapStubs;
import org.paravane.vmm.kernel.abi.FaultOutcome;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.paravane.GuestAbi;
import org.paravane.vmm.kernel.mm.PhysicalPages;

/**
 * One vCPU's exits and traps: which exit stub the vCPU left from (an exception, an interrupt, a SYSCALL), the trap
 * frame on its IST stack, the ordinary page fault (demand-zero stack growth), and the kills and panics that say what
 * went wrong and where. Async page faults and "page ready" go on to {@link GuestAsyncPf}, system calls to
 * {@link SystemCalls}.
 */
final class TrapHandler {

    /** The frame the CPU pushed on the IST stack: the interrupted context. */
    record Frame(long errorCode, long rip, long cs, long rflags, long rsp) {
    }

    /** #NM: an FP instruction with CR0.TS set, the lazy FP switch's cue. */
    private static final int DEVICE_NOT_AVAILABLE = 7;

    private final GuestKernel kernel;
    private final CpuScheduler cpu;

    TrapHandler(GuestKernel kernel, CpuScheduler cpu) {
        this.kernel = kernel;
        this.cpu = cpu;
    }

    /** An exit of {@code t}'s run. */
    Step taskExit(Task t, VcpuExit exit) {
        int index = cpu.index();
        return switch (exit) {
            case VcpuExit.PortIo io -> {
                GeneralRegisters regs = cpu.vcpu().registers();
                int vector = PlatformLayout.vectorAt(regs.rip());
                if (vector < 0 || io.in()) {
                    yield kill(t, "port I/O (" + (io.in() ? "in" : "out") + " port 0x" + Integer.toHexString(io.port())
                            + ") at rip 0x" + Long.toHexString(regs.rip()));
                }
                cpu.enteredStub();
                yield vector == 256 ? cpu.syscalls().hypercall(t, regs) : trap(t, vector, regs);
            }
            case VcpuExit.Interrupted i -> {
                GeneralRegisters regs = cpu.vcpu().registers();
                if (PlatformLayout.vectorAt(regs.rip()) >= 0) {
                    yield Step.CONTINUE;   // an event was just delivered: let its stub exit first
                }
                t.registers = regs;
                yield Step.CONTINUE;   // the slice decides (CpuScheduler.runTask)
            }
            case VcpuExit.Mmio m -> kill(t, (m.write() ? "store to" : "load from") + " guest-physical 0x"
                    + Long.toHexString(m.address()) + ", which no memory backs");
            case VcpuExit.MemoryError e -> kill(t, "page 0x" + Long.toHexString(e.guestAddress())
                    + " could not be provided: " + e.cause());
            case VcpuExit.Halted h -> kill(t, "hlt with interrupts disabled at rip 0x" + Long.toHexString(h.rip()));
            case VcpuExit.Debug d -> Step.CONTINUE;
            case VcpuExit.Shutdown s -> {
                kernel.panic("vCPU " + index + " shut down in " + t + ": " + Exceptions.TRIPLE_FAULT + "; the backend reported: "
                        + s.reason());
                yield Step.LEAVE;
            }
            case VcpuExit.SystemEvent e -> {
                kernel.panic("system event " + e.type() + " from " + t + ": " + e.detail());
                yield Step.LEAVE;
            }
            case VcpuExit.Failed f when Exceptions.deliveryFailure(f) -> {
                kernel.panic("vCPU " + index + " shut down in " + t + ": " + Exceptions.TRIPLE_FAULT + "; the backend reported: "
                        + f.kind() + " (" + f.code() + ") " + f.detail());
                yield Step.LEAVE;
            }
            case VcpuExit.Failed f -> {
                kernel.panic("vCPU " + index + " failed in " + t + ": " + f.kind() + " (" + f.code() + ") " + f.detail());
                yield Step.LEAVE;
            }
        };
    }

    /** An exit of the halt stub: a "page ready" interrupt is handled, a kick or the tick returns to the caller. */
    void haltExit(VcpuExit exit) {
        int index = cpu.index();
        cpu.counters().exits++;
        switch (exit) {
            case VcpuExit.PortIo io -> {
                GeneralRegisters regs = cpu.vcpu().registers();
                int vector = PlatformLayout.vectorAt(regs.rip());
                if (vector == AsyncPfAbi.DEFAULT_READY_VECTOR) {
                    cpu.counters().traps++;
                    cpu.asyncPf().pageReady(readFrame(vector, regs.rsp()), 0, cpu.current() == null);
                } else if (vector < 0 || vector < 32 || vector == 256) {
                    kernel.panic("vCPU " + index + ": unexpected exit while halted: port 0x" + Integer.toHexString(io.port())
                            + " at rip 0x" + Long.toHexString(regs.rip()) + " (vector " + vector + ")");
                }
            }
            case VcpuExit.Interrupted i -> {
                // a kick (new task, wake, pause) or the tick: the caller re-checks
            }
            default -> kernel.panic("vCPU " + index + ": unexpected exit while halted: " + exit);
        }
    }

    /** The task ends as killed by {@code signal}: exit status 128 + signal, {@code why} on its console. */
    Step killBySignal(Task t, int signal, String why) {
        kernel.exitTask(t, 128 + signal, signal, why);
        return Step.LEAVE;
    }

    private Step end(Task t, SyscallOutcome outcome) {
        return switch (outcome) {
            case SyscallOutcome.Signaled s -> killBySignal(t, s.signal(), s.reason());
            case SyscallOutcome.Exit e -> {
                kernel.exitTask(t, e.code(), 0, null);
                yield Step.LEAVE;
            }
            case SyscallOutcome.Kill k -> kill(t, k.reason());
            default -> kill(t, "its ABI ended a fault with " + outcome);
        };
    }

    /** The kernel ends the task; {@code why} says what it did and where. */
    Step kill(Task t, String why) {
        kernel.exitTask(t, -1, 9, why);
        return Step.LEAVE;
    }

    /** An exception or interrupt taken while {@code t} ran: its frame is on this vCPU's IST stack. */
    private Step trap(Task t, int vector, GeneralRegisters regs) {
        cpu.counters().traps++;
        Frame f = readFrame(vector, regs.rsp());
        if (TrapStubs.syscallFromUserTrapped(PlatformLayout.STUBS, vector, f.rip(), f.cs())) {
            // PVM delivers a CPL3 SYSCALL to the entry without leaving CPL3: it traps there. It is the hypercall.
            return cpu.syscalls().hypercall(t, regs.with(GeneralRegisters.RSP, f.rsp()));
        }
        GeneralRegisters interrupted = regs.withRip(f.rip()).withRflags(f.rflags()).with(GeneralRegisters.RSP, f.rsp());
        t.registers = interrupted;
        int cpl = (int) (f.cs() & 3);
        if (vector == AsyncPfAbi.PAGE_FAULT_VECTOR) {
            int reason = cpu.asyncPf().readAndResetReason();   // first of all, on every #PF
            return cpu.asyncPf().pageFault(t, cpu.vcpu().specialRegisters().control().cr2(), (int) f.errorCode(),
                    reason, interrupted, cpl);
        }
        if (vector == AsyncPfAbi.DEFAULT_READY_VECTOR) {
            cpu.asyncPf().pageReady(f, cpl, false);
            cpu.load(t);
            return Step.CONTINUE;
        }
        if (vector == DEVICE_NOT_AVAILABLE && cpu.fpu().deviceNotAvailable(t)) {
            cpu.load(t);   // the FPU is the task's now: its FP instruction runs again
            return Step.CONTINUE;
        }
        if (vector >= 32) {
            cpu.load(t);   // a stray external interrupt: nothing to do
            return Step.CONTINUE;
        }
        FaultOutcome decided = t.abi().exception(t.syscallView(), vector, f.errorCode(), f.rip());
        return switch (decided) {
            case FaultOutcome.Retry r -> {
                cpu.load(t);
                yield Step.CONTINUE;
            }
            case FaultOutcome.End e -> end(t, e.outcome());
            case FaultOutcome.KernelDefault d ->
                    kill(t, Exceptions.describe(vector, f.errorCode()) + " at rip 0x" + Long.toHexString(f.rip()));
        };
    }

    /** Demand-zero stack growth; anything else kills the task with where it happened. */
    Step ordinaryPageFault(Task t, long cr2, int errorCode, GeneralRegisters ctx) {
        FaultOutcome decided = t.abi().pageFault(t.syscallView(), cr2, errorCode, ctx.rip());
        switch (decided) {
            case FaultOutcome.Retry r -> {
                cpu.load(t);
                return Step.CONTINUE;
            }
            case FaultOutcome.End e -> {
                return end(t, e.outcome());
            }
            case FaultOutcome.KernelDefault d -> {
            }
        }
        boolean notPresent = (errorCode & 1) == 0;
        long stackLow = GuestAbi.STACK_TOP - GuestAbi.STACK_SIZE;
        if (notPresent && cr2 >= stackLow && cr2 < GuestAbi.STACK_TOP) {
            try {
                t.space.mapFresh(cr2 & -GuestMemory.PAGE_SIZE, GuestMemory.PAGE_SIZE, true, false);
                cpu.load(t);
                return Step.CONTINUE;
            } catch (PhysicalPages.OutOfGuestMemoryException e) {
                return kill(t, "stack page at 0x" + Long.toHexString(cr2) + ": " + e.getMessage());
            }
        }
        return kill(t, "page fault at 0x" + Long.toHexString(cr2) + " (" + Exceptions.pageFaultCause(errorCode)
                + ") at rip 0x" + Long.toHexString(ctx.rip()));
    }

    private Frame readFrame(int vector, long rsp) {
        boolean errorCode = vector < 32 && TrapStubs.pushesErrorCode(vector);
        try {
            MemorySegment s = kernel.memory().slice(rsp, errorCode ? 48 : 40);
            int o = errorCode ? 8 : 0;
            return new Frame(errorCode ? s.get(JAVA_LONG_UNALIGNED, 0) : 0, s.get(JAVA_LONG_UNALIGNED, o),
                    s.get(JAVA_LONG_UNALIGNED, o + 8), s.get(JAVA_LONG_UNALIGNED, o + 16), s.get(JAVA_LONG_UNALIGNED, o + 24));
        } catch (PageSourceException | IllegalArgumentException e) {
            throw new IllegalStateException("vCPU " + cpu.index() + ": trap frame at 0x" + Long.toHexString(rsp)
                    + " unreadable", e);
        }
    }
}
