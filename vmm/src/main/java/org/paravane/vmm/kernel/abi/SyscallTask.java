package org.paravane.vmm.kernel.abi;

import org.paravane.vmm.kernel.mm.AddressSpace;

/** The calling task as a {@link SyscallAbi} sees it: what a system call may read and change. */
public interface SyscallTask {

    /** 0 for a kernel task, 3 for a user task. */
    int cpl();

    /** The task's memory; copies through it check what the task itself may access. */
    AddressSpace memory();

    /** Text the task writes to its console. */
    void write(String text);

    /** A line from the kernel about this task (a bad pointer, an unknown call), on the task's console. */
    void kernelMessage(String message);

    /** A named result (a checksum) for the host. */
    void report(String name, long value);

    /** Enters {@code section} once more (they nest). */
    void enter(KernelSection section);

    /** Leaves {@code section} once; false when the task is not in it. */
    boolean leave(KernelSection section);

    /** Nanoseconds since the VM's kernel started. */
    long nanosSinceStart();

    /** The task's id in its VM (its process and thread id). */
    int id();

    /** The task's name as the kernel reports it. */
    String name();

    /** Nanoseconds the task has run on a vCPU so far. */
    long cpuNanos();

    /** The FS base (IA32_FS_BASE, what TLS is addressed through). */
    long fsBase();

    /** Sets the FS base; the task runs with it from its next instruction on. */
    void setFsBase(long base);

    long gsBase();

    void setGsBase(long base);

    /**
     * What wakes this task from a {@link SyscallOutcome.Block}: the same object for the task's whole life, so it can be
     * added to and removed from wait queues.
     */
    org.paravane.vmm.kernel.wait.Waker waker();

    /**
     * The task's page tables lost rights or pages (unmap, mprotect, a move): the vCPU must not keep translations it
     * cached. Adding mappings needs no flush.
     */
    void flushTlb();

    /**
     * execve: the task goes on in {@code space} (a fresh space, {@link AddressSpace#fresh()}, holding the new image),
     * letting go of its old one, with the fresh x87/SSE state and FS and GS bases 0.
     */
    void exec(AddressSpace space);

    /**
     * The kernel's copy for this call needs guest-physical page {@code guestAddress}, which is absent (lazily served
     * memory): a page fault in kernel context (CPL0, a preemptible system call, interrupts on), which waits as the
     * async page fault decision table says. Null when the page is present on return (read synchronously, or waited for
     * with the halt wait): the call goes on. Otherwise the outcome the call answers, a {@link SyscallOutcome.Block}
     * whose {@code retry} runs once the page is ready (the task left its vCPU meanwhile). The default reads the page on
     * the calling thread.
     *
     * @throws org.paravane.api.memory.PageSourceException when the page cannot be had
     */
    default SyscallOutcome awaitPage(long guestAddress, Blocked retry) throws org.paravane.api.memory.PageSourceException {
        long page = guestAddress & -org.paravane.api.memory.GuestMemory.PAGE_SIZE;
        memory().physicalMemory().ensurePresent(page, org.paravane.api.memory.GuestMemory.PAGE_SIZE);
        return null;
    }

    /**
     * Reserves the id of a task this task is about to create with {@link #spawn}, so its ABI can be built knowing it
     * (Linux's tid); an id that is never spawned is simply skipped.
     */
    int newTaskId();

    /**
     * Creates task {@code id} ({@link #newTaskId()}) as {@code spec} says and queues it on the vCPU with the fewest
     * live tasks; it runs at once. Called on this task's vCPU, inside one of its system calls.
     *
     * @return the new task as its ABI sees it
     */
    SyscallTask spawn(int id, NewTask spec);

    /**
     * Ends this task from any thread (another task's exit_group, a fatal signal): at once if it is off its vCPU, or at
     * its vCPU's next exit; a blocked call is cancelled. {@code signal} is the signal that ended it, or 0 when it
     * exited with {@code code}. Later requests than the first change nothing.
     */
    void terminate(int code, int signal, String failure);
}
