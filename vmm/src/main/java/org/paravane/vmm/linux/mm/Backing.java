package org.paravane.vmm.linux.mm;

/** What a mapping's pages hold before the process writes them. */
public sealed interface Backing {
    /** Zero-filled pages. */
    record Anonymous() implements Backing {
    }

    /**
     * Pages read from a file at the mapping's file offset. {@code readable}/{@code writable} are the access mode of
     * the file description it was mapped from (mmap checks them); {@code file} is what the kernel reads pages from.
     */
    record File(MappedFile file, boolean readable, boolean writable) implements Backing {
    }

    Backing ANONYMOUS = new Anonymous();
}
