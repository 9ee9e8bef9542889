package org.paravane.asyncpf.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.paravane.api.asyncpf.AsyncPfAbi;
import org.paravane.api.asyncpf.Sleeper;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.asyncpf.WaitMode;

/**
 * The guest's {@code async_pf_sleepers[256]}: 256 buckets chosen by {@code hash_32(token, 8)}, each a doubly linked
 * list under its own lock with the newest entry at the head.
 *
 * <p>Entries are waiters (a {@link Sleeper} and a {@link WaitMode}) or dummies (a wake that came before its wait,
 * recorded on the waking vCPU). A waiter's wait goes on while it is linked and not released; the waker unlinks it under
 * the bucket lock first and notifies its sleeper after unlocking (unlink-then-signal), so a sleeper that re-checks after
 * every return from {@link Sleeper#sleep()} or {@link Sleeper#safeHalt()} can never miss its wake.
 *
 * <p>Differences from the kernel, each deliberate:
 * <ul>
 *   <li>a wake that finds no waiter allocates its dummy outside the bucket lock and looks again after re-locking
 *       (mainline ddd7ed842627); an allocation that fails is retried, an allocated dummy not needed is dropped;</li>
 *   <li>wake-all frees the dummies it unlinks (the kernel leaks them, C3);</li>
 *   <li>a wake only ever matches a waiter and the enqueue path only ever consumes a dummy, so a second "ready" for one
 *       token leaves a second dummy instead of unlinking the first (I2 holds even for a buggy host);</li>
 *   <li>{@link #release} ends a wait without unlinking it, so the token's wake is absorbed instead of leaving a dummy
 *       nobody takes; {@link #close()} releases everything.</li>
 * </ul>
 */
public final class BucketedSleeperTable implements SleeperTable {

    /** {@code GOLDEN_RATIO_32} of the kernel's {@code hash_32}. */
    public static final int GOLDEN_RATIO_32 = 0x61C88647;

    /** Where a wake gets its dummy: tests substitute one that fails (C2) or lets a waiter in meanwhile. */
    @FunctionalInterface
    interface DummyAllocator {
        /** A fresh dummy, or null when the allocation failed (the wake then retries). */
        Node allocate(BucketedSleeperTable table, int token, int vcpu);
    }

    private static final DummyAllocator HEAP = Node::dummy;

    /** What a linked entry is, for tests and diagnostics. */
    public enum Kind { WAITER, DUMMY, RELEASED_WAITER }

    /** A linked entry as seen by {@link #snapshot()}. */
    public record Linked(int bucket, int token, int vcpu, Kind kind, WaitMode mode) {
    }

    private final String owner;
    private final Bucket[] buckets;
    /** {@code 32 - KVM_TASK_SLEEP_HASHBITS}: the shift of {@code hash_32}. */
    private final int hashShift;
    private final DummyAllocator allocator;
    private volatile boolean closed;

    private final LongAdder scheduleWaits = new LongAdder();
    private final LongAdder haltWaits = new LongAdder();
    private final LongAdder wakes = new LongAdder();
    private final LongAdder wakeAllWoken = new LongAdder();
    private final LongAdder dummiesCreated = new LongAdder();
    private final LongAdder dummiesConsumed = new LongAdder();
    private final LongAdder dummiesDiscarded = new LongAdder();
    private final LongAdder released = new LongAdder();
    private final LongAdder dummiesDropped = new LongAdder();

    public BucketedSleeperTable(String owner) {
        this(owner, HEAP);
    }

    BucketedSleeperTable(String owner, DummyAllocator allocator) {
        this(owner, Integer.numberOfTrailingZeros(BUCKETS), allocator);
    }

    /**
     * A table of {@code 2^hashBits} buckets. Only the model check uses fewer than 256: the protocol does not depend on
     * the count, and a smaller table keeps the interleavings of a wake-all's bucket walk within what it can explore.
     */
    BucketedSleeperTable(String owner, int hashBits, DummyAllocator allocator) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.allocator = allocator;
        this.hashShift = 32 - hashBits;
        this.buckets = new Bucket[1 << hashBits];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new Bucket();
        }
    }

    /** A model-checking table: {@code 2^hashBits} buckets, same code. */
    static BucketedSleeperTable withHashBits(String owner, int hashBits) {
        return new BucketedSleeperTable(owner, hashBits, HEAP);
    }

    /** {@code hash_32(token, 8)}: the bucket of {@code token}. */
    public static int bucketOf(int token) {
        return (token * GOLDEN_RATIO_32) >>> 24;
    }

    private Bucket bucket(int token) {
        return buckets[(token * GOLDEN_RATIO_32) >>> hashShift];
    }

    public String owner() {
        return owner;
    }

    @Override
    public Entry enqueue(int token, Sleeper sleeper, WaitMode mode) {
        Objects.requireNonNull(sleeper, "sleeper");
        Objects.requireNonNull(mode, "mode");
        int vcpu = sleeper.vcpu();
        Bucket b = bucket(token);
        Node node;
        synchronized (b) {
            if (closed) {
                node = new Node(this, token, vcpu, mode, sleeper);
                node.state = Node.RELEASED;
                released.increment();
                return node;
            }
            Node dummy = b.findDummy(token);
            if (dummy != null) {
                b.unlink(dummy);
                dummiesConsumed.increment();
                return null;
            }
            node = new Node(this, token, vcpu, mode, sleeper);
            b.pushHead(node);
        }
        (mode == WaitMode.SCHEDULE ? scheduleWaits : haltWaits).increment();
        return node;
    }

    @Override
    public void wake(int token, int wakingVcpu) {
        if (token == AsyncPfAbi.WAKE_ALL_TOKEN) {
            wakeAll(wakingVcpu);
            return;
        }
        Bucket b = bucket(token);
        Node dummy = null;
        Node woken;
        boolean notify;
        while (true) {
            synchronized (b) {
                if (closed) {
                    return;
                }
                woken = b.findWaiter(token);
                if (woken != null) {
                    b.unlink(woken);
                    // A released waiter only absorbs its wake: its sleeper was notified when it was released.
                    notify = woken.state == Node.WAITING;
                    if (notify) {
                        woken.state = Node.WOKEN;
                    }
                    break;
                }
                if (dummy != null) {
                    b.pushHead(dummy);
                            dummiesCreated.increment();
                    return;
                }
            }
            // The async #PF has not been handled yet: leave a dummy. Allocated with the lock dropped, then looked up
            // again, because the waiter may have enqueued itself meanwhile (a duplicate must not be linked).
            dummy = allocator.allocate(this, token, wakingVcpu);
            if (dummy == null) {
                Thread.onSpinWait();
            }
        }
        if (dummy != null) {
            dummiesDropped.increment();   // allocated but not needed: dropped, never linked
        }
        wakes.increment();
        if (notify) {
            woken.notifySleeper();
        }
    }

    @Override
    public void wakeAll(int vcpu) {
        List<Node> toNotify = new ArrayList<>();
        for (Bucket b : buckets) {
            synchronized (b) {
                if (closed) {
                    return;
                }
                for (Node n = b.head, next; n != null; n = next) {
                    next = n.next;
                    if (n.vcpu != vcpu) {
                        continue;
                    }
                    b.unlink(n);
                    if (n.isDummy()) {
                        dummiesDiscarded.increment();
                    } else if (n.state == Node.WAITING) {
                        // a released entry only absorbed its wake: it is unlinked, not woken (counted as released)
                        wakeAllWoken.increment();
                        n.state = Node.WOKEN;
                        toNotify.add(n);
                    }
                }
            }
            for (Node n : toNotify) {
                n.notifySleeper();
            }
            toNotify.clear();
        }
    }

    @Override
    public void release(Entry entry) {
        if (!(entry instanceof Node n) || n.table != this) {
            throw new IllegalArgumentException("entry " + entry + " does not belong to the sleeper table of " + owner);
        }
        synchronized (bucket(n.token)) {
            if (n.state != Node.WAITING) {
                return;   // already woken or released
            }
            n.state = Node.RELEASED;   // stays linked: the token's wake is absorbed
        }
        released.increment();
        n.notifySleeper();
    }

    /** Sums the buckets, each under its lock (diagnostics; no global counter on the hot path). */
    @Override
    public int size() {
        int n = 0;
        for (Bucket b : buckets) {
            synchronized (b) {
                n += b.size;
            }
        }
        return n;
    }

    @Override
    public Stats stats() {
        return new Stats(scheduleWaits.sum(), haltWaits.sum(), wakes.sum(), wakeAllWoken.sum(), dummiesCreated.sum(),
                dummiesConsumed.sum(), dummiesDiscarded.sum(), released.sum());
    }

    /** Dummies a wake allocated and then did not need because the waiter enqueued meanwhile (C2). */
    public long dummiesDropped() {
        return dummiesDropped.sum();
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        List<Node> toNotify = new ArrayList<>();
        for (Bucket b : buckets) {
            synchronized (b) {
                for (Node n = b.head, next; n != null; n = next) {
                    next = n.next;
                    b.unlink(n);
                    if (n.isDummy()) {
                        dummiesDiscarded.increment();
                    } else if (n.state == Node.WAITING) {
                        n.state = Node.RELEASED;
                        released.increment();
                        toNotify.add(n);
                    }
                }
            }
        }
        toNotify.forEach(Node::notifySleeper);
    }

    /** Every linked entry, bucket by bucket, newest first within a bucket; each bucket is read under its lock. */
    public List<Linked> snapshot() {
        List<Linked> out = new ArrayList<>();
        for (int i = 0; i < buckets.length; i++) {
            Bucket b = buckets[i];
            synchronized (b) {
                for (Node n = b.head; n != null; n = n.next) {
                    Kind kind = n.isDummy() ? Kind.DUMMY : n.state == Node.RELEASED ? Kind.RELEASED_WAITER : Kind.WAITER;
                    out.add(new Linked(i, n.token, n.vcpu, kind, n.mode));
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "sleeper table of " + owner + " (" + size() + " linked" + (closed ? ", closed)" : ")");
    }

    /** One bucket: {@code hlist_head} plus its {@code raw_spinlock_t} (the bucket's monitor). */
    private static final class Bucket {
        Node head;
        int size;

        /** The newest dummy of {@code token}. */
        Node findDummy(int token) {
            for (Node n = head; n != null; n = n.next) {
                if (n.token == token && n.isDummy()) {
                    return n;
                }
            }
            return null;
        }

        /** The newest waiter (waiting or released) of {@code token}. */
        Node findWaiter(int token) {
            for (Node n = head; n != null; n = n.next) {
                if (n.token == token && !n.isDummy()) {
                    return n;
                }
            }
            return null;
        }

        void pushHead(Node n) {
            n.prev = null;
            n.next = head;
            if (head != null) {
                head.prev = n;
            }
            head = n;
            size++;
        }

        void unlink(Node n) {
            if (n.prev != null) {
                n.prev.next = n.next;
            } else {
                head = n.next;
            }
            if (n.next != null) {
                n.next.prev = n.prev;
            }
            n.next = null;
            n.prev = null;
            size--;
        }
    }

    /** {@code struct kvm_task_sleep_node}: a waiter's entry, or a dummy ({@code sleeper == null}). */
    static final class Node implements Entry {
        static final int WAITING = 0;
        static final int WOKEN = 1;
        static final int RELEASED = 2;

        final BucketedSleeperTable table;
        final int token;
        final int vcpu;
        final WaitMode mode;
        final Sleeper sleeper;
        Node next;
        Node prev;
        /** Written under the bucket lock; read by the waiter without it. */
        volatile int state = WAITING;

        Node(BucketedSleeperTable table, int token, int vcpu, WaitMode mode, Sleeper sleeper) {
            this.table = table;
            this.token = token;
            this.vcpu = vcpu;
            this.mode = mode;
            this.sleeper = sleeper;
        }

        static Node dummy(BucketedSleeperTable table, int token, int vcpu) {
            return new Node(table, token, vcpu, null, null);
        }

        boolean isDummy() {
            return sleeper == null;
        }

        /** {@code swake_up_one} for a schedule waiter, the reschedule IPI for a halted one. */
        void notifySleeper() {
            if (mode == WaitMode.HALT) {
                sleeper.kick();
            } else {
                sleeper.wakeUp();
            }
        }

        @Override
        public int token() {
            return token;
        }

        @Override
        public int vcpu() {
            return vcpu;
        }

        @Override
        public WaitMode mode() {
            return mode;
        }

        @Override
        public boolean isQueued() {
            return state == WAITING;
        }

        @Override
        public boolean isReleased() {
            return state == RELEASED;
        }

        @Override
        public String toString() {
            String what = isDummy() ? "dummy" : mode.property() + " waiter";
            String how = switch (state) {
                case WAITING -> "waiting";
                case WOKEN -> "woken";
                default -> "released";
            };
            return what + " " + AsyncPfAbi.tokenString(token) + " on vCPU " + vcpu + " (" + how + ")";
        }
    }
}
