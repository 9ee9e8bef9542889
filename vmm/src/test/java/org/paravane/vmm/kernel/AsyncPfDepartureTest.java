package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.kernel.GuestStack.DATA;
import static org.paravane.vmm.kernel.GuestStack.awaitEnd;
import static org.paravane.vmm.kernel.GuestStack.image;
import static org.paravane.vmm.kernel.GuestStack.scannerChecksum;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.asyncpf.AsyncPfAbi;
import org.paravane.api.asyncpf.GuestFault;
import org.paravane.api.asyncpf.GuestFaultResult;
import org.paravane.api.asyncpf.PageFaultHandler;
import org.paravane.api.asyncpf.PreemptionModel;
import org.paravane.testkit.GatedPageSource;
import org.paravane.vmm.source.PatternPageSource;
import org.paravane.vmm.source.ShapedPageSource;

/**
 * The async-PF services leaving while the guest runs with async PF on (issue 11, defects 1–3), on the software CPU
 * with the host engine: the guest must never lose a task, hang or panic because a provider went away.
 */
class AsyncPfDepartureTest {
    private static final long SEED = 11;
    private static final long BYTES = 48 * 4096;

    private final GuestStack stack = GuestStack.emulated();

    @AfterEach
    void close() throws Exception {
        stack.close();
    }

    private static ShapedPageSource slow() {
        return new ShapedPageSource(new PatternPageSource(SEED), 300_000, 0);
    }

    /**
     * The guest-side handler as a service that leaves right after it handled the first "page ready" of a real token:
     * inside a halt wait, so the task goes on running on its vCPU with async PF still on, and its next fault is an
     * injected async #PF that no handler takes.
     */
    private static final class LeavingHandler implements PageFaultHandler {
        final PageFaultHandler delegate;
        final AtomicBoolean gone = new AtomicBoolean();

        LeavingHandler(PageFaultHandler delegate) {
            this.delegate = delegate;
        }

        @Override
        public GuestFaultResult handle(GuestFault fault) {
            GuestFaultResult r = delegate.handle(fault);
            if (r instanceof GuestFaultResult.Woke w && w.token() != AsyncPfAbi.WAKE_ALL_TOKEN) {
                gone.set(true);
            }
            return r;
        }

        PageFaultHandler now() {
            return gone.get() ? null : this;
        }
    }

    @Test
    void theHandlerLeavingMidRunDoesNotKillTheTask() throws Exception {   // defect 2
        LeavingHandler handler = new LeavingHandler(stack.handler);
        GuestKernel k = stack.kernel("handler-leaves", 1, BYTES, slow(), PreemptionModel.PREEMPTIBLE,
                WaitPolicy.HALT_EVERYWHERE, handler::now);
        Task scanner = k.launch(new TaskSpec("scanner", image("scanner"), 1, new TaskSpec.DataMapping(DATA, BYTES, BYTES)));
        k.start();
        awaitEnd(k);
        assertThat(handler.gone).as("the handler left mid-run").isTrue();
        assertThat(scanner.exitCode()).as(scanner + ": " + scanner.failure()).isZero();
        assertThat(scanner.reports()).containsEntry("checksum", scannerChecksum(SEED, DATA, BYTES));
    }

    @Test
    void aReasonLeftByADepartedHandlerDoesNotTurnTheNextGenuineFaultAsync() throws Exception {   // defect 3
        LeavingHandler handler = new LeavingHandler(stack.handler);
        AtomicBoolean back = new AtomicBoolean();
        GuestKernel k = stack.kernel("handler-returns", 1, BYTES, slow(), PreemptionModel.PREEMPTIBLE,
                WaitPolicy.HALT_EVERYWHERE, () -> back.get() ? handler : handler.now());
        k.launch(new TaskSpec("scanner", image("scanner"), 1, new TaskSpec.DataMapping(DATA, BYTES, BYTES)));
        k.start();
        assertThat(k.awaitTasks(120, TimeUnit.SECONDS)).as("the scanner ends").isTrue();
        assertThat(handler.gone).isTrue();

        back.set(true);   // the handler is back: async PF is enabled again at the next scheduling point
        Task bad = k.launch(new TaskSpec("faults", image("faults"), 3, null));   // loads from 0x600000000000
        assertThat(k.awaitTasks(120, TimeUnit.SECONDS)).as("the faulting task ends").isTrue();
        assertThat(k.panicReport()).as("no async reading of a genuine fault").isNull();
        assertThat(bad.failure()).contains("page fault at 0x600000000000");
    }

    @Test
    void theHostEngineLeavingWithNoSuccessorWakesTheWaitingTasks() throws Exception {   // defect 1
        GatedPageSource gate = new GatedPageSource(slow()).holdAll();
        GuestKernel k = stack.kernel("engine-leaves", 1, 2 * BYTES, gate, PreemptionModel.PREEMPTIBLE,
                WaitPolicy.DECISION_TABLE);
        Task scanner0 = k.launch(new TaskSpec("scanner0", image("scanner"), 1, new TaskSpec.DataMapping(DATA, BYTES, BYTES)));
        Task scanner1 = k.launch(new TaskSpec("scanner1", image("scanner"), 1,
                new TaskSpec.DataMapping(DATA + BYTES, BYTES, BYTES)));
        k.start();
        // both tasks sleep on injected tokens; their fetches are held at the gate
        assertThat(gate.awaitWaiting(2, 30, TimeUnit.SECONDS)).as("both scanners fault").isTrue();

        stack.engineLeaves();   // tokens injected by the engine will never be completed now
        gate.open();
        assertThat(k.awaitTasks(60, TimeUnit.SECONDS)).as(() -> "the tasks were woken (wake-all) and finished: "
                + k.tasks().stream().map(t -> t + " " + t.state()).toList()).isTrue();
        assertThat(k.panicReport()).isNull();
        for (Task t : java.util.List.of(scanner0, scanner1)) {
            assertThat(t.exitCode()).as(t + ": " + t.failure()).isZero();
        }
        assertThat(scanner0.reports()).containsEntry("checksum", scannerChecksum(SEED, DATA, BYTES));
        assertThat(scanner1.reports()).containsEntry("checksum", scannerChecksum(SEED, DATA + BYTES, BYTES));
    }
}
