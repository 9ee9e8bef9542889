package org.paravane.emulated.cpu.translate;

/**
 * How the software CPU translates: on or off, after how many executions of a block, and how many KiB of class files
 * one vCPU's translations may hold before they are all dropped (and their classes unloaded with them).
 *
 * @param enabled       translate hot blocks at all
 * @param threshold     executions of a block before it is translated (0: every block, at its first execution)
 * @param codeCacheKiB  most class-file bytes per vCPU, in KiB
 * @param inline        translate the common instructions to bytecode; false: every instruction calls its
 *                      interpreter {@code Insn} (to measure what the inlining and the locals give)
 */
public record TranslationSettings(boolean enabled, int threshold, int codeCacheKiB, boolean inline) {
    /** System properties that override the defaults (for test runs outside OSGi: {@code -Dparavane.emulated.translate.threshold=0}). */
    public static final String ENABLED = "paravane.emulated.translate", THRESHOLD = "paravane.emulated.translate.threshold",
            CODE_CACHE = "paravane.emulated.translate.codeCacheKiB";
    public static final int DEFAULT_THRESHOLD = 64, DEFAULT_CODE_CACHE_KIB = 16 * 1024;

    public TranslationSettings(boolean enabled, int threshold, int codeCacheKiB) {
        this(enabled, threshold, codeCacheKiB, true);
    }

    public TranslationSettings {
        if (threshold < 0) {
            throw new IllegalArgumentException("translation threshold " + threshold + " is negative");
        }
        if (codeCacheKiB < 1) {
            throw new IllegalArgumentException("translation code cache of " + codeCacheKiB + " KiB: needs at least 1");
        }
    }

    public static final TranslationSettings OFF = new TranslationSettings(false, DEFAULT_THRESHOLD, DEFAULT_CODE_CACHE_KIB);

    /**
     * From Config Admin properties ({@code translation}, {@code translationThreshold}, {@code codeCacheKiB}); absent
     * ones keep {@code base}'s values. A bad value is an {@link IllegalArgumentException} naming it.
     */
    public static TranslationSettings of(java.util.Map<String, ?> properties, TranslationSettings base) {
        boolean enabled = base.enabled();
        Object e = properties.get("translation");
        if (e != null) {
            String v = e.toString().trim();
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException("org.paravane.emulated: translation='" + v + "' is not true or false");
            }
            enabled = Boolean.parseBoolean(v);
        }
        return new TranslationSettings(enabled, intValue(properties, "translationThreshold", base.threshold()),
                intValue(properties, "codeCacheKiB", base.codeCacheKiB()));
    }

    private static int intValue(java.util.Map<String, ?> properties, String key, int fallback) {
        Object v = properties.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return v instanceof Number n ? Math.toIntExact(n.longValue()) : Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException | ArithmeticException x) {
            throw new IllegalArgumentException("org.paravane.emulated: " + key + "='" + v + "' is not an int");
        }
    }

    /** The defaults, with the system properties above applied. */
    public static TranslationSettings defaults() {
        return new TranslationSettings(Boolean.parseBoolean(System.getProperty(ENABLED, "true")),
                Integer.getInteger(THRESHOLD, DEFAULT_THRESHOLD), Integer.getInteger(CODE_CACHE, DEFAULT_CODE_CACHE_KIB));
    }
}
