package org.paravane.vmm.shell;

/**
 * A command failed in a way the launcher reports with its own exit status, as shells and {@code env} do: 2 for a
 * bad Paravane command line, 126 for a program that cannot be run, 127 for a program that is not there.
 */
final class CommandStatus extends RuntimeException {
    static final int USAGE = 2, CANNOT_RUN = 126, NOT_FOUND = 127;

    private final int status;

    CommandStatus(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static CommandStatus usage(String message) {
        return new CommandStatus(USAGE, message);
    }

    static CommandStatus cannotRun(String message) {
        return new CommandStatus(CANNOT_RUN, message);
    }

    static CommandStatus notFound(String message) {
        return new CommandStatus(NOT_FOUND, message);
    }

    int status() {
        return status;
    }

    /** The status {@code e} (or what it wraps) asks for, or 1. */
    static int of(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CommandStatus s) {
                return s.status;
            }
        }
        return 1;
    }
}
