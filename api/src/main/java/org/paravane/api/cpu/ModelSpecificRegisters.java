package org.paravane.api.cpu;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/** Values of the {@link Msr}s; an MSR that is not set reads as zero. */
public record ModelSpecificRegisters(Map<Msr, Long> values) {

    public static final ModelSpecificRegisters NONE = new ModelSpecificRegisters(Map.of());
    /** PAT after reset: WB, WT, UC-, UC repeated. */
    public static final long PAT_RESET = 0x0007040600070406L;

    public ModelSpecificRegisters {
        EnumMap<Msr, Long> copy = new EnumMap<>(Msr.class);
        values.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "msr"), Objects.requireNonNull(v, "value")));
        values = Collections.unmodifiableMap(copy);
    }

    public long get(Msr msr) {
        return values.getOrDefault(msr, 0L);
    }

    public ModelSpecificRegisters with(Msr msr, long value) {
        EnumMap<Msr, Long> copy = values.isEmpty() ? new EnumMap<>(Msr.class) : new EnumMap<>(values);
        copy.put(msr, value);
        return new ModelSpecificRegisters(copy);
    }
}
