package org.paravane.kvm.vstate.vcpu;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.paravane.kvm.ioctls.KvmRun;
import org.paravane.kvm.ioctls.VcpuFd;
import org.paravane.support.linux.Signals;
import org.paravane.support.linux.Syscalls;
import org.paravane.support.linux.Timers;

/**
 * Stops a vCPU's run from another thread, and wakes the run thread where it waits outside the guest.
 *
 * <p>The vCPU thread blocks the kick signal; KVM_SET_SIGNAL_MASK unblocks it only inside KVM_RUN. {@link #kick} sets
 * {@code immediate_exit} and sends the signal to the thread, so a kick or a budget timer that fires just before the
 * guest entry still stops it; the pending signal is taken with sigtimedwait after the exit. The signal's handler is
 * libc's getpid: no Java runs in signal context.
 *
 * <p>Where the run thread waits outside KVM_RUN (an emulated halt, a fault's page still on its way) it waits on
 * {@link #awaitWhile}; a kick, a memory error, the page's arrival and the close each signal it.
 */
final class Kicker {
    private final VcpuHost host;
    private final VcpuFd fd;
    private final KvmRun run;
    private final RunStateMachine states;
    private final MemorySegment signalSet, zeroTimeout;
    private final AtomicBoolean kickPending = new AtomicBoolean();
    private final WakeSignal wakeup = new WakeSignal();

    private volatile Thread runThread;
    private volatile long runPthread;
    private volatile int runTid;
    private Thread boundThread;
    private Timers timer;

    Kicker(VcpuHost host, VcpuFd fd, RunStateMachine states, Arena arena) {
        this.host = host;
        this.fd = fd;
        this.run = fd.kvmRun();
        this.states = states;
        this.signalSet = arena.allocate(Signals.SIGSET);
        Signals.add(signalSet, host.kickSignal());
        this.zeroTimeout = arena.allocate(Signals.TIMESPEC);
    }

    /** The thread in run() now, or the last one. */
    Thread runThread() {
        return runThread;
    }

    /** The kernel id of the thread bound last. */
    int runTid() {
        return runTid;
    }

    /**
     * The run thread: the first run on a thread blocks the kick signal there, lets KVM unblock it inside KVM_RUN and
     * notes the thread ids; a budget needs the thread's timer.
     */
    void bind(Thread t, boolean budget) {
        runThread = t;
        if (t == boundThread) {
            if (budget && timer == null) {
                timer = Timers.signalingThread(runTid, host.kickSignal());
            }
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = arena.allocate(Signals.SIGSET);
            Signals.threadMask(Signals.SIG_BLOCK, signalSet, old);
            Signals.remove(old, host.kickSignal());
            fd.setSignalMask(old.get(JAVA_LONG, 0));
        }
        runPthread = Signals.pthreadSelf();
        runTid = Syscalls.gettid();
        if (timer != null) {
            timer.close();
            timer = null;
        }
        if (budget) {
            timer = Timers.signalingThread(runTid, host.kickSignal());
        }
        boundThread = t;
    }

    void armTimer(long nanos) {
        timer.arm(nanos);
    }

    void disarmTimer() {
        timer.disarm();
    }

    /** Releases the budget timer (timer_delete only fails for an invalid id: nothing to release then). */
    void closeTimer() {
        if (timer != null) {
            try {
                timer.close();
            } catch (RuntimeException e) {
                // nothing to release
            }
            timer = null;
        }
    }

    // ---------------------------------------------------------------- kicks

    void kick() {
        kickPending.set(true);
        signalRunThread();
    }

    /** Takes a pending kick request. */
    boolean takeKick() {
        return kickPending.getAndSet(false);
    }

    boolean kickRequested() {
        return kickPending.get();
    }

    void clearKick() {
        kickPending.set(false);
    }

    /** Clears immediate_exit and takes the kick signal if it is pending; returns it, or 0. */
    int clearExitRequest() {
        run.immediateExit(false);
        return takePendingSignal();
    }

    /** Takes the kick signal if it is pending (sigtimedwait with a zero timeout); returns it, or 0. */
    int takePendingSignal() {
        return Signals.takePending(signalSet, zeroTimeout);
    }

    /** Stops the run in progress: immediate_exit for the next entry, the signal for the current one, the wait's wake. */
    void signalRunThread() {
        // CLOSING still has a thread in run(): closing must get it out of the guest, so only CLOSED is left alone.
        if (states.state() == VcpuRunState.CLOSED) {
            return;
        }
        run.immediateExit(true);
        if (states.state().isRunning()) {
            long pthread = runPthread;
            if (pthread != 0) {
                Signals.kill(pthread, host.kickSignal());
            }
            wake();
        }
    }

    // ---------------------------------------------------------------- waits outside the guest

    /** Wakes the run thread where it waits in {@link #awaitWhile}: call after the change it waits for. */
    void wake() {
        wakeup.wake();
    }

    /** See {@link WakeSignal#awaitWhile}. */
    void awaitWhile(BooleanSupplier condition, long deadline) {
        wakeup.awaitWhile(condition, deadline);
    }
}
