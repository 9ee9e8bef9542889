package org.paravane.vmm.kernel;

/** How a guest uses async page faults: the three configurations of the 2010 experiment. */
public enum WaitPolicy {
    /** Async PF not enabled: every absent page is waited for synchronously by the host. */
    OFF("off"),
    /** Async PF on, but every fault takes the halt wait: the vCPU runs nothing else meanwhile. */
    HALT_EVERYWHERE("halt"),
    /** Async PF on with the decision table: schedule where the context may sleep, halt where it may not. */
    DECISION_TABLE("table");

    private final String key;

    WaitPolicy(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    public static WaitPolicy of(String key) {
        for (WaitPolicy p : values()) {
            if (p.key.equals(key) || p.name().equalsIgnoreCase(key)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown wait policy '" + key + "' (allowed: off, halt, table)");
    }
}
