package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.kernel.GuestStack.DATA;
import static org.paravane.vmm.kernel.GuestStack.image;
import static org.paravane.vmm.kernel.GuestStack.scannerChecksum;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.testkit.GatedPageSource;
import org.paravane.vmm.persist.MachineImage;
import org.paravane.vmm.source.PatternPageSource;
import org.paravane.vmm.source.ShapedPageSource;

/**
 * A VM running scanners over slow lazily restored memory and workers moves between backends mid-run, with its complete
 * state (vCPUs, memory, the guest kernel's tasks and sleepers, outstanding tokens); its results equal an unmoved run's.
 */
class HotSwapTest {
    private static final long SEED = 7;
    private static final long BYTES = 96 * 4096;

    private GuestKernel start(GuestStack stack, String name, org.paravane.api.memory.PageSource source) {
        GuestKernel k = stack.kernel(name, 2, 2 * BYTES, source, PreemptionModel.PREEMPTIBLE, WaitPolicy.DECISION_TABLE);
        k.launch(new TaskSpec("scanner0", safeImage("scanner"), 1, new TaskSpec.DataMapping(DATA, BYTES, BYTES)));
        k.launch(new TaskSpec("scanner1", safeImage("scanner"), 1, new TaskSpec.DataMapping(DATA + BYTES, BYTES, BYTES)));
        k.launch(new TaskSpec("worker0", safeImage("worker"), 400, null));
        k.launch(new TaskSpec("worker1", safeImage("worker"), 400, null));
        k.start();
        return k;
    }

    private static ElfImage safeImage(String name) {
        try {
            return image(name);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, Map<String, Long>> results(GuestKernel k) throws InterruptedException {
        assertThat(k.awaitTasks(120, TimeUnit.SECONDS)).as("tasks finish").isTrue();
        assertThat(k.panicReport()).isNull();
        Map<String, Map<String, Long>> out = new java.util.TreeMap<>();
        for (Task t : k.tasks()) {
            assertThat(t.exitCode()).as(t + ": " + t.failure()).isZero();
            out.put(t.name(), t.reports());
        }
        return out;
    }

    /** Moves the kernel's VM to {@code to} while it runs: pause, capture, restore, swap, resume. */
    private static void move(GuestKernel k, GuestStack to) throws InterruptedException {
        GuestStack.moveVm(k, to, () -> assertThat(k.tasks()).as("moved mid-run: tasks still running")
                .anyMatch(t -> t.state() != Task.State.EXITED));
    }

    private static org.paravane.api.memory.PageSource slow() {
        return new ShapedPageSource(new PatternPageSource(SEED), 200_000, 0);
    }

    private static void awaitGate(GatedPageSource gate, int readers) throws InterruptedException {
        assertThat(gate.awaitWaiting(readers, 30, TimeUnit.SECONDS)).as("fetches reached the gate").isTrue();
    }

    /**
     * Moves away and back while both scanners' faults are outstanding (their page reads block at a gate), so tokens and
     * sleepers cross both moves; then lets the data through.
     */
    private void swapRun(GuestStack home, GuestStack away) throws Exception {
        GuestKernel reference = start(home, "unmoved", slow());
        Map<String, Map<String, Long>> expected = results(reference);
        assertThat(expected.get("scanner0")).containsEntry("checksum", scannerChecksum(SEED, DATA, BYTES));
        assertThat(expected.get("scanner1")).containsEntry("checksum", scannerChecksum(SEED, DATA + BYTES, BYTES));

        GatedPageSource gate = new GatedPageSource(slow()).holdAll();
        GuestKernel moved = start(home, "moved", gate);
        awaitGate(gate, 1);
        move(moved, away);
        assertThat(moved.vm().backendName()).isEqualTo(away.name());
        awaitGate(gate, 1);   // the new host faults again on what the old one had in flight
        move(moved, home);
        gate.open();
        assertThat(results(moved)).isEqualTo(expected);
    }

    @Test
    void emulatedToEmulatedMidRun() throws Exception {
        try (GuestStack a = GuestStack.emulated(); GuestStack b = GuestStack.emulated()) {
            swapRun(a, b);
        }
    }

    @Test
    void emulatedToKvmAndBackMidRun() throws Exception {
        try (GuestStack kvm = GuestStack.kvm(); GuestStack emulated = GuestStack.emulated()) {
            swapRun(emulated, kvm);
        }
    }

    @Test
    void kvmToEmulatedAndBackMidRun() throws Exception {
        try (GuestStack kvm = GuestStack.kvm(); GuestStack emulated = GuestStack.emulated()) {
            swapRun(kvm, emulated);
        }
    }

    /** Many moves in quick succession while pages are in flight on the host being left (async PF on both). */
    @Test
    void manyMovesWhileFaultsAreInFlight() throws Exception {
        try (GuestStack kvm = GuestStack.kvmPageAtATime(); GuestStack emulated = GuestStack.emulated()) {
            Map<String, Map<String, Long>> expected = results(start(emulated, "steady", slow()));
            GuestKernel k = start(emulated, "restless", new ShapedPageSource(new PatternPageSource(SEED), 700_000, 0));
            GuestStack[] order = {kvm, emulated};
            for (int i = 0; i < 60 && k.tasks().stream().anyMatch(t -> t.state() != Task.State.EXITED); i++) {
                Thread.sleep(3);
                k.pause();
                VirtualMachine old = k.vm();
                try (MachineImage image = MachineImage.capture(old)) {
                    if (i % 3 == 2) {
                        old.close();        // parked: the old host is gone before the next one takes over
                        Thread.sleep(5);
                        k.replaceVm(image.restore(order[i % 2].backend));
                    } else {
                        k.replaceVm(image.restore(order[i % 2].backend));
                        old.close();
                    }
                } finally {
                    k.resume();
                }
                assertThat(k.panicReport()).as("after move " + i).isNull();
            }
            assertThat(results(k)).isEqualTo(expected);
        }
    }

    @Test
    void resultsDoNotDependOnTheBackend() throws Exception {
        try (GuestStack kvm = GuestStack.kvm(); GuestStack emulated = GuestStack.emulated()) {
            assertThat(results(start(kvm, "on-kvm", slow()))).isEqualTo(results(start(emulated, "on-emulated", slow())));
        }
    }
}
