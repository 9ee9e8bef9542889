package org.paravane.bench.asyncpf;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The structures without a thread handoff: one thread wakes a token first (the sleeper table leaves a dummy, the maps
 * a completed future or a marker) and then waits for it, which consumes it without blocking. One op = one such pair.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class WakeBeforeWaitBenchmark {

    @Param({"sleeperTable", "futureMap", "parkMap"})
    public String impl;

    private WaitWake waitWake;
    private int token;

    @Setup
    public void create() {
        waitWake = WaitWake.of(impl);
        token = 1;
    }

    @Benchmark
    public void wakeThenWait() {
        int t = token;
        token = t == 0x7FFFFFFF ? 1 : t + 1;
        waitWake.wake(t);
        waitWake.await(t);
    }
}
