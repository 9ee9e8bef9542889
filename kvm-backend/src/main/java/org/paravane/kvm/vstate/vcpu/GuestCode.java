package org.paravane.kvm.vstate.vcpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import org.paravane.support.memory.PagedGuestMemory;

/**
 * Reads guest code bytes at a virtual address through the guest's page tables (4-level, 4 KiB / 2 MiB / 1 GiB pages),
 * without fetching anything: a page that is not present on the host gives -1 (the caller then leaves the exit as is).
 */
final class GuestCode {
    private GuestCode() {
    }

    private static final long P = 1, PS = 1 << 7, ADDRESS = 0x000F_FFFF_FFFF_F000L;

    private static long translate(PagedGuestMemory memory, long cr3, long virt) {
        long table = cr3 & ADDRESS;
        for (int level = 4; level >= 1; level--) {
            long entryGpa = table + ((virt >>> (12 + 9 * (level - 1))) & 0x1FF) * 8;
            PagedGuestMemory.HostRegion h = memory.hostRegion(entryGpa);
            if (h == null || !h.isPresent(entryGpa)) {
                return -1;
            }
            long e = h.host().get(JAVA_LONG_UNALIGNED, entryGpa - h.region().guestAddress());
            if ((e & P) == 0) {
                return -1;
            }
            if (level == 1 || (level <= 3 && (e & PS) != 0)) {
                long pageSize = 1L << (12 + 9 * (level - 1));
                return (e & ADDRESS & -pageSize) | (virt & (pageSize - 1));
            }
            table = e & ADDRESS;
        }
        return -1;
    }

    /**
     * {@code n} bytes from virtual {@code from} (an entry of -1 when not readable without fetching); one page walk per
     * page touched.
     */
    static int[] bytes(PagedGuestMemory memory, long cr3, boolean paging, long from, int n) {
        int[] out = new int[n];
        long page = -1;
        long gpaBase = -1;
        for (int i = 0; i < n; i++) {
            long virt = from + i;
            if ((virt & -4096L) != page) {
                page = virt & -4096L;
                gpaBase = paging ? translate(memory, cr3, page) : page;
            }
            out[i] = -1;
            if (gpaBase >= 0) {
                long gpa = gpaBase + (virt & 4095);
                PagedGuestMemory.HostRegion h = memory.hostRegion(gpa);
                if (h != null && h.isPresent(gpa)) {
                    out[i] = h.host().get(JAVA_BYTE, gpa - h.region().guestAddress()) & 0xFF;
                }
            }
        }
        return out;
    }

    /**
     * Where the single (non-string) {@code out} of {@code size} bytes to {@code port} that ends at {@code end} starts, or
     * -1 when the bytes before {@code end} are no such instruction. Forms: {@code E6 ib} / {@code 66 E7 ib} /
     * {@code E7 ib} (immediate port, 1/2/4 bytes) and {@code EE} / {@code 66 EF} / {@code EF} (port in DX).
     */
    static long outStartingBefore(PagedGuestMemory memory, long cr3, boolean paging, long end, int port, int size) {
        int[] b = bytes(memory, cr3, paging, end - 3, 3);
        int b3 = b[0], b2 = b[1], b1 = b[2];
        return switch (size) {
            case 1 -> b2 == 0xE6 && b1 == port ? end - 2 : b1 == 0xEE ? end - 1 : -1;
            case 2 -> b3 == 0x66 && b2 == 0xE7 && b1 == port ? end - 3 : b2 == 0x66 && b1 == 0xEF ? end - 2 : -1;
            case 4 -> b2 == 0xE7 && b1 == port && b3 != 0x66 ? end - 2 : b1 == 0xEF && b2 != 0x66 ? end - 1 : -1;
            default -> -1;
        };
    }

    /** Whether an {@code out} of {@code size} bytes to {@code port} (forms as above) starts at {@code at}. */
    static boolean outStartsAt(PagedGuestMemory memory, long cr3, boolean paging, long at, int port, int size) {
        int[] b = bytes(memory, cr3, paging, at, 3);
        return switch (size) {
            case 1 -> (b[0] == 0xE6 && b[1] == port) || b[0] == 0xEE;
            case 2 -> b[0] == 0x66 && ((b[1] == 0xE7 && b[2] == port) || b[1] == 0xEF);
            case 4 -> (b[0] == 0xE7 && b[1] == port) || b[0] == 0xEF;
            default -> false;
        };
    }
}
