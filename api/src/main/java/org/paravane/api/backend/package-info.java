/**
 * Virtualization backends as OSGi services: a backend creates VMs, a VM owns guest memory and vCPUs, a vCPU runs
 * guest code until a {@link org.paravane.api.backend.VcpuExit}. Shaped after rust-vmm's kvm-ioctls: thin typed
 * handles and one exit type, the same for KVM and for the software CPU.
 */
@Export
@Version("1.2.0")
package org.paravane.api.backend;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
