/**
 * The Java guest kernel: guest tasks are ELF programs at CPL 3 or CPL 0, and everything a kernel does for them —
 * page tables, the page allocator, run queues and preemption, hypercalls, traps and page faults, the guest side of
 * async page faults — runs in Java, one platform thread per vCPU, with guest CPL0 code reduced to stubs that exit at
 * once.
 */
package org.paravane.vmm.kernel;
