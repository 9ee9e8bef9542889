package org.paravane.api.cpu;

/** A descriptor-table register (GDTR or IDTR): linear base and byte limit. */
public record DescriptorTable(long base, int limit) {

    public DescriptorTable {
        if ((limit & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("descriptor table limit must fit 16 bits: 0x" + Integer.toHexString(limit));
        }
    }
}
