/**
 * The Paravane guest ABI, defined by guests/include/paravane.h: nine hypercalls through SYSCALL (exit, write, yield,
 * time, the kernel tasks' preempt and RCU sections, report), the addresses every task sees and the info page. Every
 * image speaks it today.
 */
package org.paravane.vmm.kernel.abi.paravane;
