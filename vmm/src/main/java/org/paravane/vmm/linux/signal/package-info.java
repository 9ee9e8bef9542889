/**
 * Linux signals, the parts that need no kernel: signal numbers and default actions ({@link
 * org.paravane.vmm.linux.signal.Signal}), sets, actions ({@link org.paravane.vmm.linux.signal.SigAction}) and their
 * table, siginfo, pending sets, the alternate stack, the x86-64 {@code rt_sigframe} ({@link
 * org.paravane.vmm.linux.signal.SignalFrame}), a process's and a thread's signal state ({@link
 * org.paravane.vmm.linux.signal.ProcessSignals}, {@link org.paravane.vmm.linux.signal.ThreadSignals}) and interval
 * timers. The system calls and the delivery at the return to user mode are in {@code kernel.abi.linux}.
 */
package org.paravane.vmm.linux.signal;
