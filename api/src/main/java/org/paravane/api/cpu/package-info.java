/**
 * The complete, backend-neutral architectural state of an x86-64 vCPU: general, segment, control and
 * descriptor-table registers, the model-specific registers a 64-bit guest uses, and pending events.
 *
 * <p>Every type here is an immutable value. A {@link org.paravane.api.cpu.VcpuState} read from one backend can be
 * written to a vCPU of another backend, which is how a running VM moves between KVM and the software CPU.
 */
@Export
@Version("1.1.0")
package org.paravane.api.cpu;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
