package org.paravane.vmm.kernel;

/** The guest kernel on the software CPU with the Java host-side async-PF engine. */
class EmulatedGuestKernelTest extends GuestKernelTest {
    @Override
    GuestStack stack() {
        return GuestStack.emulated();
    }
}
