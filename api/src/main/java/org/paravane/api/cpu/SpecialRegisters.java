package org.paravane.api.cpu;

import java.util.Objects;

/**
 * Segment, control and descriptor-table registers: what changes when a kernel switches privilege level or address
 * space (KVM's {@code kvm_sregs}). Cheaper to move than the whole {@link VcpuState}.
 */
public record SpecialRegisters(SegmentRegisters segments, ControlRegisters control, DescriptorTable gdt,
                               DescriptorTable idt) {

    public SpecialRegisters {
        Objects.requireNonNull(segments, "segments");
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(gdt, "gdt");
        Objects.requireNonNull(idt, "idt");
    }

    public static SpecialRegisters of(VcpuState state) {
        return new SpecialRegisters(state.segments(), state.control(), state.gdt(), state.idt());
    }

    public int cpl() {
        return segments.cpl();
    }
}
