package org.paravane.kvm.vstate.vcpu;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.paravane.kvm.ioctls.KvmLayouts;
import org.paravane.kvm.ioctls.VcpuFd;

/**
 * The in-kernel LAPIC of a vCPU through KVM_GET/SET_LAPIC ({@code struct kvm_lapic_state}: the xAPIC register page,
 * each 32-bit register 16 bytes apart). The static methods read and change that page and need no KVM.
 */
final class VcpuLapic {
    /** Spurious-interrupt vector register; bit 8 software-enables the LAPIC. */
    static final int SVR = 0xF0;
    /** First word of the in-service register (ISR) and of the interrupt request register (IRR): eight words each. */
    static final int ISR = 0x100, IRR = 0x200;

    private final VcpuFd fd;
    private final MemorySegment buf;

    VcpuLapic(VcpuFd fd, Arena arena) {
        this.fd = fd;
        this.buf = arena.allocate(KvmLayouts.KVM_LAPIC_STATE);
    }

    /** The highest vector requested in the IRR, or -1. */
    int highestRequestedInterrupt() {
        fd.getLapic(buf);
        return highestRequested(buf);
    }

    /** Raises {@code vector} in the IRR: KVM injects it when the guest can take it. */
    void raiseInterrupt(int vector) {
        fd.getLapic(buf);
        setBit(buf, IRR, vector, true);
        fd.setLapic(buf);
    }

    /** A 32-bit register at {@code offset}. */
    int register(int offset) {
        fd.getLapic(buf);
        return buf.get(JAVA_INT, offset);
    }

    /** Sets a 32-bit register (KVM_SET_LAPIC of the whole state). */
    void setRegister(int offset, int value) {
        fd.getLapic(buf);
        buf.set(JAVA_INT, offset, value);
        fd.setLapic(buf);
    }

    /** Software-enables the LAPIC (SVR bit 8, spurious vector 0xFF): KVM only delivers to an enabled one. */
    void enable() {
        fd.getLapic(buf);
        buf.set(JAVA_INT, SVR, buf.get(JAVA_INT, SVR) | 0x1FF);
        fd.setLapic(buf);
    }

    /**
     * Ends {@code vector} if it is in service by clearing its ISR bit (KVM recomputes the processor priority on
     * KVM_SET_LAPIC; the same in xAPIC and x2APIC mode). Returns whether it was in service.
     */
    boolean endInService(int vector) {
        fd.getLapic(buf);
        if (!bit(buf, ISR, vector)) {
            return false;
        }
        setBit(buf, ISR, vector, false);
        fd.setLapic(buf);
        return true;
    }

    // ---------------------------------------------------------------- the register page

    /** The highest vector set in the IRR of {@code lapic}, or -1 (vectors 0-31 are exceptions, never requested). */
    static int highestRequested(MemorySegment lapic) {
        for (int word = 7; word >= 1; word--) {
            int bits = lapic.get(JAVA_INT, IRR + word * 0x10L);
            if (bits != 0) {
                return word * 32 + 31 - Integer.numberOfLeadingZeros(bits);
            }
        }
        return -1;
    }

    /** Whether {@code vector}'s bit is set in the eight-word register starting at {@code base} (ISR, IRR, TMR). */
    static boolean bit(MemorySegment lapic, int base, int vector) {
        return (lapic.get(JAVA_INT, wordOffset(base, vector)) & (1 << (vector % 32))) != 0;
    }

    static void setBit(MemorySegment lapic, int base, int vector, boolean on) {
        long at = wordOffset(base, vector);
        int bits = lapic.get(JAVA_INT, at);
        lapic.set(JAVA_INT, at, on ? bits | (1 << (vector % 32)) : bits & ~(1 << (vector % 32)));
    }

    private static long wordOffset(int base, int vector) {
        return base + (vector / 32) * 0x10L;
    }
}
