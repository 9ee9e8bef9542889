package org.paravane.vmm.manager;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes to the caller's stream and to a VM's console log. The caller's failure (a closed pipe) is the writer's
 * failure, reported after the log has the bytes; the log never fails.
 */
final class TeeOutputStream extends OutputStream {
    private final OutputStream caller;
    private final OutputStream log;

    TeeOutputStream(OutputStream caller, OutputStream log) {
        this.caller = caller;
        this.log = log;
    }

    @Override
    public void write(int b) throws IOException {
        log.write(b);
        caller.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        log.write(b, off, len);
        caller.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
        caller.flush();
    }
}
