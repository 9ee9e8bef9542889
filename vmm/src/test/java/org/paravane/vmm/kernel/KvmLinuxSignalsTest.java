package org.paravane.vmm.kernel;

/** Signals of Linux programs on KVM; skipped with the reason where KVM is not usable. */
class KvmLinuxSignalsTest extends LinuxSignalsTest {
    @Override
    GuestStack stack() {
        return GuestStack.kvm();
    }
}
