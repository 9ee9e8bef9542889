package org.paravane.vmm.linux.fs.poll;

import static org.paravane.vmm.linux.fs.PollEvents.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.paravane.vmm.kernel.wait.WaitQueue;
import org.paravane.vmm.kernel.wait.Waker;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.fs.FileContents;
import org.paravane.vmm.linux.fs.OpenFile;

/**
 * An epoll instance: the interest list keyed by (open file description, descriptor number) as Linux keys it. Each
 * entry waits on its file's queue for good (Linux's ep_poll_callback): a wake marks it triggered and wakes the
 * instance's own queue, which epoll_wait and an enclosing poll wait on. Level-triggered entries report while their
 * file is ready (and go to the back, so others get their turn); edge-triggered ones only after a wake since they
 * were last reported; one-shot ones are disabled once reported until EPOLL_CTL_MOD.
 */
public final class Epoll implements FileContents {
    public static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    public static final int EPOLLEXCLUSIVE = 1 << 28, EPOLLWAKEUP = 1 << 29, EPOLLONESHOT = 1 << 30, EPOLLET = 1 << 31;
    /** What is reported whether asked for or not. */
    private static final int ALWAYS_REPORTED = POLLERR | POLLHUP;

    /** One reported event: the ready bits and the caller's data. */
    public record Event(int events, long data) {
    }

    private record Key(OpenFile file, int fd) {
    }

    private final WaitQueue waiters = new WaitQueue();
    private final Map<Key, Entry> entries = new LinkedHashMap<>();

    /** epoll_ctl(2) on {@code file}, which the caller's descriptor {@code fd} names. */
    public void ctl(int op, int fd, OpenFile file, int events, long data) throws ErrnoException {
        if (file.contents() == this) {
            throw new ErrnoException(Errno.EINVAL, "an epoll instance cannot watch itself");
        }
        if (file.waiters() == null) {
            throw new ErrnoException(Errno.EPERM, "fd " + fd + " does not support poll (a regular file or directory)");
        }
        Key key = new Key(file, fd);
        Entry gone = null;
        synchronized (this) {
            Entry entry = entries.get(key);
            switch (op) {
                case EPOLL_CTL_ADD -> {
                    if (entry != null) {
                        throw new ErrnoException(Errno.EEXIST, "fd " + fd + " is already watched");
                    }
                    entry = new Entry(file, events, data);
                    entries.put(key, entry);
                    file.waiters().add(entry, events | ALWAYS_REPORTED);
                }
                case EPOLL_CTL_MOD -> {
                    if (entry == null) {
                        throw new ErrnoException(Errno.ENOENT, "fd " + fd + " is not watched");
                    }
                    if ((events & EPOLLEXCLUSIVE) != 0 || (entry.events & EPOLLEXCLUSIVE) != 0) {
                        throw new ErrnoException(Errno.EINVAL, "EPOLLEXCLUSIVE cannot be modified");
                    }
                    file.waiters().remove(entry);
                    entry.events = events;
                    entry.data = data;
                    entry.triggered = true;
                    entry.disabled = false;
                    file.waiters().add(entry, events | ALWAYS_REPORTED);
                }
                case EPOLL_CTL_DEL -> {
                    if (entry == null) {
                        throw new ErrnoException(Errno.ENOENT, "fd " + fd + " is not watched");
                    }
                    entries.remove(key);
                    gone = entry;
                }
                default -> throw new ErrnoException(Errno.EINVAL, "epoll_ctl op " + op);
            }
        }
        if (gone != null) {
            file.waiters().remove(gone);
        }
        waiters.wakeAll(POLLIN);
    }

    /** Up to {@code max} ready entries' events (none: the caller waits on {@link #waiters()}). */
    public synchronized List<Event> collect(int max) {
        List<Event> ready = new ArrayList<>();
        List<Map.Entry<Key, Entry>> requeue = new ArrayList<>();
        for (var it = entries.entrySet().iterator(); it.hasNext() && ready.size() < max; ) {
            Map.Entry<Key, Entry> e = it.next();
            Entry entry = e.getValue();
            if (entry.disabled || (entry.events & EPOLLET) != 0 && !entry.triggered) {
                continue;
            }
            entry.triggered = false;
            int bits = entry.file.readiness() & (entry.events | ALWAYS_REPORTED);
            if (bits == 0) {
                continue;
            }
            ready.add(new Event(bits, entry.data));
            if ((entry.events & EPOLLONESHOT) != 0) {
                entry.disabled = true;
            } else if ((entry.events & EPOLLET) == 0) {
                it.remove();
                requeue.add(e);
            }
        }
        requeue.forEach(e -> entries.put(e.getKey(), e.getValue()));
        return ready;
    }

    /** Whether an entry would report now (without consuming an edge): the instance's own POLLIN. */
    private synchronized boolean anyReady() {
        for (Entry entry : entries.values()) {
            if (!entry.disabled && ((entry.events & EPOLLET) == 0 || entry.triggered)
                    && (entry.file.readiness() & (entry.events | ALWAYS_REPORTED)) != 0) {
                return true;
            }
        }
        return false;
    }

    /** The watched entries (for tests and /proc). */
    public synchronized int watched() {
        return entries.size();
    }

    @Override
    public int readiness() {
        return anyReady() ? POLLIN | POLLRDNORM : 0;
    }

    @Override
    public WaitQueue waiters() {
        return waiters;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws ErrnoException {
        throw new ErrnoException(Errno.EINVAL, "an epoll instance is not read");
    }

    @Override
    public int write(ByteBuffer src, long position) throws ErrnoException {
        throw new ErrnoException(Errno.EINVAL, "an epoll instance is not written");
    }

    @Override
    public boolean seekable() {
        return false;
    }

    /** The instance's last descriptor closed: every entry leaves its file's queue. */
    @Override
    public void close() {
        List<Entry> all;
        synchronized (this) {
            all = new ArrayList<>(entries.values());
            entries.clear();
        }
        for (Entry entry : all) {
            WaitQueue q = entry.file.waiters();
            if (q != null) {
                q.remove(entry);
            }
        }
    }

    /** One watched file: its wake marks it triggered and passes on to the instance's waiters. */
    private final class Entry implements Waker {
        final OpenFile file;
        int events;
        long data;
        boolean triggered = true;
        boolean disabled;

        Entry(OpenFile file, int events, long data) {
            this.file = file;
            this.events = events;
            this.data = data;
        }

        @Override
        public void wake() {
            synchronized (Epoll.this) {
                triggered = true;
            }
            waiters.wakeAll(POLLIN);
        }
    }
}
