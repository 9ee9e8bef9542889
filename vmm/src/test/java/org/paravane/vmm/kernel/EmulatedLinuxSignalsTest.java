package org.paravane.vmm.kernel;

/** Signals of Linux programs on the software CPU. */
class EmulatedLinuxSignalsTest extends LinuxSignalsTest {
    @Override
    GuestStack stack() {
        return GuestStack.emulated();
    }
}
