package org.paravane.vmm.kernel;

import java.util.LinkedHashMap;
import java.util.Map;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.SpecialRegisters;
import org.paravane.vmm.kernel.abi.SyscallAbi;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.AddressSpace;

/** A guest task: its address space, its saved context while it is off the vCPU, and what it has produced. */
public final class Task {

    public enum State { RUNNABLE, RUNNING, WAITING, EXITED }

    private final int id;
    private final String name;
    private final int cpl;
    private final int home;
    private final long infoPage;
    /** Replaced whole by execve ({@link CallingTask#replaceMemory}); threads of a process share one. */
    volatile AddressSpace space;
    /** Replaced whole when the task's FS or GS base changes; {@link #specialChanged} tells the vCPU to load it. */
    volatile SpecialRegisters specialRegisters;
    /** The vCPU must load the special registers again (new segment base, or the TLB must be flushed). */
    volatile boolean specialChanged;
    final TaskSleeper sleeper;
    private final SyscallAbi abi;
    private final SyscallTask syscallView;
    private final StringBuilder output = new StringBuilder();
    private final Map<String, Long> reports = new LinkedHashMap<>();

    GeneralRegisters registers;
    /** The system call the task waits in (its registers those of the call), or null. See {@link SystemCalls}. */
    volatile org.paravane.vmm.kernel.abi.Blocked blocked;
    /** The task's x87/SSE state (FXSAVE image) while another task's is in the FPU; null: fresh. See FpuSwitch. */
    byte[] fpu;
    /** Created by a running task (clone), not launched: it leaves the kernel's task list when it exits. */
    boolean spawned;
    int preemptCount;
    int rcuDepth;
    private final TaskRunState runState = new TaskRunState();
    /** Set once by {@link GuestKernel#requestEnd}: the task ends at its next chance instead of running on. */
    volatile End endRequested;
    private final java.util.concurrent.atomic.AtomicBoolean ending = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Integer exitCode;
    private volatile String failure;
    final Counters counters = new Counters();
    final SyscallStats syscalls = new SyscallStats();

    /** How a task asked to end ends: its exit code, the signal that ended it (0 for none), why the kernel did. */
    record End(int code, int signal, String failure) {
    }

    /** True for the one caller that may carry out the task's end; every later one finds it ending already. */
    boolean claimExit() {
        return ending.compareAndSet(false, true);
    }

    /** Per-task event counts. */
    static final class Counters {
        volatile long asyncFaults, scheduleWaits, haltWaits, syncFallbacks, hypercalls, preemptions, runs, cpuNanos;

        /** An async page fault the task waited for as the handler answered (a release falls back to a load). */
        void waited(org.paravane.api.asyncpf.GuestFaultResult.Waited w) {
            asyncFaults++;
            if (w.mode() == org.paravane.api.asyncpf.WaitMode.HALT) {
                haltWaits++;
            } else {
                scheduleWaits++;
            }
            if (w.outcome() == org.paravane.api.asyncpf.WaitOutcome.RELEASED) {
                syncFallbacks++;
            }
        }
    }

    Task(int id, String name, int cpl, int home, SyscallAbi abi, AddressSpace space, SpecialRegisters specialRegisters,
         GeneralRegisters registers, long infoPage, GuestKernel kernel) {
        this.id = id;
        this.name = name;
        this.cpl = cpl;
        this.home = home;
        this.space = space;
        this.specialRegisters = specialRegisters;
        this.registers = registers;
        this.infoPage = infoPage;
        this.abi = abi;
        this.sleeper = new TaskSleeper(this, kernel);
        this.syscallView = new CallingTask(this, kernel);
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** 0 for kernel tasks, 3 for user tasks. */
    public int cpl() {
        return cpl;
    }

    /** The vCPU whose run queue the task belongs to. */
    public int home() {
        return home;
    }

    /** The system call interface the task speaks. */
    public SyscallAbi abi() {
        return abi;
    }

    /** What the task's ABI may see and change of it. */
    SyscallTask syscallView() {
        return syscallView;
    }

    long infoPage() {
        return infoPage;
    }

    public State state() {
        return runState.view();
    }

    /** The scheduling state machine: the only way the state changes. */
    TaskRunState runState() {
        return runState;
    }

    /** Null while running; the exit code, or -1 when the kernel killed the task. */
    public Integer exitCode() {
        return exitCode;
    }

    /** Why the kernel killed the task, or null. */
    public String failure() {
        return failure;
    }

    void exited(int code, String why) {
        failure = why;
        exitCode = code;
        runState.exit();
    }

    public synchronized String output() {
        return output.toString();
    }

    synchronized void appendOutput(String s) {
        output.append(s);
    }

    public synchronized Map<String, Long> reports() {
        return Map.copyOf(reports);
    }

    synchronized void report(String key, long value) {
        reports.put(key, value);
    }

    /** Async "page not present" faults this task took. */
    public long asyncFaults() {
        return counters.asyncFaults;
    }

    /** Of those, how many the task waited for with the schedule wait / the halt wait. */
    public long scheduleWaits() {
        return counters.scheduleWaits;
    }

    public long haltWaits() {
        return counters.haltWaits;
    }

    /** Waits released without a wake (a waiter provider left): the access was retried synchronously. */
    public long syncFallbacks() {
        return counters.syncFallbacks;
    }

    /** Its system calls by number: counts and time. */
    public SyscallStats syscallStats() {
        return syscalls;
    }

    /** Whether a preemption tick may take the vCPU away from this task now. */
    boolean preemptible(org.paravane.api.asyncpf.PreemptionModel model) {
        return cpl == 3 || (model == org.paravane.api.asyncpf.PreemptionModel.PREEMPTIBLE && preemptCount == 0 && rcuDepth == 0);
    }

    @Override
    public String toString() {
        return "task " + id + " (" + name + ")";
    }
}
