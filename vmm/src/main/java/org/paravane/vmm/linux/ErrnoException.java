package org.paravane.vmm.linux;

/**
 * A Linux operation failed the way Linux fails it: the system call layer returns {@code -errno()} to the guest. The
 * message says what was wrong for logs; the guest only ever sees the number.
 */
public sealed class ErrnoException extends Exception permits WouldBlock, BrokenPipe {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public ErrnoException(int errno, String message) {
        super(Errno.name(errno) + ": " + message, null, false, false);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
