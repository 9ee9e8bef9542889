package org.paravane.vmm.kernel;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.paravane.api.backend.RunBudget;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.SpecialRegisters;
import org.paravane.api.cpu.VcpuState;

/**
 * The scheduler of one vCPU, on its own platform thread: picks the next task of the vCPU's run queue, runs it until
 * its slice ends or it leaves, and with nothing runnable halts in the halt stub, taking "page ready" interrupts. Exits
 * go to the {@link TrapHandler}, system calls on to {@link SystemCalls}, async page faults to {@link GuestAsyncPf}; the
 * scheduler also tracks which context the vCPU holds, so a switch loads only what changed.
 */
final class CpuScheduler implements Runnable {
    private static final Logger LOG = Logger.getLogger(CpuScheduler.class.getName());

    private final GuestKernel kernel;
    private final int index;
    private final SpecialRegisters haltRegisters;
    private final VcpuCounters counters = new VcpuCounters();
    private final TrapHandler traps;
    private final SystemCalls syscalls;
    private final GuestAsyncPf asyncPf;
    private final FpuSwitch fpu;
    private final VcpuTlb tlb;
    private volatile Task current;
    private int vcpuCpl = -1;
    private boolean vcpuTs;
    private long vcpuCr3 = -1;
    /**
     * The special registers last loaded for a task: threads of one process share CPL and CR3 but not their FS base
     * (TLS), so a switch between them must load them too.
     */
    private org.paravane.api.cpu.SpecialRegisters vcpuSpecial;
    private long budgetNanos = -1;

    CpuScheduler(GuestKernel kernel, int index) {
        this.kernel = kernel;
        this.index = index;
        this.haltRegisters = PlatformLayout.specialRegisters(index, 0, kernel.kernelSpace().root());
        this.traps = new TrapHandler(kernel, this);
        this.syscalls = new SystemCalls(kernel, this);
        this.asyncPf = new GuestAsyncPf(kernel, this);
        this.fpu = new FpuSwitch(this, FpuSwitch.policy());
        this.tlb = kernel.shootdowns().of(index);
    }

    @Override
    public void run() {
        try {
            configureVcpu();
            while (!kernel.stopping()) {
                kernel.pausePoint(this);
                asyncPf.sync();
                Task t = kernel.queue(index).poll();
                if (t == null) {
                    idle();
                } else if (t.runState().pick()) {
                    runTask(t);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, "vCPU " + index + " of VM " + kernel.vm().spec().name() + " failed", e);
            kernel.panic("vCPU " + index + " failed: " + e);
        } finally {
            current = null;
        }
    }

    int index() {
        return index;
    }

    Vcpu vcpu() {
        return kernel.vcpu(index);
    }

    /** The task on this vCPU now, or null while it idles or switches. */
    Task current() {
        return current;
    }

    VcpuCounters counters() {
        return counters;
    }

    TrapHandler traps() {
        return traps;
    }

    SystemCalls syscalls() {
        return syscalls;
    }

    GuestAsyncPf asyncPf() {
        return asyncPf;
    }

    FpuSwitch fpu() {
        return fpu;
    }

    void kick() {
        try {
            vcpu().kick();
        } catch (RuntimeException e) {
            // the VM is being replaced or closed; the loop notices through the kernel's flags
        }
    }

    /** After a move to another VM: nothing is known about the new vCPU's registers; its budget must be set again. */
    void vcpuReplaced() {
        vcpuCpl = -1;
        vcpuCr3 = -1;
        vcpuSpecial = null;
        configureVcpu();
    }

    private void configureVcpu() {
        setBudget(kernel.config().timeSliceMicros() * 1000);
    }

    /** The tick of the next run: what is left of the task's slice (a field write on both backends). */
    private void setBudget(long nanos) {
        long n = Math.max(10_000, nanos);
        if (n != budgetNanos) {
            vcpu().setBudget(new RunBudget(0, n));
            budgetNanos = n;
        }
    }

    /**
     * Runs {@code t} until it leaves the vCPU. Its slice is guest time: the tick may fire while a run is blocked in a
     * page fault, and then preempts when the fault completes, as a timer interrupt queued meanwhile would.
     */
    private void runTask(Task t) {
        current = t;
        counters.taskRuns++;
        t.counters.runs++;
        load(t);
        long slice = kernel.config().timeSliceMicros() * 1000;
        long sliceEnd = System.nanoTime() + slice;
        try {
            if (endIfRequested(t)) {
                return;
            }
            if (t.blocked != null) {
                Step resumed = syscalls.resumeBlocked(t);
                if (resumed != Step.CONTINUE) {
                    requeueUnlessLeft(t, resumed);
                    return;
                }
            }
            while (true) {
                if (t.abi().userReturnPending(t.syscallView())) {
                    Step signalled = syscalls.returnToUser(t);
                    if (signalled != Step.CONTINUE) {
                        requeueUnlessLeft(t, signalled);
                        return;
                    }
                }
                setBudget(sliceEnd - System.nanoTime());
                VcpuExit exit = timedRun();
                Step step = traps.taskExit(t, exit);
                if (step == Step.CONTINUE && System.nanoTime() - sliceEnd >= 0) {
                    if (t.preemptible(kernel.config().preemption()) && !kernel.queue(index).isEmpty()
                            && PlatformLayout.vectorAt(vcpu().registers().rip()) < 0 && !exceptionPending()) {
                        t.registers = vcpu().registers();
                        t.counters.preemptions++;
                        step = Step.PREEMPT;
                    } else {
                        sliceEnd = System.nanoTime() + slice;   // nothing else to run, or it may not be preempted now
                    }
                }
                if (step == Step.LEAVE || step == Step.PREEMPT) {
                    requeueUnlessLeft(t, step);
                    return;
                }
                if (endIfRequested(t)) {
                    return;
                }
                if (kernel.stopping() || kernel.pauseRequested()) {
                    t.registers = vcpu().registers();   // the task's own context: no stub exit is pending here
                    if (t.runState().requeue()) {
                        kernel.queue(index).addFirst(t);
                    }
                    return;
                }
            }
        } finally {
            current = null;
        }
    }

    /** Another thread asked {@code t} to end (exit_group, a fatal signal): it ends here instead of running on. */
    private boolean endIfRequested(Task t) {
        Task.End end = t.endRequested;
        if (end == null) {
            return false;
        }
        kernel.exitTask(t, end.code(), end.signal(), end.failure());
        return true;
    }

    /** After a run that ended in {@code step}: a preempted task goes to the back of the queue, one that left does not. */
    private void requeueUnlessLeft(Task t, Step step) {
        if (step == Step.PREEMPT && t.runState().requeue()) {
            kernel.queue(index).add(t);
        }
    }

    /**
     * An exception raised by the running task but not yet delivered (a kick can land between the two): it belongs to
     * this task, so the task keeps the vCPU until the exception's stub exits.
     */
    boolean exceptionPending() {
        return vcpu().state().events().exception() != null;
    }

    private VcpuExit timedRun() {
        long t0 = System.nanoTime();
        VcpuExit exit = enterGuest();
        long ran = System.nanoTime() - t0;
        counters.busyNanos += ran;
        Task t = current;
        if (t != null) {
            t.counters.cpuNanos += ran;
        }
        counters.exits++;
        return exit;
    }

    /** Nothing to run: halt in the halt stub, taking "page ready" interrupts, until a task is queued here. */
    private void idle() {
        long t0 = System.nanoTime();
        try {
            while (kernel.queue(index).isEmpty() && !kernel.stopping() && !kernel.pauseRequested()) {
                halt();
            }
        } finally {
            counters.idleNanos += System.nanoTime() - t0;
        }
    }

    /** Runs the halt stub ({@code sti; hlt}) until its next exit and handles that: an interrupt or a kick. */
    void halt() {
        loadHaltStub();
        traps.haltExit(enterGuest());
    }

    /**
     * Runs guest code until the next exit, first dropping the vCPU's translations when a shootdown asked for it (a
     * reload of its special registers as they are: the CR3 load flushes, in whatever context the vCPU is).
     */
    private VcpuExit enterGuest() {
        Vcpu v = vcpu();
        if (tlb.enter(vcpuCr3)) {
            v.setSpecialRegisters(v.specialRegisters());
        }
        try {
            return v.run();
        } finally {
            tlb.leave();
        }
    }

    private void loadHaltStub() {
        setBudget(kernel.config().timeSliceMicros() * 1000);
        Vcpu v = vcpu();
        // The last task's address space may be released (it exited) and its table pages reused: halt in the kernel's.
        if (vcpuCpl != 0 || vcpuCr3 != haltRegisters.control().cr3()) {
            v.setSpecialRegisters(haltRegisters);
            vcpuSpecial = null;
            vcpuCpl = 0;
            vcpuTs = false;
            vcpuCr3 = haltRegisters.control().cr3();
        }
        v.setRegisters(GeneralRegisters.ZERO.with(GeneralRegisters.RSP, PlatformLayout.idleStackTop(index))
                .withRip(PlatformLayout.HALT_STUB));
    }

    /** The vCPU exited from a trap stub: it runs at CPL0 now, whatever the interrupted task's level. */
    void enteredStub() {
        vcpuCpl = 0;
    }

    /**
     * Switches the vCPU to {@code t}'s context, changing privilege level, address space or CR0.TS only when needed; its
     * FP state follows as {@link FpuSwitch} decides.
     */
    void load(Task t) {
        Vcpu v = vcpu();
        boolean ts = fpu.enter(t);
        if (vcpuCpl != t.cpl() || vcpuCr3 != t.space.root() || vcpuTs != ts || t.specialChanged
                || vcpuSpecial != t.specialRegisters) {
            t.specialChanged = false;
            vcpuSpecial = t.specialRegisters;
            v.setSpecialRegisters(ts ? FpuSwitch.withTaskSwitched(t.specialRegisters) : t.specialRegisters);
            vcpuCpl = t.cpl();
            vcpuCr3 = t.space.root();
            vcpuTs = ts;
        }
        v.setRegisters(t.registers);
    }

    GuestVcpuStats stats() {
        return counters.snapshot(index);
    }
}
