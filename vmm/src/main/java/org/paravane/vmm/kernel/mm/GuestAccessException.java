package org.paravane.vmm.kernel.mm;

/** A task's memory could not be accessed as asked; the message says which address and why. */
public final class GuestAccessException extends Exception {
    private static final long serialVersionUID = 1L;

    public GuestAccessException(String message) {
        super(message);
    }
}
