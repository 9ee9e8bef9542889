package org.paravane.vmm.linux;

import org.paravane.vmm.kernel.wait.WaitQueue;

/**
 * An operation on a blocking file description cannot go on yet (an empty pipe, a full one, an eventfd at zero): it
 * is EAGAIN for whoever cannot wait, and otherwise names the queue to join and the events (poll bits) that will make
 * it worth trying again. The system call layer arms on the queue, tries again, and blocks the task.
 */
public final class WouldBlock extends ErrnoException {
    private static final long serialVersionUID = 1L;
    private final transient WaitQueue queue;
    private final int events;

    public WouldBlock(WaitQueue queue, int events, String message) {
        super(Errno.EAGAIN, message);
        this.queue = queue;
        this.events = events;
    }

    public WaitQueue queue() {
        return queue;
    }

    public int events() {
        return events;
    }
}
