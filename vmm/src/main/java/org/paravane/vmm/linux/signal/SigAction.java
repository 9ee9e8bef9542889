package org.paravane.vmm.linux.signal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** One signal's disposition, as x86-64's {@code struct kernel_sigaction}: handler, flags, restorer, mask. */
public record SigAction(long handler, long flags, long restorer, long mask) {
    public static final long SIG_DFL = 0, SIG_IGN = 1;
    public static final long SA_NOCLDSTOP = 1, SA_NOCLDWAIT = 2, SA_SIGINFO = 4, SA_RESTORER = 0x04000000L,
            SA_ONSTACK = 0x08000000L, SA_RESTART = 0x10000000L, SA_NODEFER = 0x40000000L, SA_RESETHAND = 0x80000000L;
    /** The size of the structure in guest memory. */
    public static final int SIZE = 32;
    public static final SigAction DEFAULT = new SigAction(SIG_DFL, 0, 0, 0);

    public boolean ignored() {
        return handler == SIG_IGN;
    }

    public boolean isDefault() {
        return handler == SIG_DFL;
    }

    /** A handler runs (neither SIG_DFL nor SIG_IGN). */
    public boolean handled() {
        return handler != SIG_DFL && handler != SIG_IGN;
    }

    public boolean has(long flag) {
        return (flags & flag) != 0;
    }

    /** Whether {@code signal} is discarded when posted: ignored explicitly, or by default. */
    public boolean discards(int signal) {
        return ignored() || isDefault() && Signal.defaultAction(signal) == DefaultAction.IGNORE;
    }

    public static SigAction read(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        return new SigAction(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong());
    }

    public byte[] bytes() {
        return ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN).putLong(handler).putLong(flags)
                .putLong(restorer).putLong(mask).array();
    }
}
