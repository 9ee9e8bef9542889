package org.paravane.vmm.kernel;

/** The guest kernel on KVM with the kernel's paravirtual async page faults; skipped with a reason without /dev/kvm. */
class KvmGuestKernelTest extends GuestKernelTest {
    @Override
    GuestStack stack() {
        return GuestStack.kvm();
    }
}
