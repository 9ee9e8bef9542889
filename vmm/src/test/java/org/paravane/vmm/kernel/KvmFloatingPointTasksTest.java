package org.paravane.vmm.kernel;

/** Floating-point tasks on KVM; skipped with a reason without /dev/kvm. */
class KvmFloatingPointTasksTest extends FloatingPointTasksTest {
    @Override
    GuestStack stack() {
        return GuestStack.kvm();
    }
}
