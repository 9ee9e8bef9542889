package org.paravane.vmm.kernel;

import org.junit.jupiter.api.AfterEach;

/**
 * A test class run on each backend: its subclasses pick the stack (the software CPU always, KVM where usable), made
 * for every test and closed after it.
 */
abstract class OnEachBackend {
    final GuestStack stack = stack();

    abstract GuestStack stack();

    @AfterEach
    void close() throws Exception {
        stack.close();
    }
}
