package org.paravane.api.asyncpf;

/** The two waits of the sanitized design; the value of the {@link AsyncPfWaiter#MODE} service property. */
public enum WaitMode {
    /** The waiting task gives up its vCPU; other tasks run there until its wake. */
    SCHEDULE("schedule"),
    /** The vCPU runs no other task until the token is woken, but keeps taking wake events. */
    HALT("halt");

    private final String property;

    WaitMode(String property) {
        this.property = property;
    }

    /** The service property value ({@code schedule} / {@code halt}). */
    public String property() {
        return property;
    }

    public static WaitMode ofProperty(String value) {
        for (WaitMode m : values()) {
            if (m.property.equals(value)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown wait mode '" + value + "' (allowed: schedule, halt)");
    }
}
