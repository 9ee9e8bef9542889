/**
 * What every part of the Linux personality shares: Linux's guest-visible errno numbers and the checked exception
 * that carries one back to the system call layer. The file system view is in {@code linux.fs}, the process memory
 * map in {@code linux.mm}.
 */
package org.paravane.vmm.linux;
