package org.paravane.vmm.build;

import java.util.ArrayList;
import java.util.List;
import org.paravane.api.memory.MemoryRegion;

/**
 * Where a VM's RAM and data region sit in guest-physical memory, laid out as a PC's is around the 32-bit hole
 * [3 GiB, 4 GiB): the hole holds what no RAM may cover on KVM (the local APIC page at 0xfee00000, the IOAPIC at
 * 0xfec00000, the TSS KVM places below 4 GiB), and the software CPU keeps the same layout so a VM moves between
 * backends as it is.
 *
 * <ul>
 *   <li>"ram": RAM from guest-physical 0, up to {@link #LOW_RAM_LIMIT} (the guest kernel lives at its bottom);</li>
 *   <li>"ram-high": the rest of the RAM from {@link #HIGH_RAM_BASE}, only when the RAM is larger than 3 GiB;</li>
 *   <li>"data": the lazily filled data region, at the first {@link #DATA_ALIGNMENT} boundary at or above both 4 GiB
 *       and the top of RAM (4 GiB for every VM of up to 4 GiB of RAM).</li>
 * </ul>
 *
 * @param regions  the regions in address order
 * @param dataBase guest-physical address of the data region (where it would be when the VM has none)
 */
public record MemoryLayout(List<MemoryRegion> regions, long dataBase) {

    /** End of the RAM below the 32-bit hole. */
    public static final long LOW_RAM_LIMIT = 3L << 30;
    /** Start of the RAM above the 32-bit hole. */
    public static final long HIGH_RAM_BASE = 4L << 30;
    /** The data region starts on such a boundary (a 1 GiB page could map it). */
    public static final long DATA_ALIGNMENT = 1L << 30;
    /** The data region's size is a multiple of this. */
    public static final long DATA_SIZE_ALIGNMENT = 2L << 20;

    public MemoryLayout {
        regions = List.copyOf(regions);
    }

    /**
     * The layout of {@code ramBytes} of RAM and a data region of {@code dataBytes} (0 for none; rounded up to
     * {@link #DATA_SIZE_ALIGNMENT}).
     */
    public static MemoryLayout of(long ramBytes, long dataBytes) {
        if (ramBytes <= 0 || ramBytes % 4096 != 0) {
            throw new IllegalArgumentException("RAM size must be a positive number of pages, got " + ramBytes);
        }
        if (dataBytes < 0) {
            throw new IllegalArgumentException("data region size must not be negative, got " + dataBytes);
        }
        List<MemoryRegion> regions = new ArrayList<>();
        long low = Math.min(ramBytes, LOW_RAM_LIMIT);
        regions.add(new MemoryRegion("ram", 0, low, false));
        long top = low;
        if (ramBytes > low) {
            regions.add(new MemoryRegion("ram-high", HIGH_RAM_BASE, ramBytes - low, false));
            top = HIGH_RAM_BASE + ramBytes - low;
        }
        long dataBase = Math.max(HIGH_RAM_BASE, alignUp(top, DATA_ALIGNMENT));
        if (dataBytes > 0) {
            regions.add(new MemoryRegion("data", dataBase, alignUp(dataBytes, DATA_SIZE_ALIGNMENT), true));
        }
        return new MemoryLayout(regions, dataBase);
    }

    /** The RAM regions (not lazy), in address order. */
    public List<MemoryRegion> ram() {
        return regions.stream().filter(r -> !r.lazy()).toList();
    }

    public long ramBytes() {
        return ram().stream().mapToLong(MemoryRegion::size).sum();
    }

    private static long alignUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
