package org.paravane.vmm.kernel;

/** The Linux personality on KVM; skipped with the reason where KVM is not usable. */
class KvmLinuxProcessTest extends LinuxProcessTest {
    @Override
    GuestStack stack() {
        return GuestStack.kvm();
    }
}
