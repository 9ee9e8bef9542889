package org.paravane.vmm.linux.fs;

/**
 * A copy the kernel makes for a system call needs a guest-physical page that is not present yet (lazily served
 * memory, e.g. a {@link ServedFile}); thrown before any byte moved, so the call can be carried out again once the page
 * is in. The kernel treats it as a page fault in kernel context: the calling task waits as the async page fault
 * decision table says, never the vCPU thread for the page source.
 */
public final class PagesAbsentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long guestAddress;

    public PagesAbsentException(long guestAddress, String what) {
        super(what + " is not present yet", null, false, false);
        this.guestAddress = guestAddress;
    }

    /** The absent page's guest-physical address. */
    public long guestAddress() {
        return guestAddress;
    }
}
