package org.paravane.api.memory;

import java.io.IOException;

/** A page could not be read from its {@link PageSource}; names the guest-physical address and the cause. */
public class PageSourceException extends IOException {
    private static final long serialVersionUID = 1L;
    private final long guestAddress;

    public PageSourceException(long guestAddress, String message, Throwable cause) {
        super("page 0x" + Long.toHexString(guestAddress) + ": " + message, cause);
        this.guestAddress = guestAddress;
    }

    public PageSourceException(long guestAddress, String message) {
        this(guestAddress, message, null);
    }

    /** The guest-physical address of the first page that failed. */
    public long guestAddress() {
        return guestAddress;
    }
}
