package org.paravane.kvm.vstate.memory;

/** How the host backs lazy guest memory whose page source is a local file. */
public enum MemoryMode {
    /** Every absent page is served through userfaultfd from the page source. */
    USERFAULTFD,
    /**
     * A lazy region whose source names a local file ({@link org.paravane.api.memory.PageSource#localFile}) is that file
     * mapped private, copy-on-write: the kernel pages it in (~5 µs/page here) with no handler on the fault path. Other
     * lazy regions use userfaultfd.
     */
    FILE_MAPPING
}
