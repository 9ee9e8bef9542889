package org.paravane.vmm.kernel;

/** Job control of Linux programs on the software CPU. */
class EmulatedLinuxJobControlTest extends LinuxJobControlTest {
    @Override
    GuestStack stack() {
        return GuestStack.emulated();
    }
}
