/**
 * A Linux process's memory map: which virtual ranges are mapped, with what protection and backing, as Linux's VMA
 * list decides it for mmap, munmap, mprotect, mremap, madvise and brk on x86-64 (47-bit user space), and the
 * {@code /proc/self/maps} text of it. This layer decides what is mapped; every decision is reported as a
 * {@link org.paravane.vmm.linux.mm.MapChange} that the kernel applies to the task's page tables.
 */
package org.paravane.vmm.linux.mm;
