package org.paravane.vmm.kernel;

/** What the vCPU does with its task once an exit has been handled. */
enum Step {
    /** Run the task on (its context is loaded). */
    CONTINUE,
    /** Put the task back at the end of the run queue (its context is saved). */
    PREEMPT,
    /** The task left the vCPU: it exited, was killed, or waits; the kernel panicked. */
    LEAVE
}
