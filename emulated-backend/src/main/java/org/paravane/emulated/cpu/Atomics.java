package org.paravane.emulated.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.paravane.emulated.mmu.PhysicalMemory.HOST;

import java.lang.invoke.VarHandle;

/**
 * LOCK-prefixed and implicitly locked read-modify-write on guest memory, atomic between vCPU threads: a CAS on the
 * aligned 8-byte host word that holds the operand (narrower operands are spliced into it). An operand that straddles
 * an 8-byte boundary (a split lock) or lives in MMIO is done under the VM's exclusive section, with every other vCPU
 * stopped at an instruction boundary, as a bus lock would.
 */
public final class Atomics {
    private Atomics() {
    }

    /** The new memory value of a locked operation; sets the flags and any register result as a side effect. */
    @FunctionalInterface
    public interface Update {
        long apply(Cpu c, long old);
    }

    /** Stops the other vCPUs of the VM for a split lock. */
    public interface Exclusive {
        void enter(Cpu c);

        void exit(Cpu c);

        Exclusive NONE = new Exclusive() {
            @Override
            public void enter(Cpu c) {
            }

            @Override
            public void exit(Cpu c) {
            }
        };
    }

    private static final VarHandle LONG = JAVA_LONG.varHandle();

    /**
     * Atomically replaces the {@code size}-byte operand at {@code va} with {@code update.apply(old)}; returns the old
     * value (zero-extended). {@code update} may run more than once; its last run is the one that took effect.
     */
    public static long rmw(Cpu c, long va, int size, Update update) {
        long host = c.mmu.lockedHost(va, size);
        if (host >= 0 && (host & 7) + size <= 8) {
            long word = host & ~7L;
            int shift = (int) (host & 7) * 8;
            long mask = size == 8 ? -1L : ((1L << (8 * size)) - 1) << shift;
            for (;;) {
                long w = (long) LONG.getVolatile(HOST, word);
                long old = (w & mask) >>> shift;
                long nw = (w & ~mask) | ((update.apply(c, old) << shift) & mask);
                if (nw == w || LONG.compareAndSet(HOST, word, w, nw)) {
                    return old;
                }
            }
        }
        c.exclusive.enter(c);
        try {
            long old = c.read(size, va);
            c.write(size, va, update.apply(c, old));
            return old;
        } finally {
            c.exclusive.exit(c);
        }
    }

    /** Reads {@code size} bytes at a raw host address (used under the exclusive section). */
    static long load(long host, int size) {
        long v = 0;
        for (int k = size - 1; k >= 0; k--) {
            v = (v << 8) | (HOST.get(JAVA_BYTE, host + k) & 0xFF);
        }
        return v;
    }
}
