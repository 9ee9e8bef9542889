package org.paravane.vmm.kernel;

import org.paravane.api.cpu.SegmentRegisters;
import org.paravane.api.cpu.SpecialRegisters;
import org.paravane.vmm.kernel.abi.KernelSection;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.AddressSpace;

/** A task as its system call ABI sees it: one per task, so the ABI reaches nothing else of the task or the kernel. */
final class CallingTask implements SyscallTask {
    private final Task task;
    private final GuestKernel kernel;

    CallingTask(Task task, GuestKernel kernel) {
        this.task = task;
        this.kernel = kernel;
    }

    @Override
    public int cpl() {
        return task.cpl();
    }

    @Override
    public AddressSpace memory() {
        return task.space;
    }

    @Override
    public void write(String text) {
        task.appendOutput(text);
        kernel.config().console().write(task, text);
    }

    @Override
    public void kernelMessage(String message) {
        write("[kernel] " + task + ": " + message + "\n");
    }

    @Override
    public void report(String name, long value) {
        task.report(name, value);
    }

    @Override
    public void enter(KernelSection section) {
        switch (section) {
            case PREEMPT_DISABLED -> task.preemptCount++;
            case RCU_READ -> task.rcuDepth++;
        }
    }

    @Override
    public boolean leave(KernelSection section) {
        switch (section) {
            case PREEMPT_DISABLED -> {
                if (task.preemptCount == 0) {
                    return false;
                }
                task.preemptCount--;
            }
            case RCU_READ -> {
                if (task.rcuDepth == 0) {
                    return false;
                }
                task.rcuDepth--;
            }
        }
        return true;
    }

    @Override
    public long nanosSinceStart() {
        return kernel.nanosSinceStart();
    }

    @Override
    public int id() {
        return task.id();
    }

    @Override
    public String name() {
        return task.name();
    }

    @Override
    public long cpuNanos() {
        return task.counters.cpuNanos;
    }

    @Override
    public long fsBase() {
        return task.specialRegisters.segments().fs().base();
    }

    @Override
    public void setFsBase(long base) {
        SpecialRegisters s = task.specialRegisters;
        SegmentRegisters g = s.segments();
        task.specialRegisters = new SpecialRegisters(g.withFs(g.fs().withBase(base)), s.control(), s.gdt(), s.idt());
        task.specialChanged = true;
    }

    @Override
    public long gsBase() {
        return task.specialRegisters.segments().gs().base();
    }

    @Override
    public void setGsBase(long base) {
        SpecialRegisters s = task.specialRegisters;
        SegmentRegisters g = s.segments();
        task.specialRegisters = new SpecialRegisters(g.withGs(g.gs().withBase(base)), s.control(), s.gdt(), s.idt());
        task.specialChanged = true;
    }

    @Override
    public org.paravane.vmm.kernel.wait.Waker waker() {
        return task.sleeper;
    }

    @Override
    public org.paravane.vmm.kernel.abi.SyscallOutcome awaitPage(long guestAddress, org.paravane.vmm.kernel.abi.Blocked retry)
            throws org.paravane.api.memory.PageSourceException {
        return kernel.scheduler(task.home()).asyncPf().kernelFault(task, guestAddress, retry);
    }

    @Override
    public void flushTlb() {
        task.specialChanged = true;
    }

    @Override
    public void exec(AddressSpace space) {
        kernel.exec(task, space);
    }

    @Override
    public int newTaskId() {
        return kernel.newTaskId();
    }

    @Override
    public SyscallTask spawn(int id, org.paravane.vmm.kernel.abi.NewTask spec) {
        return kernel.spawn(task, id, spec).syscallView();
    }

    @Override
    public void terminate(int code, int signal, String failure) {
        kernel.requestEnd(task, code, signal, failure);
    }
}
