/**
 * How a task waits for an event that another task, a timer or the host causes: a {@link
 * org.paravane.vmm.kernel.wait.Waker} wakes one waiting task, a {@link org.paravane.vmm.kernel.wait.WaitQueue} holds
 * the wakers interested in one object (a pipe, a futex word, a child's exit). The discipline is the schedule wait's:
 * a waiter arms first (joins the queue), then checks its condition, and only then leaves its vCPU, so a wake between
 * the check and the suspension is kept and never lost.
 */
package org.paravane.vmm.kernel.wait;
