package org.paravane.vmm.linux.signal;

/** What a signal does when its handler is SIG_DFL (signal(7)). */
public enum DefaultAction {
    /** The process ends, killed by the signal. */
    TERM,
    /** The process ends and would dump core (exit status 128 + signal as well; no core file is written). */
    CORE,
    /** Nothing happens. */
    IGNORE,
    /** The process stops until SIGCONT. */
    STOP,
    /** A stopped process continues; a running one is not affected. */
    CONTINUE
}
