package org.paravane.vmm.kernel.wait;

/**
 * Wakes one waiting task: it goes back to its run queue, and its blocked system call is resumed to check again. A wake
 * that arrives while the task is still running (between its check and its suspension) is kept; a spurious wake is
 * harmless, since a resumed call always re-checks.
 */
@FunctionalInterface
public interface Waker {
    void wake();
}
