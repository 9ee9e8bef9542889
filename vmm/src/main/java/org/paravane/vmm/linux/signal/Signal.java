package org.paravane.vmm.linux.signal;

/** Signal numbers of x86-64 Linux, their names, sets of them as bit masks (bit n-1 for signal n), default actions. */
public final class Signal {
    public static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
            SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15,
            SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22,
            SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28, SIGIO = 29,
            SIGPWR = 30, SIGSYS = 31, SIGRTMIN = 32, NSIG = 64;
    /** SIGKILL and SIGSTOP: never blocked, caught or ignored. */
    public static final long UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);
    /** The signals a process stops on by default. */
    public static final long STOP_SIGNALS = bit(SIGSTOP) | bit(SIGTSTP) | bit(SIGTTIN) | bit(SIGTTOU);
    /** Synchronous signals, dequeued before the others as Linux does (SYNCHRONOUS_MASK). */
    public static final long SYNCHRONOUS = bit(SIGSEGV) | bit(SIGBUS) | bit(SIGILL) | bit(SIGTRAP) | bit(SIGFPE)
            | bit(SIGSYS);

    private static final String[] NAMES = {"", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
            "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD",
            "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
            "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    private Signal() {
    }

    /** Whether {@code signal} is a signal number (1..64). */
    public static boolean valid(long signal) {
        return signal >= 1 && signal <= NSIG;
    }

    /** The set holding only {@code signal}. */
    public static long bit(int signal) {
        return 1L << (signal - 1);
    }

    public static boolean in(long set, int signal) {
        return (set & bit(signal)) != 0;
    }

    /** The lowest signal of {@code set}, 0 when it is empty. */
    public static int lowest(long set) {
        return set == 0 ? 0 : Long.numberOfTrailingZeros(set) + 1;
    }

    /** A real-time signal (SIGRTMIN..64): queued, not merged. */
    public static boolean realtime(int signal) {
        return signal >= SIGRTMIN;
    }

    /** "SIGSEGV", or "SIGRTMIN+n" for the real-time ones (glibc reserves 32 and 33; the kernel does not). */
    public static String name(int signal) {
        if (signal > 0 && signal < NAMES.length) {
            return NAMES[signal];
        }
        return signal == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+" + (signal - SIGRTMIN);
    }

    public static DefaultAction defaultAction(int signal) {
        return switch (signal) {
            case SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS -> DefaultAction.CORE;
            case SIGCHLD, SIGURG, SIGWINCH -> DefaultAction.IGNORE;
            case SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU -> DefaultAction.STOP;
            case SIGCONT -> DefaultAction.CONTINUE;
            default -> DefaultAction.TERM;
        };
    }
}
