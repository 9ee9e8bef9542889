package org.paravane.vmm.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.emulated.EmulatedBackend;
import org.paravane.vmm.build.VmDefinition;
import org.paravane.vmm.kernel.KernelConfig;
import org.paravane.vmm.kernel.Task;
import org.paravane.vmm.kernel.WaitPolicy;
import org.paravane.vmm.manager.ManagedVm.State;

/**
 * A VM's life through the manager on the software CPU, outside OSGi (the manager as DS would call it): it ends by
 * itself when the guest is done, and a VM that ends can never be parked, moved or resumed afterwards.
 */
class VmLifecycleTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    private final VmManager manager = new VmManager(null, Map.of("waitPolicy", "off", "pageSource", "zero",
            "memoryMiB", 16, "maxVms", 8));
    private final EmulatedBackend emulated = new EmulatedBackend();
    private final List<CountDownLatch> gates = new ArrayList<>();

    VmLifecycleTest() {
        manager.addBackend(emulated, Map.of(VirtualizationBackend.NAME, EmulatedBackend.NAME, VirtualizationBackend.USABLE, true));
    }

    @AfterEach
    void stopAll() {
        gates.forEach(CountDownLatch::countDown);
        manager.deactivate();
    }

    private ManagedVm run(String name, String program, long arg, KernelConfig.Console console) throws Exception {
        VmDefinition def = new VmDefinition(name, null, 1, 16, null, 0,
                List.of(new VmDefinition.Launch(program, GuestImages.load(program), arg, -1, 1)), WaitPolicy.OFF, null, null);
        return manager.run(def, console);
    }

    /** A console that holds the writing task in its write until the test opens the gate; {@code writing} tells it is there. */
    private KernelConfig.Console gated(CountDownLatch writing, CountDownLatch gate) {
        gates.add(gate);
        return (task, text) -> {
            writing.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    @Test
    void aVmWhoseTasksExitEndsFinishedBySignal() throws Exception {
        ManagedVm vm = run("hello", "hello", 0, KernelConfig.Console.NONE);
        assertThat(vm.awaitEnd(BOUND)).as("the VM ends when its last task exits").isTrue();
        assertThat(vm.state()).isEqualTo(State.FINISHED);
        Task hello = vm.kernel().tasks().getFirst();
        assertThat(hello.exitCode()).isZero();
        assertThat(hello.output()).contains("hello, world");
        assertThat(vm.vcpuStats()).as("counters as they were at the end").isNotEmpty();
    }

    @Test
    void aGuestPanicEndsTheVmFailedWithTheReport() throws Exception {
        ManagedVm vm = run("triple", "faults", 4, KernelConfig.Console.NONE);
        assertThat(vm.awaitEnd(BOUND)).isTrue();
        assertThat(vm.state()).isEqualTo(State.FAILED);
        assertThat(vm.failure()).startsWith("guest panic: ").contains("task 1 (faults)");
    }

    @Test
    void aStoppedVmStaysStoppedAndRefusesEveryMove() throws Exception {
        ManagedVm vm = run("forever", "worker", 0, KernelConfig.Console.NONE);
        manager.stop("forever");
        assertThat(vm.awaitEnd(BOUND)).isTrue();
        assertThat(vm.state()).isEqualTo(State.STOPPED);
        assertThat(vm.park()).as("park after the end").isFalse();
        assertThat(vm.unpark(EmulatedBackend.NAME, emulated)).as("unpark after the end").isFalse();
        assertThat(vm.end(State.FINISHED, null)).as("a second end").isFalse();
        assertThatThrownBy(() -> manager.migrate("forever", EmulatedBackend.NAME)).hasMessage("VM 'forever' is STOPPED, not running");
        assertThat(vm.state()).isEqualTo(State.STOPPED);
    }

    @Test
    void aRunningVmWhoseOnlyBackendLeavesIsParkedAndResumesOnTheNextOne() throws Exception {
        ManagedVm vm = run("parker", "worker", 0, KernelConfig.Console.NONE);
        manager.removeBackend(emulated);
        assertThat(vm.state()).isEqualTo(State.PARKED);
        assertThat(vm.vcpuStats()).as("no backend VM while parked").isEmpty();
        assertThat(vm.park()).as("parked twice").isFalse();
        assertThatThrownBy(() -> manager.migrate("parker", EmulatedBackend.NAME)).hasMessageContaining("is not available");

        EmulatedBackend next = new EmulatedBackend();
        assertThat(vm.unpark(EmulatedBackend.NAME, next)).isTrue();
        assertThat(vm.state()).isEqualTo(State.RUNNING);
        assertThat(vm.migrations()).isEqualTo(1);
        assertThat(vm.kernel().vm().backendName()).isEqualTo(EmulatedBackend.NAME);
        assertThat(vm.kernel().tasks().getFirst().state()).as("the worker goes on").isNotEqualTo(Task.State.EXITED);
        assertThat(vm.unpark(EmulatedBackend.NAME, next)).as("unparked twice").isFalse();

        manager.stop("parker");
        assertThat(vm.state()).isEqualTo(State.STOPPED);
    }

    /**
     * The end/park race, forced: a leaving backend finds the VM running and decides to park it (no other backend is
     * left); before it parks, the VM's last task exits and the VM ends. The park must then see the end and leave the VM
     * FINISHED (it used to mark the ended VM PARKED, for ever).
     */
    @Test
    void aVmThatEndsWhileItsBackendLeavesEndsFinishedNotParked() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        ManagedVm vm = run("racer", "hello", 0, gated(writing, gate));
        assertThat(writing.await(BOUND.toSeconds(), TimeUnit.SECONDS)).as("hello reached its write").isTrue();
        List<State> found = new ArrayList<>();
        manager.placement().beforeMovingOff(leaving -> {
            found.add(leaving.state());
            gate.countDown();   // hello's write returns, hello exits: the guest is done and the VM ends
            try {
                assertThat(leaving.awaitEnd(BOUND)).as("the VM ended between the check and the park").isTrue();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });

        manager.removeBackend(emulated);   // no other backend: the VM would be parked

        assertThat(found).as("the leaving backend found the VM running").containsExactly(State.RUNNING);
        assertThat(vm.state()).as("a VM that ended before the park stays ended: " + vm.failure()).isEqualTo(State.FINISHED);
        assertThat(vm.failure()).isNull();
        assertThat(vm.kernel().tasks().getFirst().exitCode()).isZero();
    }

    @ParameterizedTest
    @EnumSource(State.class)
    void anEndIsFinalAndEveryOtherStateCanEnd(State from) {
        for (State to : State.values()) {
            boolean allowed = from.canBecome(to);
            if (from.isEnd()) {
                assertThat(allowed).as(from + " -> " + to).isFalse();
            } else if (to.isEnd()) {
                assertThat(allowed).as(from + " -> " + to).isEqualTo(from != State.MIGRATING);
            }
        }
        assertThat(from.canBecome(from)).as("no state becomes itself").isFalse();
        assertThat(from.canBecome(State.MIGRATING)).as("only a running VM moves").isEqualTo(from == State.RUNNING);
        assertThat(from.canBecome(State.PARKED)).as("only a running VM parks").isEqualTo(from == State.RUNNING);
    }
}
