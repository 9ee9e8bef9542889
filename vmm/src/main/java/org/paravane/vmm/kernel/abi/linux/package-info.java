/** The Linux personality: Linux's system call table, process start-up and signals for unmodified static binaries. */
package org.paravane.vmm.kernel.abi.linux;
