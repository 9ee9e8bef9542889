package org.paravane.vmm.linux.signal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Posting and taking signals: Linux's send-time decisions and dequeue order. */
class ProcessSignalsTest {
    private final ProcessSignals process = new ProcessSignals();
    private final AtomicInteger notified = new AtomicInteger();
    private final ThreadSignals thread = process.addThread(7, 0, notified::incrementAndGet);

    private static SigInfo kill(int sig) {
        return SigInfo.sent(sig, SigInfo.SI_USER, 1, 0);
    }

    private static SigAction handler() {
        return new SigAction(0x401000, SigAction.SA_RESTORER, 0x402000, 0);
    }

    @Test
    void aStandardSignalIsPendingOnceAndARealTimeOneQueuesEachTime() {
        process.actions().set(Signal.SIGUSR1, handler());
        process.actions().set(40, handler());
        for (int i = 0; i < 3; i++) {
            process.post(kill(Signal.SIGUSR1));
            process.post(kill(40));
        }
        assertThat(thread.take().signo()).isEqualTo(Signal.SIGUSR1);
        assertThat(thread.take().signo()).isEqualTo(40);
        assertThat(thread.take().signo()).isEqualTo(40);
        assertThat(thread.take().signo()).isEqualTo(40);
        assertThat(thread.take()).isNull();
        assertThat(notified.get()).as("the standard signal pending already notifies no one").isEqualTo(4);
    }

    @Test
    void ignoredSignalsAreDroppedUnlessBlockedAndDefaultIgnoredOnesToo() {
        process.actions().set(Signal.SIGTERM, new SigAction(SigAction.SIG_IGN, 0, 0, 0));
        process.post(kill(Signal.SIGTERM));
        process.post(kill(Signal.SIGCHLD));
        assertThat(thread.hasDeliverable()).isFalse();
        thread.setMask(Signal.bit(Signal.SIGTERM));
        process.post(kill(Signal.SIGTERM));
        assertThat(process.shared().set()).as("blocked: the action may change before it is unblocked")
                .isEqualTo(Signal.bit(Signal.SIGTERM));
        assertThat(thread.hasDeliverable()).isFalse();
    }

    @Test
    void synchronousSignalsComeFirstAndTheThreadsOwnBeforeTheProcesss() {
        process.actions().set(Signal.SIGUSR1, handler());
        process.actions().set(Signal.SIGSEGV, handler());
        process.actions().set(Signal.SIGHUP, handler());
        process.post(kill(Signal.SIGHUP));
        thread.post(kill(Signal.SIGUSR1));
        thread.post(SigInfo.fault(Signal.SIGSEGV, SigInfo.SEGV_MAPERR, 0x10));
        assertThat(thread.next()).isEqualTo(Signal.SIGSEGV);
        assertThat(thread.take().address()).isEqualTo(0x10);
        assertThat(thread.take().signo()).isEqualTo(Signal.SIGUSR1);
        assertThat(thread.take().signo()).isEqualTo(Signal.SIGHUP);
    }

    @Test
    void sigkillAndSigstopCannotBeBlockedAndSigkillEndsEvenAStoppedProcess() {
        thread.setMask(-1L);
        assertThat(thread.mask() & Signal.UNBLOCKABLE).isZero();
        process.stop(Signal.SIGSTOP);
        process.post(kill(Signal.SIGKILL));
        assertThat(process.killed()).isTrue();
        assertThat(process.stopped()).isFalse();
        assertThat(thread.take().signo()).isEqualTo(Signal.SIGKILL);
    }

    /** A thread let go by SIGCONT must find its handler pending, or it returns to user mode without running it. */
    @Test
    void aHandledSigcontIsPendingBeforeTheStoppedThreadsAreLetGo() {
        ProcessSignals stoppedProcess = new ProcessSignals();
        Boolean[] pendingWhenLetGo = new Boolean[1];
        ThreadSignals[] t = new ThreadSignals[1];
        t[0] = stoppedProcess.addThread(8, 0, () -> {
            if (!stoppedProcess.stopped() && pendingWhenLetGo[0] == null) {
                pendingWhenLetGo[0] = t[0].hasDeliverable();   // what the thread sees when it first may run
            }
        });
        stoppedProcess.actions().set(Signal.SIGCONT, handler());
        stoppedProcess.stop(Signal.SIGSTOP);
        stoppedProcess.post(kill(Signal.SIGCONT));
        assertThat(stoppedProcess.stopped()).isFalse();
        assertThat(pendingWhenLetGo[0]).isEqualTo(Boolean.TRUE);
    }

    @Test
    void sigcontDropsPendingStopsAndContinuesAndAStopDropsAPendingSigcont() {
        thread.setMask(Signal.bit(Signal.SIGTSTP) | Signal.bit(Signal.SIGCONT));
        process.post(kill(Signal.SIGTSTP));
        process.stop(Signal.SIGSTOP);
        process.post(kill(Signal.SIGCONT));
        assertThat(process.stopped()).isFalse();
        assertThat(process.shared().set()).isEqualTo(Signal.bit(Signal.SIGCONT));
        process.post(kill(Signal.SIGTSTP));
        assertThat(process.shared().set()).isEqualTo(Signal.bit(Signal.SIGTSTP));
    }

    @Test
    void sigsuspendsMaskIsSavedForTheFrameOnceAndOtherwiseComesBack() {
        thread.setMask(Signal.bit(Signal.SIGUSR1));
        thread.suspendWith(0);
        assertThat(thread.mask()).isZero();
        assertThat(thread.takeMaskToSave()).isEqualTo(Signal.bit(Signal.SIGUSR1));
        assertThat(thread.takeMaskToSave()).as("once").isZero();
        thread.setMask(Signal.bit(Signal.SIGUSR2));
        thread.suspendWith(0);
        thread.restoreSavedMask();
        assertThat(thread.mask()).isEqualTo(Signal.bit(Signal.SIGUSR2));
    }

    @Test
    void forkCopiesTheActionsAndExecResetsHandlersButKeepsIgnored() {
        process.actions().set(Signal.SIGUSR1, handler());
        process.actions().set(Signal.SIGUSR2, new SigAction(SigAction.SIG_IGN, SigAction.SA_RESTART, 0, 0));
        ProcessSignals child = process.forkCopy();
        assertThat(child.actions().get(Signal.SIGUSR1)).isEqualTo(handler());
        process.actions().set(Signal.SIGUSR1, SigAction.DEFAULT);
        assertThat(child.actions().get(Signal.SIGUSR1)).as("not shared").isEqualTo(handler());
        child.exec();
        assertThat(child.actions().get(Signal.SIGUSR1)).isEqualTo(SigAction.DEFAULT);
        assertThat(child.actions().get(Signal.SIGUSR2).ignored()).isTrue();
    }

    @Test
    void aForkedThreadInheritsTheMaskAndTheAlternateStackUnlessItSharesTheMemory() {
        thread.setMask(Signal.bit(Signal.SIGUSR1));
        thread.setAltStack(new AltStack(0x1000, 0, 0x8000));
        ProcessSignals child = process.forkCopy();
        ThreadSignals forked = child.addThreadLike(8, thread, false, () -> {
        });
        assertThat(forked.mask()).isEqualTo(Signal.bit(Signal.SIGUSR1));
        assertThat(forked.altStack()).isEqualTo(thread.altStack());
        assertThat(forked.pending().set()).as("nothing pending is inherited").isZero();
        ThreadSignals sibling = process.addThreadLike(9, thread, true, () -> {
        });
        assertThat(sibling.altStack().disabled()).isTrue();
        process.post(kill(Signal.SIGUSR2));
        assertThat(child.shared().set()).as("the fork's own pending set").isZero();
    }
}
