package org.paravane.support.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** One bit per page, set atomically with release semantics and read with acquire semantics. */
final class PageBitmap {
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);
    private final long[] words;
    private final long pages;

    PageBitmap(long pages) {
        this.pages = pages;
        this.words = new long[(int) ((pages + 63) >>> 6)];
    }

    boolean get(long page) {
        return ((long) WORDS.getAcquire(words, (int) (page >>> 6)) & (1L << page)) != 0;
    }

    /** Sets the bit; returns false when it was already set. */
    boolean set(long page) {
        int w = (int) (page >>> 6);
        long bit = 1L << page;
        long old;
        do {
            old = (long) WORDS.getVolatile(words, w);
            if ((old & bit) != 0) {
                return false;
            }
        } while (!WORDS.compareAndSet(words, w, old, old | bit));
        return true;
    }

    /** Clears the bit (a failed fill gives the page back). */
    void clear(long page) {
        int w = (int) (page >>> 6);
        long bit = 1L << page;
        long old;
        do {
            old = (long) WORDS.getVolatile(words, w);
        } while (!WORDS.compareAndSet(words, w, old, old & ~bit));
    }

    void setAll() {
        for (long p = 0; p < pages; p++) {
            set(p);
        }
    }

    long count() {
        long n = 0;
        for (int i = 0; i < words.length; i++) {
            n += Long.bitCount((long) WORDS.getAcquire(words, i));
        }
        return n;
    }
}
