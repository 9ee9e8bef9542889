package org.paravane.emulated.cpu;

/**
 * An access found its guest-physical page absent on the host. Raised before the instruction changed anything, so it
 * is restarted once the page is present (or the guest took an async page fault for it).
 */
public final class HostAbsent extends CpuSignal {
    private static final long serialVersionUID = 1L;

    long guestAddress;
    boolean write;
    boolean fetch;

    public HostAbsent set(long guestAddress, boolean write, boolean fetch) {
        this.guestAddress = guestAddress;
        this.write = write;
        this.fetch = fetch;
        return this;
    }

    public long guestAddress() {
        return guestAddress;
    }

    public boolean write() {
        return write;
    }

    public boolean fetch() {
        return fetch;
    }
}
