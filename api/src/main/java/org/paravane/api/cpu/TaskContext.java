package org.paravane.api.cpu;

import java.util.Objects;

/**
 * The part of the vCPU state a guest kernel saves and restores when it switches tasks: general registers with RIP and
 * RFLAGS, segment registers (privilege level, FS/GS bases) and control registers (CR3 selects the address space; CR2
 * holds the last page-fault address or async-PF token). MSRs, the FPU image and pending events stay as they are.
 */
public record TaskContext(GeneralRegisters registers, SegmentRegisters segments, ControlRegisters control) {

    public TaskContext {
        Objects.requireNonNull(registers, "registers");
        Objects.requireNonNull(segments, "segments");
        Objects.requireNonNull(control, "control");
    }

    public TaskContext withRegisters(GeneralRegisters r) {
        return new TaskContext(r, segments, control);
    }
}
