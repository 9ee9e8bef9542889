package org.paravane.vmm.linux;

/**
 * A write to a pipe nobody can read any more: EPIPE, and the writer gets SIGPIPE (whose default action ends it), as
 * the system call layer decides from the process's signal dispositions.
 */
public final class BrokenPipe extends ErrnoException {
    private static final long serialVersionUID = 1L;

    public BrokenPipe(String message) {
        super(Errno.EPIPE, message);
    }
}
