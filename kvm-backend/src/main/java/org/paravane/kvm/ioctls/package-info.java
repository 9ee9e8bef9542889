/**
 * Thin wrappers over the KVM file descriptors and their ioctls (system, VM, vCPU, the mmap'd {@code kvm_run}), the
 * structures of the KVM headers as FFM memory layouts, and the API's constants: the only place that knows the kernel's
 * binary interface.
 */
package org.paravane.kvm.ioctls;
