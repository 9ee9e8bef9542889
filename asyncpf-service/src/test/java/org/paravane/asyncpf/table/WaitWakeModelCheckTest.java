package org.paravane.asyncpf.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import kotlin.Unit;
import kotlin.reflect.KFunction;
import kotlin.reflect.jvm.ReflectJvmMapping;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.lincheck.datastructures.CustomScenarioDSLKt;
import org.jetbrains.lincheck.datastructures.DSLScenarioBuilder;
import org.jetbrains.lincheck.datastructures.DSLThreadScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.junit.jupiter.api.Test;
import org.paravane.api.asyncpf.Sleeper;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.asyncpf.WaitOutcome;
import org.paravane.asyncpf.halt.HaltWaiter;
import org.paravane.asyncpf.wait.ScheduleWaiter;
import org.paravane.asyncpf.wait.ThreadSleeper;

/**
 * Model checks the wait/wake/wake-all/release/close protocol with Lincheck: for each scenario below, Lincheck's model
 * checker runs the operations of each column on its own thread and explores their interleavings (switching threads at
 * every shared-memory access, lock and park it instruments), up to {@code asyncpf.modelcheck.invocations} per
 * scenario. A lost wake-up shows as a hang ("all unfinished threads are in deadlock"); a broken invariant as an
 * exception from the operation that saw it.
 *
 * <p>Checked in every explored interleaving: every wait returns; a wait returns WOKEN only after its token was woken
 * or a wake-all ran on its own vCPU (I3); a wait returns ALREADY_WOKEN only after its token was woken; after the
 * post part has run a wake-all on every vCPU, the table is empty and every dummy made was consumed or discarded (I2).
 *
 * <p>The table has two buckets instead of 256 (the same code, {@code hash_32(token, 1)}): the protocol does not depend
 * on the count, and a wake-all's walk over 256 locks would multiply the interleavings beyond what can be explored in
 * seconds. The scenarios use tokens that share a bucket and tokens that do not.
 *
 * <p>The last two tests prove the check can fail: a sleeper that drops a wake arriving before it sleeps (no permit)
 * is reported as a hang, and a wake the books do not know about as a broken invariant.
 */
public class WaitWakeModelCheckTest {

    private static final int INVOCATIONS = Integer.getInteger("asyncpf.modelcheck.invocations", 500);
    private static final int HASH_BITS = 1;
    /** For the proof that the check can fail: a sleeper without the permit semantics the protocol relies on. */
    static volatile boolean sleeperWithoutPermit;

    /** Two buckets: tokens 1 and 3 share bucket 0, token 2 is alone in bucket 1 (see {@link #bucketsOfTheTokens}). */
    private final BucketedSleeperTable table = BucketedSleeperTable.withHashBits("lincheck", HASH_BITS);
    private final ScheduleWaiter schedule = new ScheduleWaiter();
    private final HaltWaiter halt = new HaltWaiter();
    private final Set<Integer> woken = ConcurrentHashMap.newKeySet();
    private final Set<Integer> wokenAll = ConcurrentHashMap.newKeySet();

    public WaitWakeModelCheckTest() {
    }

    private Sleeper sleeper(int vcpu) {
        return sleeperWithoutPermit ? new MonitorSleeper(vcpu) : new ThreadSleeper(vcpu);
    }

    private String checked(int token, int vcpu, WaitOutcome outcome) {
        switch (outcome) {
            case WOKEN -> {
                if (!woken.contains(token) && !wokenAll.contains(vcpu)) {
                    throw new IllegalStateException("I3: token " + token + " on vCPU " + vcpu + " woken by nobody's wake");
                }
            }
            case ALREADY_WOKEN -> {
                if (!woken.contains(token)) {
                    throw new IllegalStateException("a dummy for " + token + " before its wake");
                }
            }
            default -> {
            }
        }
        return outcome.name();
    }

    @Operation
    public String waitSchedule(int token, int vcpu) {
        return checked(token, vcpu, schedule.wait(table, token, sleeper(vcpu)));
    }

    @Operation
    public String waitHalt(int token, int vcpu) {
        return checked(token, vcpu, halt.wait(table, token, sleeper(vcpu)));
    }

    @Operation
    public void wake(int token, int vcpu) {
        woken.add(token);
        table.wake(token, vcpu);
    }

    /** Only for the proof that a broken invariant is reported: a wake left out of the books. */
    @Operation
    public void unrecordedWake(int token, int vcpu) {
        table.wake(token, vcpu);
    }

    @Operation
    public void wakeAll(int vcpu) {
        wokenAll.add(vcpu);
        table.wakeAll(vcpu);
    }

    @Operation
    public void releaseHaltWaits() {
        halt.deactivate();
    }

    @Operation
    public void close() {
        table.close();
    }

    /** Post part: discard what is left on both vCPUs, then check the table's books. */
    @Operation
    public String settle() {
        table.wakeAll(0);
        table.wakeAll(1);
        SleeperTable.Stats s = table.stats();
        if (table.size() != 0) {
            throw new IllegalStateException("entries left behind: " + table.snapshot());
        }
        if (s.dummiesCreated() != s.dummiesConsumed() + s.dummiesDiscarded()) {
            throw new IllegalStateException("I2: dummies " + s);
        }
        return "settled";
    }

    // ---- scenarios ----

    private static final List<Method> OPERATIONS = Arrays.stream(WaitWakeModelCheckTest.class.getMethods())
            .filter(m -> m.isAnnotationPresent(Operation.class)).toList();

    private static Actor op(String name, Object... args) {
        Method m = OPERATIONS.stream().filter(o -> o.getName().equals(name)).findFirst().orElseThrow();
        KFunction<?> f = ReflectJvmMapping.getKotlinFunction(m);
        return CustomScenarioDSLKt.actor(f, args, false);
    }

    /** A scenario: each argument is one thread's operations; the post part settles the table. */
    @SafeVarargs
    private static kotlin.jvm.functions.Function1<DSLScenarioBuilder, Unit> threads(List<Actor>... columns) {
        return b -> {
            b.parallel(p -> {
                for (List<Actor> column : columns) {
                    p.thread(t -> {
                        t.addAll(column);
                        return Unit.INSTANCE;
                    });
                }
                return Unit.INSTANCE;
            });
            b.post(t -> {
                t.add(op("settle"));
                return Unit.INSTANCE;
            });
            return Unit.INSTANCE;
        };
    }

    /** Only the custom scenarios; the operations check the results themselves. */
    private static ModelCheckingOptions options() {
        return new ModelCheckingOptions()
                .iterations(0)
                .invocationsPerIteration(INVOCATIONS)
                .verifier(NoFailedOperationVerifier.class)
                // JDK classes the protocol only uses (the map of waits in progress, the counters) run atomically.
                .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(ConcurrentHashMap.class.getName(), LongAdder.class.getName(),
                        "java.util.concurrent.atomic.Striped64").allMethods().treatAsAtomic());
    }

    private static void check(Consumer<ModelCheckingOptions> scenarios) {
        ModelCheckingOptions options = options();
        scenarios.accept(options);
        options.check(WaitWakeModelCheckTest.class);
    }

    @Test
    void bucketsOfTheTokens() {
        BucketedSleeperTable t = BucketedSleeperTable.withHashBits("check", HASH_BITS);
        t.wake(1, 0);
        t.wake(3, 0);
        t.wake(2, 0);
        assertThat(t.snapshot()).extracting(BucketedSleeperTable.Linked::bucket).containsExactly(0, 0, 1);
    }

    @Test
    void armThenCheckLosesNoWake() {
        check(o -> o
                .addCustomScenario(threads(List.of(op("waitSchedule", 1, 0)), List.of(op("wake", 1, 0))))
                .addCustomScenario(threads(List.of(op("waitHalt", 1, 0)), List.of(op("wake", 1, 1)))));
    }

    @Test
    void wakeBeforeWaitAndTheUnlockedDummyAllocation() {   // C1, C2 / ddd7ed842627
        check(o -> o
                .addCustomScenario(threads(List.of(op("wake", 1, 1), op("wake", 3, 1)),
                        List.of(op("waitSchedule", 1, 0)), List.of(op("waitHalt", 3, 0))))
                .addCustomScenario(threads(List.of(op("wake", 1, 0), op("waitSchedule", 2, 0)),
                        List.of(op("waitHalt", 1, 1), op("wake", 2, 1)))));
    }

    @Test
    void duplicateTokens() {
        check(o -> o.addCustomScenario(threads(List.of(op("waitSchedule", 1, 0)), List.of(op("waitHalt", 1, 1)),
                List.of(op("wake", 1, 0), op("wake", 1, 1)))));
    }

    @Test
    void wakeAllRacesWaitsWakesAndDummies() {   // I3, C3
        check(o -> o
                .addCustomScenario(threads(List.of(op("waitSchedule", 1, 0)), List.of(op("waitHalt", 3, 1)),
                        List.of(op("wakeAll", 0), op("wake", 1, 0), op("wake", 3, 0))))
                .addCustomScenario(threads(List.of(op("waitSchedule", 1, 0)), List.of(op("waitHalt", 2, 0)),
                        List.of(op("wakeAll", 0), op("wake", 1, 0), op("wake", 2, 0))))
                .addCustomScenario(threads(List.of(op("wake", 1, 1)), List.of(op("wakeAll", 1), op("wake", 1, 1)),
                        List.of(op("waitSchedule", 1, 0)))));
    }

    @Test
    void releaseAndCloseRaceTheWait() {
        check(o -> o
                .addCustomScenario(threads(List.of(op("waitHalt", 1, 0)), List.of(op("releaseHaltWaits")),
                        List.of(op("wake", 1, 0))))
                .addCustomScenario(threads(List.of(op("waitSchedule", 1, 0), op("waitHalt", 2, 1)),
                        List.of(op("close")), List.of(op("wake", 1, 0)))));
    }

    @Test
    void theCheckFindsALostWakeWhenTheSleeperKeepsNoPermit() {
        sleeperWithoutPermit = true;
        try {
            assertThatThrownBy(() -> options()
                    .addCustomScenario(threads(List.of(op("waitSchedule", 1, 0)), List.of(op("wake", 1, 0))))
                    .check(WaitWakeModelCheckTest.class))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("hung");
        } finally {
            sleeperWithoutPermit = false;
        }
    }

    @Test
    void theCheckFindsABrokenInvariant() {
        // A wake the test's books do not know about: the waiter's I3 check cannot explain its WOKEN and must fail.
        assertThatThrownBy(() -> options()
                .addCustomScenario(threads(List.of(op("waitSchedule", 1, 0)), List.of(op("unrecordedWake", 1, 0))))
                .check(WaitWakeModelCheckTest.class))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("IllegalStateException");
    }

    /** wait/notify under a monitor: a wake before the wait is lost (no permit). */
    private static final class MonitorSleeper implements Sleeper {
        private final int vcpu;

        MonitorSleeper(int vcpu) {
            this.vcpu = vcpu;
        }

        @Override
        public int vcpu() {
            return vcpu;
        }

        @Override
        public synchronized boolean sleep() {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        }

        @Override
        public synchronized void wakeUp() {
            notifyAll();
        }

        @Override
        public void safeHalt() {
            sleep();
        }

        @Override
        public void kick() {
            wakeUp();
        }
    }
}
