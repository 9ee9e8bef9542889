package org.paravane.kvm.vstate.vcpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.paravane.api.cpu.ControlRegisters;
import org.paravane.api.cpu.DescriptorTable;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.PendingEvents;
import org.paravane.api.cpu.Segment;
import org.paravane.api.cpu.SegmentRegisters;
import org.paravane.kvm.ioctls.KvmLayouts;

/** The KVM structures the vCPU state travels in, written and read back without KVM. */
class StateCodecTest {

    @Test
    void generalRegistersRoundTrip() {
        long[] values = new long[18];
        for (int i = 0; i < values.length; i++) {
            values[i] = 0x1111_0000_0000_0000L * (i + 1) + i;
        }
        GeneralRegisters regs = GeneralRegisters.fromArray(values);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(KvmLayouts.KVM_REGS);
            StateCodec.encodeRegs(regs, buf);
            assertThat(StateCodec.decodeRegs(buf)).isEqualTo(regs);
            assertThat(buf.get(ValueLayout.JAVA_LONG, StateCodec.RIP)).isEqualTo(regs.rip());
            assertThat(buf.get(ValueLayout.JAVA_LONG, StateCodec.RFLAGS)).isEqualTo(regs.rflags());
        }
    }

    @Test
    void specialRegistersRoundTrip() {
        SegmentRegisters segments = new SegmentRegisters(Segment.code64(0x33, 3), Segment.data(0x2B, 3), Segment.nullSegment(),
                Segment.data(0, 3).withBase(0x7fff_0000_1000L), Segment.data(0, 0).withBase(0xffff_8000_0002_0000L),
                Segment.data(0x2B, 3), Segment.tss64(0x40, 0xffff_8000_0003_0000L, 0x67),
                new Segment(0x50, 0x1234_5000L, 0xFFF, 0x2, false, 0, true, true, false, false, false, false));
        ControlRegisters control = new ControlRegisters(0x8005_0033L, 0x6000_0000_1234L, 0x1000, 0x6A0, 2, 0xD01,
                ControlRegisters.APIC_BASE_DEFAULT);
        DescriptorTable gdt = new DescriptorTable(0xffff_8000_0000_0000L, 0x57);
        DescriptorTable idt = new DescriptorTable(0xffff_8000_0000_1000L, 0xFFF);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(KvmLayouts.KVM_SREGS);
            buf.fill((byte) 0x5A);   // the encoder writes every field: nothing of this survives
            StateCodec.encodeSregs(segments, control, gdt, idt, buf);
            assertThat(StateCodec.decodeSegments(buf)).isEqualTo(segments);
            assertThat(StateCodec.decodeControl(buf)).isEqualTo(control);
            assertThat(StateCodec.decodeGdt(buf)).isEqualTo(gdt);
            assertThat(StateCodec.decodeIdt(buf)).isEqualTo(idt);
            assertThat(StateCodec.cr2(buf)).isEqualTo(0x6000_0000_1234L);
            assertThat(StateCodec.cr3(buf)).isEqualTo(0x1000);
        }
    }

    @Test
    void eventsRoundTripWithAnInjectedInterrupt() {
        PendingEvents events = new PendingEvents(new PendingEvents.PendingException(13, 0x10, 0), 0xEC, true, true, false);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(KvmLayouts.KVM_VCPU_EVENTS);
            StateCodec.encodeEvents(events, true, buf);
            assertThat(StateCodec.decodeEvents(buf, 0, false)).isEqualTo(events);
            assertThat(StateCodec.pageFaultWithoutPayload(buf)).isFalse();
        }
    }

    @Test
    void anInterruptNotInjectedNowIsNotWritten() {
        PendingEvents events = new PendingEvents(null, 0xEC, false, false, true);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(KvmLayouts.KVM_VCPU_EVENTS);
            StateCodec.encodeEvents(events, false, buf);
            assertThat(StateCodec.decodeEvents(buf, 0, true)).isEqualTo(new PendingEvents(null, -1, false, false, true));
        }
    }

    @Test
    void aPageFaultTakesItsAddressFromCr2() {
        long token = 0x0000_0001_0000_0002L;
        PendingEvents events = new PendingEvents(new PendingEvents.PendingException(14, 0, token), -1, false, false, false);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(KvmLayouts.KVM_VCPU_EVENTS);
            StateCodec.encodeEvents(events, false, buf);
            assertThat(StateCodec.pageFaultWithoutPayload(buf)).as("KVM delivers it with the CR2 of the moment").isTrue();
            assertThat(StateCodec.decodeEvents(buf, token, false)).isEqualTo(events);
        }
    }

    @Test
    void fxsaveImageRoundTripsThroughKvmFpu() {
        byte[] image = StateCodec.resetFxsave();
        MemorySegment s = MemorySegment.ofArray(image);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2, (short) 0x3800);      // FSW
        s.set(ValueLayout.JAVA_BYTE, 4, (byte) 0x81);                     // abridged tag word
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 6, (short) 0x7D9);       // last opcode
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 0x40_1000L);           // last IP
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 16, 0x60_2000L);          // last DP
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 24, 0x1FA0);               // MXCSR
        for (int i = 32; i < 416; i++) {
            image[i] = (byte) (i * 7);                                    // ST0-7 and XMM0-15
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fpu = arena.allocate(KvmLayouts.KVM_FPU);
            StateCodec.fpuFromFxsave(image, fpu);
            assertThat(StateCodec.fxsaveFromFpu(fpu)).isEqualTo(image);
        }
    }

    @Test
    void theResetImageHasTheArchitecturalDefaults() {
        MemorySegment s = MemorySegment.ofArray(StateCodec.resetFxsave());
        assertThat(s.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0)).as("FCW").isEqualTo((short) 0x37F);
        assertThat(s.get(ValueLayout.JAVA_INT_UNALIGNED, 24)).as("MXCSR").isEqualTo(0x1F80);
    }
}
