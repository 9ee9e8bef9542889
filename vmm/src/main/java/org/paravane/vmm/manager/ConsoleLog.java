package org.paravane.vmm.manager;

import com.google.common.collect.EvictingQueue;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The last lines a VM's tasks wrote, kept whether or not anyone watches (a detached VM's output would otherwise go
 * nowhere). Bounded: the oldest lines are dropped, and a line longer than {@link #MAX_LINE} bytes is split.
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
    private final int capacity;
    private final EvictingQueue<String> lines;
    /** The unfinished last line, as bytes: a UTF-8 character may arrive in two writes. */
    private final byte[] partial = new byte[MAX_LINE];
    private int partialLength;
    private long total;
    private boolean closed;

    public ConsoleLog(int capacity) {
        this.capacity = capacity;
        this.lines = EvictingQueue.create(capacity);
    }

    /** Text as a task wrote it: whole lines are kept, the rest waits for its newline. */
    public void write(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(bytes, 0, bytes.length);
    }

    /**
     * Bytes as a Linux process wrote them (UTF-8). Cheap for a long write: only its last {@code capacity} lines could
     * be kept, so the lines before them are only counted.
     */
    public void write(byte[] bytes, int offset, int length) {
        lock.lock();
        try {
            int end = offset + length;
            int at = offset;
            int newlines = 0;
            for (int i = end - 1; i >= offset; i--) {
                if (bytes[i] == '\n' && ++newlines > capacity) {
                    total += countNewlines(bytes, offset, i + 1);   // lines that would be evicted by this same write
                    partialLength = 0;
                    at = i + 1;
                    break;
                }
            }
            for (int i = at; i < end; i++) {
                byte b = bytes[i];
                if (b == '\n' || partialLength == MAX_LINE) {
                    endLine();
                }
                if (b != '\n') {
                    partial[partialLength++] = b;
                }
            }
            written.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static int countNewlines(byte[] bytes, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                n++;
            }
        }
        return n;
    }

    private void endLine() {
        lines.add(new String(partial, 0, partialLength, StandardCharsets.UTF_8));
        partialLength = 0;
        total++;
    }

    /** A stream of the bytes a Linux process writes, into this log. */
    public OutputStream stream() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                ConsoleLog.this.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                ConsoleLog.this.write(b, off, len);
            }
        };
    }

    /** The VM has ended: an unfinished last line becomes a line, and followers stop waiting. */
    public void close() {
        lock.lock();
        try {
            if (partialLength > 0) {
                endLine();
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
