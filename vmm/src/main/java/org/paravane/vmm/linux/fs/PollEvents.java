package org.paravane.vmm.linux.fs;

/** poll(2)'s event bits (the same values as epoll's EPOLLIN, EPOLLOUT, ...), as files report their readiness. */
public final class PollEvents {
    private PollEvents() {
    }

    public static final int POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
            POLLRDNORM = 0x40, POLLRDBAND = 0x80, POLLWRNORM = 0x100, POLLWRBAND = 0x200, POLLRDHUP = 0x2000;

    /** What a file without a poll method reports: always ready for reading and writing (regular files, /dev/null). */
    public static final int ALWAYS = POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
}
