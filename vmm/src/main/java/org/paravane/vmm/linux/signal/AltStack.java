package org.paravane.vmm.linux.signal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A thread's alternate signal stack ({@code stack_t}): base, flags, size; {@link #DISABLED} when there is none. */
public record AltStack(long sp, int flags, long size) {
    public static final int SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = 1 << 31;
    public static final int SIZE = 24;
    /** MINSIGSTKSZ of x86-64 (without XSAVE state). */
    public static final long MIN_SIZE = 2048;
    public static final AltStack DISABLED = new AltStack(0, SS_DISABLE, 0);

    /** No stack: Linux keeps none when its size is 0 (sigaltstack with SS_DISABLE clears it so). */
    public boolean disabled() {
        return size == 0;
    }

    /** Whether the stack is cleared on entering a handler on it (SS_AUTODISARM). */
    public boolean autoDisarm() {
        return (flags & SS_AUTODISARM) != 0;
    }

    /** Whether {@code rsp} is on this stack (Linux's on_sig_stack: above the base, at most at the top). */
    public boolean contains(long rsp) {
        return !disabled() && Long.compareUnsigned(rsp - sp, size) <= 0 && rsp != sp;
    }

    /** Linux's sas_ss_flags: what a frame's uc_stack says for a thread at {@code rsp}. */
    public int frameFlags(long rsp) {
        return disabled() ? SS_DISABLE : contains(rsp) ? SS_ONSTACK : 0;
    }

    /** What sigaltstack reports as the old stack: the frame's flags and SS_AUTODISARM when it was asked for. */
    public int reportedFlags(long rsp) {
        return frameFlags(rsp) | (flags & SS_AUTODISARM);
    }

    /** The {@code stack_t} with {@code flags}. */
    public byte[] bytes(int reported) {
        return ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN).putLong(sp).putInt(reported).putInt(0)
                .putLong(size).array();
    }

    /** A {@code stack_t} as the guest wrote it (flags as given, not yet checked). */
    public static AltStack read(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long sp = buf.getLong();
        int flags = buf.getInt();
        buf.getInt();
        return new AltStack(sp, flags, buf.getLong());
    }
}
