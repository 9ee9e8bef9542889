package org.paravane.vmm.kernel;

/** Job control of Linux programs on KVM; skipped with the reason where KVM is not usable. */
class KvmLinuxJobControlTest extends LinuxJobControlTest {
    @Override
    GuestStack stack() {
        return GuestStack.kvm();
    }
}
