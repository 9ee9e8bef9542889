package org.paravane.api.memory;

import java.util.Objects;

/**
 * A contiguous range of guest-physical memory.
 *
 * @param name         what the range holds, for messages ("ram", "data")
 * @param guestAddress first guest-physical byte, page aligned
 * @param size         bytes, a positive multiple of the page size
 * @param lazy         pages start absent on the host and are fetched from the VM's {@link PageSource} when first
 *                     touched; when false the range starts present and zero-filled
 */
public record MemoryRegion(String name, long guestAddress, long size, boolean lazy) {

    public MemoryRegion {
        Objects.requireNonNull(name, "name");
        if (guestAddress < 0 || guestAddress % GuestMemory.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("memory region '" + name + "': guest address 0x"
                    + Long.toHexString(guestAddress) + " is not a non-negative multiple of " + GuestMemory.PAGE_SIZE);
        }
        if (size <= 0 || size % GuestMemory.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("memory region '" + name + "': size " + size
                    + " is not a positive multiple of " + GuestMemory.PAGE_SIZE);
        }
        if (guestAddress + size < guestAddress) {
            throw new IllegalArgumentException("memory region '" + name + "' wraps the address space");
        }
    }

    public long end() {
        return guestAddress + size;
    }

    public boolean contains(long gpa) {
        return gpa >= guestAddress && gpa < end();
    }

    public boolean overlaps(MemoryRegion other) {
        return guestAddress < other.end() && other.guestAddress < end();
    }
}
