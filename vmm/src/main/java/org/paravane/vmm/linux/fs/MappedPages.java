package org.paravane.vmm.linux.fs;

/**
 * The pages a file's shared mappings map (one set for every mapper, in guest memory), as an in-memory file keeps
 * them coherent with its bytes: a read or a snapshot first takes what the processes wrote through their mappings, a
 * write or truncate puts the new bytes into the pages, so read()/write() and the mappings see the same bytes.
 */
public interface MappedPages {

    /** Copies the mapped pages' bytes of the file's range {@code [position, position + length)} into {@code data}, up to {@code size}. */
    void copyInto(long position, long length, byte[] data, long size);

    /** The file's bytes {@code [position, position + length)} changed: the mapped pages take them (zeros past {@code size}). */
    void copyFrom(long position, long length, byte[] data, long size);
}
