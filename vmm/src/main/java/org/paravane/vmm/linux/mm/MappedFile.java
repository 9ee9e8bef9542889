package org.paravane.vmm.linux.mm;

/** A file as a mapping needs it: where its pages come from and how {@code /proc/self/maps} names it. */
public interface MappedFile {
    /** The guest path shown in {@code /proc/self/maps}. */
    String path();

    /** Device number (major:minor) shown in {@code /proc/self/maps}. */
    long device();

    long inode();
}
