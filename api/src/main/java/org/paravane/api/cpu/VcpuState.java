package org.paravane.api.cpu;

import java.util.Objects;

/**
 * The complete architectural state of a vCPU, independent of the backend that ran it.
 *
 * <p>Reading it from a stopped vCPU of one backend and writing it to a fresh vCPU of another continues the guest
 * exactly where it stopped. The x87/SSE state travels as the standard 512-byte FXSAVE image (64-bit layout): XMM0-15
 * and MXCSR as both backends execute them, the x87 part byte for byte, so nothing a guest could observe is lost on a
 * move.
 *
 * @param registers general registers, RIP, RFLAGS
 * @param segments  segment, task and LDT registers
 * @param control   CR0, CR2, CR3, CR4, CR8, EFER, APIC base
 * @param gdt       the GDTR
 * @param idt       the IDTR
 * @param msrs      the model-specific registers of {@link Msr}
 * @param events    pending exception / interrupt / NMI, interrupt shadow, halted
 * @param fxsave    512-byte FXSAVE image of the x87/SSE state, or null for the reset state
 */
public record VcpuState(GeneralRegisters registers, SegmentRegisters segments, ControlRegisters control,
                        DescriptorTable gdt, DescriptorTable idt, ModelSpecificRegisters msrs, PendingEvents events,
                        byte[] fxsave) {

    public VcpuState {
        Objects.requireNonNull(registers, "registers");
        Objects.requireNonNull(segments, "segments");
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(gdt, "gdt");
        Objects.requireNonNull(idt, "idt");
        Objects.requireNonNull(msrs, "msrs");
        Objects.requireNonNull(events, "events");
        if (fxsave != null) {
            if (fxsave.length != 512) {
                throw new IllegalArgumentException("FXSAVE image must be 512 bytes, got " + fxsave.length);
            }
            fxsave = fxsave.clone();
        }
    }

    @Override
    public byte[] fxsave() {
        return fxsave == null ? null : fxsave.clone();
    }

    public int cpl() {
        return segments.cpl();
    }

    public VcpuState withRegisters(GeneralRegisters r) {
        return new VcpuState(r, segments, control, gdt, idt, msrs, events, fxsave);
    }

    public VcpuState withSegments(SegmentRegisters s) {
        return new VcpuState(registers, s, control, gdt, idt, msrs, events, fxsave);
    }

    public VcpuState withControl(ControlRegisters c) {
        return new VcpuState(registers, segments, c, gdt, idt, msrs, events, fxsave);
    }

    public VcpuState withMsrs(ModelSpecificRegisters m) {
        return new VcpuState(registers, segments, control, gdt, idt, m, events, fxsave);
    }

    public VcpuState withEvents(PendingEvents e) {
        return new VcpuState(registers, segments, control, gdt, idt, msrs, e, fxsave);
    }

    public VcpuState withDescriptorTables(DescriptorTable newGdt, DescriptorTable newIdt) {
        return new VcpuState(registers, segments, control, newGdt, newIdt, msrs, events, fxsave);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VcpuState s && registers.equals(s.registers) && segments.equals(s.segments)
                && control.equals(s.control) && gdt.equals(s.gdt) && idt.equals(s.idt) && msrs.equals(s.msrs)
                && events.equals(s.events) && java.util.Arrays.equals(fxsave, s.fxsave);
    }

    @Override
    public int hashCode() {
        return Objects.hash(registers, segments, control, gdt, idt, msrs, events) * 31 + java.util.Arrays.hashCode(fxsave);
    }

    @Override
    public String toString() {
        return "VcpuState[" + registers + ", cpl=" + cpl() + ", cr0=" + Long.toHexString(control.cr0())
                + " cr2=" + Long.toHexString(control.cr2()) + " cr3=" + Long.toHexString(control.cr3())
                + " cr4=" + Long.toHexString(control.cr4()) + " efer=" + Long.toHexString(control.efer())
                + ", " + segments + ", gdt=" + gdt + ", idt=" + idt + ", " + msrs + ", " + events + "]";
    }
}
