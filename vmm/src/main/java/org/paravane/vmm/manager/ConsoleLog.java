package org.paravane.vmm.manager;

import com.google.common.collect.EvictingQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The last lines a VM's tasks wrote, kept whether or not anyone watches (a detached VM's output would otherwise go
 * nowhere). Bounded: the oldest lines are dropped, and a line longer than {@link #MAX_LINE} characters is split.
 * Lines are numbered from 0 in the order written, so a reader that follows asks for everything after its last one.
 */
public final class ConsoleLog {
    static final int MAX_LINE = 4096;

    /** Lines {@code first} .. {@code first + lines.size() - 1}; {@code dropped} were evicted before a reader saw them. */
    public record Lines(List<String> lines, long first, long dropped, boolean closed) {
        public long next() {
            return first + lines.size();
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition written = lock.newCondition();
    private final EvictingQueue<String> lines;
    private final StringBuilder partial = new StringBuilder();
    private long total;
    private boolean closed;

    public ConsoleLog(int capacity) {
        this.lines = EvictingQueue.create(capacity);
    }

    /** Text as a task wrote it: whole lines are kept, the rest waits for its newline. */
    public void write(String text) {
        lock.lock();
        try {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\n' || partial.length() == MAX_LINE) {
                    lines.add(partial.toString());
                    partial.setLength(0);
                    total++;
                }
                if (c != '\n') {
                    partial.append(c);
                }
            }
            written.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The VM has ended: an unfinished last line becomes a line, and followers stop waiting. */
    public void close() {
        lock.lock();
        try {
            if (!partial.isEmpty()) {
                lines.add(partial.toString());
                partial.setLength(0);
                total++;
            }
            closed = true;
            written.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The lines numbered {@code from} onwards that are still kept (all kept lines for 0). */
    public Lines since(long from) {
        lock.lock();
        try {
            return linesFrom(from);
        } finally {
            lock.unlock();
        }
    }

    /** Like {@link #since}, waiting up to {@code timeout} for a line after {@code from} unless the log is closed. */
    public Lines await(long from, Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long nanos = timeout.toNanos();
            while (total <= from && !closed && nanos > 0) {
                nanos = written.awaitNanos(nanos);
            }
            return linesFrom(from);
        } finally {
            lock.unlock();
        }
    }

    private Lines linesFrom(long from) {
        long oldest = total - lines.size();
        long start = Math.max(from, oldest);
        List<String> out = new ArrayList<>();
        long n = oldest;
        for (String line : lines) {
            if (n++ >= start) {
                out.add(line);
            }
        }
        return new Lines(out, start, Math.max(0, start - from), closed);
    }

    /** Whether the VM has ended and no more lines will come. */
    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }
}
