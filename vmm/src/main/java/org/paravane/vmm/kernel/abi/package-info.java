/**
 * The system call interfaces of the guest kernel. A task speaks one {@link org.paravane.vmm.kernel.abi.SyscallAbi},
 * chosen when it is launched; on every SYSCALL the kernel hands the call to it with a narrow view of the task
 * ({@link org.paravane.vmm.kernel.abi.SyscallTask}) and acts on the
 * {@link org.paravane.vmm.kernel.abi.SyscallOutcome}: return a value, yield, exit, or be killed. Each ABI lives in a
 * sub-package of its own ({@code paravane} today); the scheduler and the trap code know none of them.
 */
package org.paravane.vmm.kernel.abi;
