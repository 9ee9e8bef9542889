package org.paravane.bench.asyncpf;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Wait→wake round trips between two threads, for each {@link WaitWake} in the same run: the benchmark thread wakes its
 * echo thread's token and waits for its own; the echo thread waits for its token and wakes the benchmark thread's.
 * One op = one round trip = two wait/wake pairs across threads.
 *
 * <ul>
 *   <li>{@link #roundTrip}: one pair of threads, time per round trip (the latency the target is about: the sleeper
 *       table within 1.5x of {@code bare}).</li>
 *   <li>{@link #roundTripsAcrossPairs}: two pairs at once sharing one table or map, round trips per second (wake
 *       throughput across threads, with the contention of a shared structure; {@code bare} pairs share nothing).</li>
 * </ul>
 * {@link WakeBeforeWaitBenchmark} measures the structures without threads.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class WaitWakeBenchmark {

    @Param({"bare", "sleeperTable", "futureMap", "parkMap"})
    public String impl;

    WaitWake waitWake;
    private final AtomicInteger pairs = new AtomicInteger();

    @Setup(Level.Trial)
    public void create() {
        waitWake = WaitWake.of(impl);
    }

    /** A benchmark thread's partner: waits for odd tokens, answers with the next even one. */
    @State(Scope.Thread)
    public static class Pair {
        private int base;
        private int round;
        private Thread echo;
        private volatile boolean stop;
        private WaitWake waitWake;

        @Setup(Level.Trial)
        public void start(WaitWakeBenchmark bench) {
            // The floor has no shared structure to share: each pair gets its own two slots.
            waitWake = bench.impl.equals("bare") ? new WaitWake.Bare() : bench.waitWake;
            // Each pair has its own token range: 2^24 tokens apart, never 0 nor ~0.
            base = (bench.pairs.incrementAndGet()) << 24;
            round = 0;
            stop = false;
            echo = Thread.ofPlatform().daemon().name("echo-" + base).start(() -> {
                for (int r = 0; ; r++) {
                    waitWake.await(echoToken(r));
                    if (stop) {
                        return;
                    }
                    waitWake.wake(benchToken(r));
                }
            });
        }

        int echoToken(int r) {
            return base | ((2 * r + 1) & 0xFFFFFF);
        }

        int benchToken(int r) {
            return base | ((2 * r + 2) & 0xFFFFFF);
        }

        void roundTrip() {
            int r = round++;
            waitWake.wake(echoToken(r));
            waitWake.await(benchToken(r));
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            stop = true;
            waitWake.wake(echoToken(round));
            echo.join(10_000);
            if (echo.isAlive()) {
                throw new IllegalStateException("echo thread did not stop");
            }
        }
    }

    @Benchmark
    @Threads(1)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void roundTrip(Pair pair) {
        pair.roundTrip();
    }

    @Benchmark
    @Threads(2)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public void roundTripsAcrossPairs(Pair pair) {
        pair.roundTrip();
    }
}
