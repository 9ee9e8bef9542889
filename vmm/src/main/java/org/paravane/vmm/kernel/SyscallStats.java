package org.paravane.vmm.kernel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.paravane.vmm.kernel.abi.SyscallAbi;

/**
 * One task's system calls: how often each call number was made and how long the kernel spent in it. Recorded on the
 * vCPU thread that runs the task (one at a time), into plain arrays indexed by the number; numbers beyond them share
 * one bucket. Readers on other threads see counts that may lag by a call, which is all a report needs.
 */
public final class SyscallStats {

    /** Call numbers recorded one by one; Linux x86-64 numbers end below 512 (Paravane's at 9). */
    static final int NUMBERS = 512;

    /** A call number's totals; {@code number} -1 is the bucket for numbers beyond {@value #NUMBERS}. */
    public record Call(long number, String name, long count, long nanos) {
    }

    private final long[] counts = new long[NUMBERS + 1];
    private final long[] nanos = new long[NUMBERS + 1];
    private long recorded;
    private volatile long watchedCall = -1;
    private volatile Runnable atWatchedCall;

    /** Counts one call of {@code number} that took {@code elapsedNanos}. */
    void record(long number, long elapsedNanos) {
        int i = number >= 0 && number < NUMBERS ? (int) number : NUMBERS;
        counts[i]++;
        nanos[i] += elapsedNanos;
        if (++recorded == watchedCall) {
            Runnable action = atWatchedCall;
            watchedCall = -1;
            atWatchedCall = null;
            if (action != null) {
                action.run();
            }
        }
    }

    /**
     * Runs {@code action} once, on the task's vCPU thread, right after the task's {@code n}-th system call: a point in
     * a program's run to act at (a test moving its VM mid-run) without polling the counts. It must not block; one
     * action at a time (a new one replaces the last). Nothing runs when the task is already past {@code n}.
     */
    public void afterCall(long n, Runnable action) {
        atWatchedCall = action;
        watchedCall = n;
    }

    /** Calls made so far. */
    public long total() {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    /** Time spent in calls so far, in nanoseconds. */
    public long totalNanos() {
        long n = 0;
        for (long t : nanos) {
            n += t;
        }
        return n;
    }

    /** Every call number made, named by {@code abi}, the most time first. */
    public List<Call> byTime(SyscallAbi abi) {
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i <= NUMBERS; i++) {
            long c = counts[i];
            if (c > 0) {
                calls.add(i == NUMBERS ? new Call(-1, "other", c, nanos[i]) : new Call(i, abi.callName(i), c, nanos[i]));
            }
        }
        calls.sort(Comparator.comparingLong(Call::nanos).reversed().thenComparingLong(Call::number));
        return calls;
    }
}
