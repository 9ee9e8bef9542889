/**
 * Saving and restoring VMs: a {@link org.paravane.vmm.persist.MachineImage} holds a stopped VM's vCPU states and present
 * pages in memory and restores them on any backend (how VMs move and park); a
 * {@link org.paravane.vmm.persist.Snapshot} writes a running VM's memory to a file, from which the {@code snapshot:}
 * page source restores a new VM's data region lazily.
 */
package org.paravane.vmm.persist;
