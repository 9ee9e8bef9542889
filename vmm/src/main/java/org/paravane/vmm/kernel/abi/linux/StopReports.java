package org.paravane.vmm.kernel.abi.linux;

import org.paravane.vmm.linux.signal.ProcessSignals;
import org.paravane.vmm.linux.signal.SigAction;
import org.paravane.vmm.linux.signal.SigInfo;
import org.paravane.vmm.linux.signal.Signal;

/**
 * A process's stops and continues as its parent sees them (Linux's do_notify_parent_cldstop and wait's stopped and
 * continued cases): the latest one is kept until a wait with WUNTRACED/WSTOPPED or WCONTINUED takes it, and the parent
 * gets SIGCHLD with CLD_STOPPED or CLD_CONTINUED unless its SIGCHLD action has SA_NOCLDSTOP.
 */
final class StopReports implements ProcessSignals.JobControl {
    /** The wait status of a continued process. */
    static final int CONTINUED_STATUS = 0xffff;

    private enum Pending { NONE, STOPPED, CONTINUED }

    private final LinuxProcess process;
    // under the process table's monitor
    private Pending pending = Pending.NONE;
    private int stopSignal;

    StopReports(LinuxProcess process) {
        this.process = process;
    }

    /** The wait status of a stop by {@code signal}. */
    static int stoppedStatus(int signal) {
        return 0x7f | (signal & 0xff) << 8;
    }

    @Override
    public void stopped(int signal) {
        report(Pending.STOPPED, signal, SigInfo.CLD_STOPPED);
    }

    @Override
    public void continued() {
        report(Pending.CONTINUED, 0, SigInfo.CLD_CONTINUED);
    }

    private void report(Pending what, int signal, int code) {
        LinuxProcess parent;
        synchronized (process.host.processes()) {
            pending = what;
            stopSignal = signal;
            parent = process.parent;
        }
        if (parent == null) {
            return;
        }
        if (!parent.signals.actions().get(Signal.SIGCHLD).has(SigAction.SA_NOCLDSTOP)) {
            int status = what == Pending.STOPPED ? signal : Signal.SIGCONT;
            parent.signals.post(SigInfo.child(process.pid, 0, code, status, 0, 0));
        }
        parent.childEvents.wakeAll();
    }

    /**
     * The wait status of the report a wait asking for {@code stops} and {@code continues} would take (taken unless
     * {@code keep}), or -1 for none. The caller holds the process table's monitor.
     */
    int take(boolean stops, boolean continues, boolean keep) {
        int status = switch (pending) {
            case STOPPED -> stops ? stoppedStatus(stopSignal) : -1;
            case CONTINUED -> continues ? CONTINUED_STATUS : -1;
            case NONE -> -1;
        };
        if (status != -1 && !keep) {
            pending = Pending.NONE;
        }
        return status;
    }
}
