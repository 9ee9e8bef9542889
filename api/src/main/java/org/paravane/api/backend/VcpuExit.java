package org.paravane.api.backend;

import java.lang.foreign.MemorySegment;

/**
 * Why {@link Vcpu#run()} returned: the one exit type of every backend.
 *
 * <p>Exits that expect an answer ({@link PortIo} in, {@link Mmio} read) carry a writable {@code data} view; the
 * caller writes the answer there before the next {@code run()}, which completes the instruction.
 *
 * <p>At a {@link PortIo} exit or an {@link Mmio} load the instruction has not completed: RIP still points at it (as KVM
 * leaves it). The next {@code run()} completes it and continues after it — unless the caller changed RIP first, which
 * abandons it (an out has already been delivered; an in or a load writes nothing). An MMIO store may already have
 * completed at its exit (KVM emulates it whole): RIP is then past it.
 */
public sealed interface VcpuExit {

    /**
     * An {@code in} or {@code out} (and their string forms): {@code count} transfers of {@code size} bytes each at
     * {@code port}. For out, {@code data} holds what the guest wrote; for in, the caller fills it.
     */
    record PortIo(int port, int size, int count, boolean in, MemorySegment data) implements VcpuExit {
        /** The first transfer's value, little endian. */
        public long value() {
            return switch (size) {
                case 1 -> data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) & 0xFFL;
                case 2 -> data.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 0) & 0xFFFFL;
                default -> data.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0) & 0xFFFF_FFFFL;
            };
        }
    }

    /** A load ({@code write == false}, the caller fills {@code data}) or store to guest-physical memory no region backs. */
    record Mmio(long address, int size, boolean write, MemorySegment data) implements VcpuExit {
    }

    /**
     * The guest executed HLT and nothing can wake it: interrupts are disabled (RFLAGS.IF = 0). With IF = 1 a halted
     * vCPU sleeps inside {@code run()} until an interrupt arrives or it is {@linkplain Vcpu#kick() kicked}.
     */
    record Halted(long rip) implements VcpuExit {
    }

    /** The guest shut the vCPU down: a triple fault, or an exception the CPU could not deliver. */
    record Shutdown(String reason) implements VcpuExit {
    }

    /** {@code run()} stopped between instructions without a guest event. */
    record Interrupted(Cause cause) implements VcpuExit {
        public enum Cause {
            /** {@link Vcpu#kick()} from another thread (or before this run started). */
            KICK,
            /** The {@link RunBudget} is spent: a preemption tick. */
            BUDGET,
            /** A host signal interrupted the run (EINTR). */
            SIGNAL
        }
    }

    /** A debug event: single-step completed an instruction, or a breakpoint was hit. */
    record Debug(long rip, boolean singleStep) implements VcpuExit {
    }

    /**
     * A guest access needed a page the host could not provide (the page source failed). The instruction did not
     * complete; the guest kernel decides what happens to the task.
     */
    record MemoryError(long guestAddress, String cause) implements VcpuExit {
    }

    /** The guest requested a system event (reset, shutdown, crash) through a paravirtual or platform interface. */
    record SystemEvent(Type type, String detail) implements VcpuExit {
        public enum Type { SHUTDOWN, RESET, CRASH }
    }

    /**
     * The hardware refused to enter the guest (KVM_EXIT_FAIL_ENTRY) or the backend hit an internal error
     * (KVM_EXIT_INTERNAL_ERROR, an emulation failure). {@code detail} names the exit and the vCPU state.
     */
    record Failed(String kind, long code, String detail) implements VcpuExit {
    }
}
