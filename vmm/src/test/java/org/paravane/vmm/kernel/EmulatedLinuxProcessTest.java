package org.paravane.vmm.kernel;

/** The Linux personality on the software CPU. */
class EmulatedLinuxProcessTest extends LinuxProcessTest {
    @Override
    GuestStack stack() {
        return GuestStack.emulated();
    }
}
