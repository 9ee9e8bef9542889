package org.paravane.vmm.shell;

import java.util.Locale;

/** Byte sizes as users type them: 64M, 2G, 4096, 16K. */
final class Sizes {
    private Sizes() {
    }

    static long parse(String text, String option) {
        String t = text.strip().toUpperCase(Locale.ROOT).replaceFirst("I?B$", "");
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                default -> unit = 1;
            }
        }
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            long v = Long.parseLong(digits);
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(v, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(option + " '" + text + "' is not a size like 4096, 16K, 64M or 2G");
        }
    }
}
