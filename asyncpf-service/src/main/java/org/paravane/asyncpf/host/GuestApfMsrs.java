package org.paravane.asyncpf.host;

import static org.paravane.api.asyncpf.AsyncPfAbi.AREA_TOKEN;
import static org.paravane.api.asyncpf.AsyncPfAbi.EN_AREA_MASK;
import static org.paravane.api.asyncpf.AsyncPfAbi.EN_DELIVERY_AS_INT;
import static org.paravane.api.asyncpf.AsyncPfAbi.EN_ENABLED;
import static org.paravane.api.asyncpf.AsyncPfAbi.EN_RESERVED;
import static org.paravane.api.asyncpf.AsyncPfAbi.EN_SEND_ALWAYS;
import static org.paravane.api.asyncpf.AsyncPfAbi.MSR_ASYNC_PF_EN;
import static org.paravane.api.asyncpf.AsyncPfAbi.MSR_ASYNC_PF_INT;

import java.lang.foreign.MemorySegment;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSourceException;

/**
 * What one vCPU's guest wrote to the async-PF MSRs ({@code vcpu->arch.apf}'s msr_en_val / msr_int_val), with the
 * checks that make a write raise #GP, and what follows from them: enabled, send-always, the page-ready vector, the
 * mapped shared area. Guarded by the owning {@link VcpuAsyncPf}'s lock; the owner acts on what a write changed.
 */
final class GuestApfMsrs {
    /** Valid page-ready vectors: 0..31 are exceptions and reserved vectors. */
    private static final int FIRST_VECTOR = 32;

    /** What a write of {@code MSR_KVM_ASYNC_PF_EN} did to delivery. */
    enum EnableChange {
        /** Turned on (again): the guest is owed a wake-all. */
        ENABLED,
        /** Turned off: outstanding work is dropped. */
        DISABLED,
        /** The engine is gone: the value reads back, nothing else happens. */
        UNCHANGED
    }

    private long msrEn;
    private long msrInt;
    private int vector;
    private boolean enabled;
    private boolean sendAlways;
    private MemorySegment area;

    /**
     * {@code kvm_pv_enable_async_pf}'s checks and state.
     *
     * @throws IllegalArgumentException "#GP: ..." for reserved bits, no vector yet, or an area outside guest RAM
     */
    EnableChange writeEnable(long value, boolean engineGone, GuestMemory memory) {
        if ((value & EN_RESERVED) != 0) {
            throw gp("MSR_KVM_ASYNC_PF_EN value 0x" + Long.toHexString(value) + " sets the reserved bits 5:4");
        }
        if (engineGone) {
            msrEn = value;
            return EnableChange.UNCHANGED;
        }
        boolean on = (value & EN_ENABLED) != 0 && (value & EN_DELIVERY_AS_INT) != 0;
        if (!on) {
            msrEn = value;
            enabled = false;
            area = null;
            return EnableChange.DISABLED;
        }
        if (vector == 0) {
            throw gp("MSR_KVM_ASYNC_PF_EN enables interrupt delivery before a page-ready vector was set: write "
                    + "MSR_KVM_ASYNC_PF_INT (0x" + Integer.toHexString(MSR_ASYNC_PF_INT) + ") first");
        }
        long areaGpa = value & EN_AREA_MASK;
        MemorySegment mapped;
        try {
            mapped = memory.slice(areaGpa, AREA_TOKEN + Integer.BYTES);
        } catch (IllegalArgumentException | PageSourceException e) {
            throw gp("MSR_KVM_ASYNC_PF_EN places the async PF area at 0x" + Long.toHexString(areaGpa)
                    + ", which is not usable guest RAM: " + e.getMessage());
        }
        msrEn = value;
        enabled = true;
        sendAlways = (value & EN_SEND_ALWAYS) != 0;
        area = mapped;
        return EnableChange.ENABLED;
    }

    /** {@code MSR_KVM_ASYNC_PF_INT}: the page-ready vector, 32..255 (0 only while disabled). */
    void writeVector(long value) {
        if ((value & ~0xFFL) != 0) {
            throw gp("MSR_KVM_ASYNC_PF_INT value 0x" + Long.toHexString(value) + " sets the reserved bits 63:8");
        }
        int v = (int) value;
        if (v != 0 && v < FIRST_VECTOR) {
            throw gp("MSR_KVM_ASYNC_PF_INT vector " + v + " is an exception vector; page-ready needs " + FIRST_VECTOR + "..255");
        }
        if (v == 0 && enabled) {
            throw gp("MSR_KVM_ASYNC_PF_INT cannot clear the page-ready vector while async PF is enabled");
        }
        msrInt = value;
        vector = v;
    }

    /** The value an RDMSR reads (the ACK MSR always reads 0). */
    long read(int index) {
        return switch (index) {
            case MSR_ASYNC_PF_EN -> msrEn;
            case MSR_ASYNC_PF_INT -> msrInt;
            default -> 0;
        };
    }

    /** vCPU reset: every MSR back to 0. */
    void reset() {
        msrEn = 0;
        msrInt = 0;
        vector = 0;
        enabled = false;
        sendAlways = false;
        area = null;
    }

    /** The engine closed: nothing is delivered any more, but the written values still read back. */
    void engineGone() {
        enabled = false;
        area = null;
    }

    boolean enabled() {
        return enabled;
    }

    boolean sendAlways() {
        return sendAlways;
    }

    int vector() {
        return vector;
    }

    /** The guest's shared area (reason flags, page-ready token) while enabled, else null. */
    MemorySegment area() {
        return area;
    }

    private static IllegalArgumentException gp(String message) {
        return new IllegalArgumentException("#GP: " + message);
    }
}
