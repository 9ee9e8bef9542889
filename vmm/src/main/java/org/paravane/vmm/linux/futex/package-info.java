/**
 * Linux's futexes: the wait queues user space builds its mutexes, condition variables, barriers and
 * {@code pthread_join} on. {@link org.paravane.vmm.linux.futex.Futex} is the system call (every operation but the
 * priority-inheritance ones), {@link org.paravane.vmm.linux.futex.FutexTable} the VM's waiters by
 * {@link org.paravane.vmm.linux.futex.FutexKey}, {@link org.paravane.vmm.linux.futex.RobustList} what a thread's end
 * does to the robust mutexes it held. A wait is a blocked system call of the kernel ({@code kernel.abi.Blocked})
 * queued on a {@code kernel.wait.WaitQueue} per key; the word is read and compared under the key's bucket lock, so a
 * wake from another vCPU either sees the waiter queued or the waiter sees the changed word.
 */
package org.paravane.vmm.linux.futex;
