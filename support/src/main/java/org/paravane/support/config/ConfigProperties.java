package org.paravane.support.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A component's configuration read from its raw properties and validated key by key. Components take the raw map
 * rather than a component property type because Declarative Services converts values to the annotation's types before
 * the component sees them, so {@code memoryMiB=abc} or {@code memoryMode=BOGUS} from a {@code .cfg} file would fail
 * inside the framework with a stack trace instead of a message.
 *
 * <p>Config Admin gives numbers, FileInstall strings; both are accepted. A missing key takes its default. Read every
 * key, then call {@link #validate}: it fails with one message naming, for each bad value, the key, the value and what
 * is allowed, and for each key the component does not know, that key — so nothing is applied unless all of it is valid.
 */
public final class ConfigProperties {
    /** Keys the framework adds (Config Admin, SCR, FileInstall, Metatype), not the component's own. */
    private static final List<String> FRAMEWORK_PREFIXES = List.of("service.", "component.", "felix.", "osgi.", "metatype.");
    /** Declarative Services' per-reference keys: {@code <reference>.target} and {@code <reference>.cardinality.minimum}. */
    private static final List<String> REFERENCE_SUFFIXES = List.of(".target", ".cardinality.minimum");

    private final String pid;
    private final Map<String, ?> properties;
    private final Set<String> known = new LinkedHashSet<>();
    private final List<String> problems = new ArrayList<>();

    public ConfigProperties(String pid, Map<String, ?> properties) {
        this.pid = pid;
        this.properties = properties;
    }

    /** The value of {@code key} as text, stripped. */
    public String string(String key, String defaultValue) {
        Object raw = raw(key);
        String text = raw == null ? null : text(key, raw, "text");
        return text == null ? defaultValue : text.strip();
    }

    /** A whole number in {@code [min, max]}. */
    public long number(String key, long defaultValue, long min, long max) {
        Object raw = raw(key);
        if (raw == null) {
            return defaultValue;
        }
        String allowed = min + ".." + max;
        long value;
        if (raw instanceof Long || raw instanceof Integer || raw instanceof Short || raw instanceof Byte) {
            value = ((Number) raw).longValue();
        } else {
            String text = text(key, raw, allowed);
            if (text == null) {
                return defaultValue;
            }
            try {
                value = Long.parseLong(text.strip());
            } catch (NumberFormatException e) {
                return reject(key, raw, allowed, defaultValue);
            }
        }
        return value < min || value > max ? reject(key, raw, allowed, defaultValue) : value;
    }

    /** {@link #number} as an int; {@code min} and {@code max} must fit one. */
    public int intNumber(String key, int defaultValue, int min, int max) {
        return (int) number(key, defaultValue, min, max);
    }

    /** One of {@code type}'s constants, by name, in any case. */
    public <E extends Enum<E>> E choice(String key, Class<E> type, E defaultValue) {
        String allowed = Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", "));
        return parsed(key, defaultValue, allowed, text -> Enum.valueOf(type, text.toUpperCase(Locale.ROOT)));
    }

    /**
     * The value of {@code key} parsed by {@code parser}, which throws {@link IllegalArgumentException} for a value it
     * does not accept; {@code allowed} says what it accepts.
     */
    public <T> T parsed(String key, T defaultValue, String allowed, Function<String, T> parser) {
        Object raw = raw(key);
        if (raw == null) {
            return defaultValue;
        }
        String text = text(key, raw, allowed);
        if (text == null) {
            return defaultValue;
        }
        try {
            return parser.apply(text.strip());
        } catch (IllegalArgumentException e) {
            return reject(key, raw, allowed, defaultValue);
        }
    }

    /** Reports {@code value} of {@code key} as not allowed (for checks across keys) and returns {@code fallback}. */
    public <T> T reject(String key, Object value, String allowed, T fallback) {
        problems.add(key + " = '" + value + "' (allowed: " + allowed + ")");
        return fallback;
    }

    private Object raw(String key) {
        known.add(key);
        return properties.get(key);
    }

    /** The text of a single value; null (and reported) for a list or array. */
    private String text(String key, Object raw, String allowed) {
        if (raw instanceof Collection<?> list) {
            return reject(key, list, "one value: " + allowed, null);
        }
        if (raw.getClass().isArray()) {
            return reject(key, Arrays.deepToString(new Object[] {raw}), "one value: " + allowed, null);
        }
        return raw.toString();
    }

    private static boolean isFrameworkKey(String key) {
        return FRAMEWORK_PREFIXES.stream().anyMatch(key::startsWith) || REFERENCE_SUFFIXES.stream().anyMatch(key::endsWith);
    }

    /**
     * Fails when a value read was not allowed or a key is not one of this component's.
     *
     * @throws IllegalArgumentException "invalid configuration &lt;pid&gt;: key = 'value' (allowed: ...); ..."
     */
    public void validate() {
        List<String> all = new ArrayList<>(problems);
        List<String> unknown = properties.keySet().stream()
                .filter(k -> !known.contains(k) && !isFrameworkKey(k)).sorted().toList();
        for (String key : unknown) {
            all.add("unknown key '" + key + "' (keys: " + String.join(", ", known) + ")");
        }
        if (!all.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration " + pid + ": " + String.join("; ", all));
        }
    }
}
