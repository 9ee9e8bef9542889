package org.paravane.vmm.linux.fs;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * The caller's streams a guest's fds 0, 1 and 2 (and {@code /dev/tty} when {@code terminal}) are connected to, with
 * the window size TIOCGWINSZ reports.
 */
public record Console(InputStream in, OutputStream out, OutputStream err, boolean terminal, int rows, int columns) {

    /** Streams that are not a terminal (a pipe or a file): ioctls on them give ENOTTY. */
    public static Console streams(InputStream in, OutputStream out, OutputStream err) {
        return new Console(in, out, err, false, 0, 0);
    }

    /** The caller's own terminal of {@code rows} x {@code columns}. */
    public static Console terminal(InputStream in, OutputStream out, OutputStream err, int rows, int columns) {
        return new Console(in, out, err, true, rows, columns);
    }
}
