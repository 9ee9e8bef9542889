/**
 * The guest kernel's memory management: the allocator of guest-physical pages in the kernel's RAM
 * ({@link org.paravane.vmm.kernel.mm.PhysicalPages}), one page-table tree per task with checked copies to and from
 * task memory ({@link org.paravane.vmm.kernel.mm.AddressSpace}), and the view of whichever VM the kernel runs on now
 * ({@link org.paravane.vmm.kernel.mm.CurrentMemory}), so that nothing here reaches a VM that moved to another backend.
 */
package org.paravane.vmm.kernel.mm;
