package org.paravane.bench.asyncpf;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.paravane.api.asyncpf.WaitOutcome;
import org.paravane.asyncpf.table.BucketedSleeperTable;
import org.paravane.asyncpf.wait.ScheduleWaiter;
import org.paravane.asyncpf.wait.ThreadSleeper;

/**
 * One way for a thread to wait for a token and for another to wake it, the wake allowed to come first. The
 * implementations compared side by side: Paravane's schedule wait on its sleeper table, the two obvious alternatives,
 * and a bare park/unpark ping-pong as the floor.
 */
interface WaitWake {

    /** Blocks until {@code token} is woken (or returns at once when it already was). */
    void await(int token);

    void wake(int token);

    static WaitWake of(String name) {
        return switch (name) {
            case "bare" -> new Bare();
            case "sleeperTable" -> new SleeperTableWait();
            case "futureMap" -> new FutureMap();
            case "parkMap" -> new ParkMap();
            default -> throw new IllegalArgumentException("unknown implementation " + name);
        };
    }

    /**
     * The floor: one volatile slot per side (even tokens, odd tokens) and LockSupport. Only correct for two strictly
     * alternating threads, which is all a ping-pong needs.
     */
    final class Bare implements WaitWake {
        private final Side even = new Side();
        private final Side odd = new Side();

        private static final class Side {
            volatile int posted;
            volatile Thread waiter;
        }

        private Side side(int token) {
            return (token & 1) == 0 ? even : odd;
        }

        @Override
        public void await(int token) {
            Side s = side(token);
            s.waiter = Thread.currentThread();
            while (s.posted != token) {
                LockSupport.park(this);
            }
        }

        @Override
        public void wake(int token) {
            Side s = side(token);
            s.posted = token;
            Thread t = s.waiter;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /** Paravane: the schedule waiter on the 256-bucket table, a ThreadSleeper per waiting thread. */
    final class SleeperTableWait implements WaitWake {
        private final BucketedSleeperTable table = new BucketedSleeperTable("bench");
        private final ScheduleWaiter waiter = new ScheduleWaiter();
        private final ThreadLocal<ThreadSleeper> sleepers = ThreadLocal.withInitial(() -> new ThreadSleeper(0));

        @Override
        public void await(int token) {
            WaitOutcome o = waiter.wait(table, token, sleepers.get());
            if (o == WaitOutcome.RELEASED || o == WaitOutcome.SUSPENDED) {
                throw new IllegalStateException("unexpected " + o);
            }
        }

        @Override
        public void wake(int token) {
            table.wake(token, 0);
        }
    }

    /** A ConcurrentHashMap of CompletableFutures: whoever comes first creates the future. */
    final class FutureMap implements WaitWake {
        private final ConcurrentHashMap<Integer, CompletableFuture<Void>> futures = new ConcurrentHashMap<>();

        @Override
        public void await(int token) {
            futures.computeIfAbsent(token, t -> new CompletableFuture<>()).join();
            futures.remove(token);
        }

        @Override
        public void wake(int token) {
            futures.computeIfAbsent(token, t -> new CompletableFuture<>()).complete(null);
        }
    }

    /** LockSupport over a ConcurrentHashMap: the waiter registers its thread, the waker swaps in a marker and unparks. */
    final class ParkMap implements WaitWake {
        private static final Object WOKEN = new Object();
        private final ConcurrentHashMap<Integer, Object> slots = new ConcurrentHashMap<>();

        @Override
        public void await(int token) {
            Object prev = slots.putIfAbsent(token, Thread.currentThread());
            if (prev != WOKEN) {
                while (slots.get(token) != WOKEN) {
                    LockSupport.park(this);
                }
            }
            slots.remove(token);
        }

        @Override
        public void wake(int token) {
            Object prev = slots.put(token, WOKEN);
            if (prev instanceof Thread t) {
                LockSupport.unpark(t);
            }
        }
    }
}
