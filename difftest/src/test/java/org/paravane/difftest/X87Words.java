package org.paravane.difftest;

/** The x87 part of a record's SIMD words ({@link Layout#X87}, {@link Layout#ST}): compared and shown field by field. */
final class X87Words {
    private X87Words() {
    }

    static int fcw(long[] s) {
        return (int) s[Layout.X87] & 0xFFFF;
    }

    static int fsw(long[] s) {
        return (int) (s[Layout.X87] >>> 16) & 0xFFFF;
    }

    static int ftw(long[] s) {
        return (int) (s[Layout.X87] >>> 32) & 0xFF;
    }

    static int fop(long[] s) {
        return (int) (s[Layout.X87] >>> 48) & 0x7FF;
    }

    /** ST(i) as FXSAVE stores it: sign/exponent and significand. */
    static String st(long[] s, int i) {
        return String.format("%04x_%016x", s[Layout.ST + 2 * i + 1] & 0xFFFF, s[Layout.ST + 2 * i]);
    }

    static String describe(long[] s) {
        StringBuilder b = new StringBuilder(String.format("fcw=%04x fsw=%04x ftw=%02x fop=%03x fip=%x fdp=%x", fcw(s),
                fsw(s), ftw(s), fop(s), s[Layout.X87 + 1], s[Layout.X87 + 2]));
        for (int i = 0; i < 8; i++) {
            if (s[Layout.ST + 2 * i] != 0 || (s[Layout.ST + 2 * i + 1] & 0xFFFF) != 0) {
                b.append(" st").append(i).append('=').append(st(s, i));
            }
        }
        return b.toString();
    }

    /** The x87 fields that differ, or null. Only the 80 bits of each register count (FXSAVE's padding does not). */
    static String difference(long[] e, long[] a) {
        java.util.List<String> d = new java.util.ArrayList<>();
        if (fcw(e) != fcw(a)) {
            d.add(String.format("fcw 0x%04x vs 0x%04x", fcw(e), fcw(a)));
        }
        if (fsw(e) != fsw(a)) {
            d.add(String.format("fsw 0x%04x vs 0x%04x", fsw(e), fsw(a)));
        }
        if (ftw(e) != ftw(a)) {
            d.add(String.format("ftw 0x%02x vs 0x%02x", ftw(e), ftw(a)));
        }
        if (fop(e) != fop(a)) {
            d.add(String.format("fop 0x%03x vs 0x%03x", fop(e), fop(a)));
        }
        if (e[Layout.X87 + 1] != a[Layout.X87 + 1]) {
            d.add(String.format("fip 0x%x vs 0x%x", e[Layout.X87 + 1], a[Layout.X87 + 1]));
        }
        if (e[Layout.X87 + 2] != a[Layout.X87 + 2]) {
            d.add(String.format("fdp 0x%x vs 0x%x", e[Layout.X87 + 2], a[Layout.X87 + 2]));
        }
        for (int i = 0; i < 8; i++) {
            if (!st(e, i).equals(st(a, i))) {
                d.add("st" + i + " " + st(e, i) + " vs " + st(a, i));
            }
        }
        return d.isEmpty() ? null : String.join(", ", d);
    }
}
