package org.paravane.emulated.cpu.translate;

import java.util.List;
import java.util.Map;
import org.paravane.support.config.ConfigProperties;

/**
 * How the software CPU translates: on or off, after how many executions of a block, and how many KiB of class files
 * one vCPU's translations may hold before they are all dropped (and their classes unloaded with them).
 *
 * @param enabled       translate hot blocks at all
 * @param threshold     executions of a block before it is translated (0: every block, at its first execution)
 * @param codeCacheKiB  most class-file bytes per vCPU, in KiB
 * @param inline        translate the common instructions to bytecode; false: every instruction calls its
 *                      interpreter {@code Insn} (to measure what the inlining and the locals give)
 * @param inlineSse     with {@code inline}, translate the SSE instructions too; false: they call their {@code Insn}
 *                      (to measure what an SSE instruction left to the interpreter costs inside translated code)
 */
public record TranslationSettings(boolean enabled, int threshold, int codeCacheKiB, boolean inline, boolean inlineSse) {
    /** System properties that override the defaults (for test runs outside OSGi: {@code -Dparavane.emulated.translate.threshold=0}). */
    public static final String ENABLED = "paravane.emulated.translate", THRESHOLD = "paravane.emulated.translate.threshold",
            CODE_CACHE = "paravane.emulated.translate.codeCacheKiB";
    public static final int DEFAULT_THRESHOLD = 64, DEFAULT_CODE_CACHE_KIB = 16 * 1024;
    /** The keys {@link #of} reads, in Config Admin and (prefixed by the backend's name) as a VM's backend options. */
    public static final List<String> KEYS = List.of("translation", "translationThreshold", "codeCacheKiB");

    public TranslationSettings(boolean enabled, int threshold, int codeCacheKiB) {
        this(enabled, threshold, codeCacheKiB, true);
    }

    /** {@code inline}: every instruction the translator knows inlined (SSE included), or none. */
    public TranslationSettings(boolean enabled, int threshold, int codeCacheKiB, boolean inline) {
        this(enabled, threshold, codeCacheKiB, inline, inline);
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
     * From Config Admin properties ({@code translation}, {@code translationThreshold}, {@code codeCacheKiB}), every key
     * checked; absent ones keep {@code base}'s values.
     *
     * @throws IllegalArgumentException naming every invalid key with its value and what is allowed
     */
    public static TranslationSettings of(Map<String, ?> properties, TranslationSettings base) {
        return of("org.paravane.emulated", "", properties, base);
    }

    /**
     * {@link #of(Map, TranslationSettings)} with each key read as {@code keyPrefix} + key (a VM's backend options:
     * {@code emulated.translation}); {@code what} names the settings in the message ("invalid configuration what: ...").
     */
    public static TranslationSettings of(String what, String keyPrefix, Map<String, ?> properties,
                                         TranslationSettings base) {
        ConfigProperties c = new ConfigProperties(what, properties);
        boolean enabled = c.parsed(keyPrefix + KEYS.get(0), base.enabled(), "true or false", v -> switch (v.toLowerCase()) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException(v);
        });
        int threshold = c.intNumber(keyPrefix + KEYS.get(1), base.threshold(), 0, Integer.MAX_VALUE);
        int kib = c.intNumber(keyPrefix + KEYS.get(2), base.codeCacheKiB(), 1, 1 << 20);
        c.validate();
        return new TranslationSettings(enabled, threshold, kib, base.inline(), base.inlineSse());
    }

    /** The defaults, with the system properties above applied. */
    public static TranslationSettings defaults() {
        return new TranslationSettings(Boolean.parseBoolean(System.getProperty(ENABLED, "true")),
                Integer.getInteger(THRESHOLD, DEFAULT_THRESHOLD), Integer.getInteger(CODE_CACHE, DEFAULT_CODE_CACHE_KIB));
    }
}
