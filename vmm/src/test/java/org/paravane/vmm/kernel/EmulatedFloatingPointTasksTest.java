package org.paravane.vmm.kernel;

/** Floating-point tasks on the software CPU. */
class EmulatedFloatingPointTasksTest extends FloatingPointTasksTest {
    @Override
    GuestStack stack() {
        return GuestStack.emulated();
    }
}
