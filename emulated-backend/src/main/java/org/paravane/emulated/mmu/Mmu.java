package org.paravane.emulated.mmu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.paravane.emulated.mmu.PhysicalMemory.HOST;

import java.lang.invoke.VarHandle;
import java.util.Arrays;
import org.paravane.api.cpu.ControlRegisters;
import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.GuestFault;
import org.paravane.emulated.cpu.Vectors;

/**
 * 4-level paging with 4 KiB and 2 MiB pages, and the TLB that caches its translations.
 *
 * <p>The TLB is direct mapped and split by access kind. The fast arrays ({@link #readTag}/{@link #readAdd},
 * {@link #writeTag}/{@link #writeAdd}) only hold present RAM pages, so an instruction's load or store is a tag
 * compare and a host access; the write array never holds a page with decoded code, so stores to code always reach
 * the invalidation check. A translation cache per access kind sits behind them for MMIO pages, code pages and
 * instruction fetch. Tags carry the privilege ({@link #USER_KEY}), so switching between CPL 0 and 3 flushes nothing.
 * Accessed and dirty bits are set with compare-and-swap, only once an access is allowed (as KVM's walker does).
 */
public final class Mmu {

    public static final int TLB_SIZE = 1024;
    private static final int MASK = TLB_SIZE - 1;
    /** Tag bit of translations made at CPL 3. */
    public static final long USER_KEY = 1L << 62;
    public static final int READ = 0, WRITE = 1, FETCH = 2;
    public static final long PAGE = 4096;

    /** Physical-address width (CPUID 0x80000008): entry bits 51:48 are reserved. */
    public static final int PHYS_BITS = 48;
    static final long P = 1, RW = 1 << 1, US = 1 << 2, A = 1 << 5, D = 1 << 6, PS = 1 << 7;
    static final long NX = 1L << 63;
    static final long ADDRESS = ((1L << PHYS_BITS) - 1) & ~0xFFFL;
    private static final long RESERVED_HIGH = 0x000F_0000_0000_0000L & ~((1L << PHYS_BITS) - 1);
    private static final long LARGE_RESERVED = 0x1F_E000L;

    /** Page-fault error code bits. */
    public static final int PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8, PF_I = 16;

    private static final VarHandle PTE = JAVA_LONG.varHandle();

    public final long[] readTag = new long[TLB_SIZE];
    public final long[] readAdd = new long[TLB_SIZE];
    public final long[] writeTag = new long[TLB_SIZE];
    public final long[] writeAdd = new long[TLB_SIZE];
    private final long[][] cacheTag = new long[3][TLB_SIZE];
    private final long[][] cacheGpa = new long[3][TLB_SIZE];
    /** Some cached translation came from a 2 MiB page (INVLPG then flushes everything). */
    private boolean largeCached;
    /** Bumped by every flush: decoded-block lookups made under an older epoch are stale. */
    private int epoch;

    private final Cpu cpu;
    private final PhysicalMemory memory;
    private final long[] walkHost = new long[4];
    private final long[] walkEntry = new long[4];

    public Mmu(Cpu cpu, PhysicalMemory memory) {
        this.cpu = cpu;
        this.memory = memory;
        flush();
    }

    public PhysicalMemory memory() {
        return memory;
    }

    public int epoch() {
        return epoch;
    }

    // ---- flushes ------------------------------------------------------------------------------------------------

    /** Drops every cached translation (CR3, CR0, CR4 or EFER writes, state changes). */
    public void flush() {
        Arrays.fill(readTag, -1);
        Arrays.fill(writeTag, -1);
        for (long[] t : cacheTag) {
            Arrays.fill(t, -1);
        }
        largeCached = false;
        epoch++;
        cpu.codeEpoch++;
    }

    /** Drops the write fast path only: a page somewhere just got decoded code. */
    public void flushWrites() {
        Arrays.fill(writeTag, -1);
    }

    /** INVLPG: drops the translations of the page holding {@code va} (all of them once 2 MiB pages are cached). */
    public void invalidatePage(long va) {
        if (largeCached) {
            flush();
            return;
        }
        int i = (int) (va >>> 12) & MASK;
        readTag[i] = -1;
        writeTag[i] = -1;
        for (long[] t : cacheTag) {
            t[i] = -1;
        }
        epoch++;
        cpu.codeEpoch++;
    }

    // ---- translation --------------------------------------------------------------------------------------------

    public static boolean canonical(long va) {
        return (va << 16 >> 16) == va;
    }

    /**
     * The guest-physical address of {@code va} for an access of kind {@code access} at the current privilege.
     *
     * @param stack the access references the stack segment (#SS instead of #GP for a non-canonical address)
     */
    public long translate(long va, int access, boolean stack) {
        return translate(va, access, cpu.cpl == 3, stack);
    }

    /** As {@link #translate(long, int, boolean)}, as a user ({@code user}) or supervisor access. */
    public long translate(long va, int access, boolean user, boolean stack) {
        long vpn = va >>> 12;
        long key = vpn | (user ? USER_KEY : 0);
        int i = (int) vpn & MASK;
        if (cacheTag[access][i] == key) {
            return cacheGpa[access][i] | (va & 0xFFF);
        }
        if (!canonical(va)) {
            throw stack ? cpu.raise(Vectors.SS, 0) : cpu.gp(0).nonCanonical();
        }
        if ((cpu.cr0 & ControlRegisters.CR0_PG) == 0) {
            return va;
        }
        long gpa = walk(va, access, user);
        cacheTag[access][i] = key;
        cacheGpa[access][i] = gpa & ~0xFFFL;
        return gpa;
    }

    private long walk(long va, int access, boolean user) {
        boolean write = access == WRITE;
        boolean fetch = access == FETCH;
        boolean nxe = (cpu.efer & ControlRegisters.EFER_NXE) != 0;
        boolean wp = (cpu.cr0 & ControlRegisters.CR0_WP) != 0;
        int baseCode = (write ? PF_W : 0) | (user ? PF_U : 0) | (fetch && nxe ? PF_I : 0);
        long reservedHigh = RESERVED_HIGH | (nxe ? 0 : NX);
        for (;;) {
            long table = cpu.cr3 & ADDRESS;
            boolean rw = true, us = true, nx = false;
            int n = 0;
            long leaf;
            long pageSize;
            for (int level = 4; ; level--) {
                long pteGpa = table + (((va >>> (12 + 9 * (level - 1))) & 0x1FF) << 3);
                long host = pageTableHost(pteGpa);
                long e = HOST.get(JAVA_LONG_UNALIGNED, host);
                if ((e & P) == 0) {
                    throw pageFault(va, baseCode);
                }
                long reserved = reservedHigh;
                boolean large = level == 2 && (e & PS) != 0;
                if (level >= 3) {
                    reserved |= PS;
                } else if (large) {
                    reserved |= LARGE_RESERVED;
                }
                if ((e & reserved) != 0) {
                    throw pageFault(va, baseCode | PF_P | PF_RSVD);
                }
                rw &= (e & RW) != 0;
                us &= (e & US) != 0;
                nx |= nxe && (e & NX) != 0;
                walkHost[n] = host;
                walkEntry[n] = e;
                n++;
                if (level == 1 || large) {
                    leaf = e;
                    pageSize = level == 1 ? 1L << 12 : 1L << 21;
                    break;
                }
                table = e & ADDRESS;
            }
            if ((user && !us) || (write && !rw && (user || wp)) || (fetch && nx)) {
                throw pageFault(va, baseCode | PF_P);
            }
            if (setAccessedDirty(n, write)) {
                if (pageSize != 1L << 12) {
                    largeCached = true;
                }
                return (leaf & ADDRESS & -pageSize) | (va & (pageSize - 1));
            }
            // An entry changed under us (another vCPU): walk again.
        }
    }

    private boolean setAccessedDirty(int n, boolean write) {
        for (int j = 0; j < n; j++) {
            long e = walkEntry[j];
            long want = e | A | (write && j == n - 1 ? D : 0);
            if (want != e && !PTE.compareAndSet(HOST, walkHost[j], e, want)) {
                return false;
            }
        }
        return true;
    }

    private GuestFault pageFault(long va, int errorCode) {
        return cpu.raise(Vectors.PF, errorCode).withAddress(va);
    }

    private long pageTableHost(long gpa) {
        PhysicalMemory.Region r = memory.region(gpa);
        if (r == null) {
            throw cpu.internalError("page-table walk reached guest-physical 0x" + Long.toHexString(gpa)
                    + ", which no memory region backs (CR3=0x" + Long.toHexString(cpu.cr3) + ")");
        }
        if (!r.isPresent(gpa)) {
            throw cpu.absent.set(gpa, false, false);
        }
        return r.hostAddress(gpa);
    }

    // ---- fetch --------------------------------------------------------------------------------------------------

    /** Translates {@code rip} for an instruction fetch at the current privilege. */
    public long translateFetch(long rip) {
        return translate(rip, FETCH, false);
    }

    // ---- slow paths of loads and stores -------------------------------------------------------------------------

    /** A load the TLB could not serve: a miss, a page crossing, MMIO. Zero-extended. */
    public long readSlow(long va, int size, boolean stack) {
        return load(va, size, stack, READ);
    }

    /**
     * The load of a read-modify-write instruction the write TLB could not serve: translated and checked as the store it
     * leads to, as hardware does (a fault reports W=1, a read-only page faults before anything is read).
     */
    public long readForWriteSlow(long va, int size) {
        return load(va, size, false, WRITE);
    }

    private long load(long va, int size, boolean stack, int access) {
        boolean write = access == WRITE;
        int inPage = (int) (PhysicalMemory.PAGE_SIZE - (va & 0xFFF));
        if (inPage >= size) {
            long gpa = translate(va, access, stack);
            if (write) {
                requirePresent(gpa, true);
            }
            return readPhysical(va, gpa, size, true);
        }
        // Crosses a page: translate both halves before touching either.
        long gpa1 = translate(va, access, stack);
        long gpa2 = translate(va + inPage, access, stack);
        requirePresent(gpa1, write);
        requirePresent(gpa2, write);
        long lo = readPhysical(va, gpa1, inPage, false);
        long hi = readPhysical(va + inPage, gpa2, size - inPage, false);
        return lo | (hi << (8 * inPage));
    }

    /** A store the TLB could not serve. Both pages of a crossing store are checked before either is written. */
    public void writeSlow(long va, int size, long value, boolean stack) {
        int inPage = (int) (PhysicalMemory.PAGE_SIZE - (va & 0xFFF));
        if (inPage >= size) {
            long gpa = translate(va, WRITE, stack);
            writePhysical(va, gpa, size, value, true);
            return;
        }
        long gpa1 = translate(va, WRITE, stack);
        long gpa2 = translate(va + inPage, WRITE, stack);
        requirePresent(gpa1, true);
        requirePresent(gpa2, true);
        writePhysical(va, gpa1, inPage, value, false);
        writePhysical(va + inPage, gpa2, size - inPage, value >>> (8 * inPage), false);
    }

    private void requirePresent(long gpa, boolean write) {
        PhysicalMemory.Region r = memory.region(gpa);
        if (r != null && !r.isPresent(gpa)) {
            throw cpu.absent.set(gpa, write, false);
        }
    }

    private long readPhysical(long va, long gpa, int size, boolean fill) {
        PhysicalMemory.Region r = memory.region(gpa);
        if (r == null) {
            return cpu.io.mmioRead(gpa, size);
        }
        if (!r.isPresent(gpa)) {
            throw cpu.absent.set(gpa, false, false);
        }
        long host = r.hostAddress(gpa);
        if (fill) {
            int i = (int) (va >>> 12) & MASK;
            readTag[i] = (va >>> 12) | cpu.tlbKey;
            readAdd[i] = (host & ~0xFFFL) - (va & ~0xFFFL);
        }
        return littleEndian(host, size);
    }

    private void writePhysical(long va, long gpa, int size, long value, boolean fill) {
        PhysicalMemory.Region r = memory.region(gpa);
        if (r == null) {
            cpu.io.mmioWrite(gpa, size, value);
            return;
        }
        if (!r.isPresent(gpa)) {
            throw cpu.absent.set(gpa, true, false);
        }
        int page = r.pageIndex(gpa);
        if (r.hasCode(page)) {
            if (memory.invalidateIfCode(r, page, (int) (gpa & 0xFFF), size, cpu)) {
                cpu.stopBlock = true;
            }
        } else if (fill) {
            int i = (int) (va >>> 12) & MASK;
            writeTag[i] = (va >>> 12) | cpu.tlbKey;
            writeAdd[i] = (r.hostAddress(gpa) & ~0xFFFL) - (va & ~0xFFFL);
        }
        long host = r.hostAddress(gpa);
        for (int k = 0; k < size; k++) {
            HOST.set(JAVA_BYTE, host + k, (byte) (value >>> (8 * k)));
        }
    }

    private static long littleEndian(long host, int size) {
        if (size == 8) {
            return HOST.get(JAVA_LONG_UNALIGNED, host);
        }
        long v = 0;
        for (int k = size - 1; k >= 0; k--) {
            v = (v << 8) | (HOST.get(JAVA_BYTE, host + k) & 0xFF);
        }
        return v;
    }

    /**
     * The host address of a locked read-modify-write operand, checked for a write (present, writable, decoded code
     * invalidated), or -1 when it is MMIO or crosses a page (the caller then takes the exclusive path).
     */
    public long lockedHost(long va, int size) {
        if ((va & 0xFFF) + size > PhysicalMemory.PAGE_SIZE) {
            translate(va, WRITE, false);
            translate(va + size - 1, WRITE, false);
            return -1;
        }
        long gpa = translate(va, WRITE, false);
        PhysicalMemory.Region r = memory.region(gpa);
        if (r == null) {
            return -1;
        }
        if (!r.isPresent(gpa)) {
            throw cpu.absent.set(gpa, true, false);
        }
        int page = r.pageIndex(gpa);
        if (r.hasCode(page) && memory.invalidateIfCode(r, page, (int) (gpa & 0xFFF), size, cpu)) {
            cpu.stopBlock = true;
        }
        return r.hostAddress(gpa);
    }

    /**
     * The host address of {@code va} for a bulk access to the rest of its page (REP MOVS/STOS), checked like an
     * access of kind {@code access}; -1 when the page is MMIO. A written page loses its decoded code.
     */
    public long bulkHost(long va, int access) {
        long gpa = translate(va, access, false);
        PhysicalMemory.Region r = memory.region(gpa);
        if (r == null) {
            return -1;
        }
        if (!r.isPresent(gpa)) {
            throw cpu.absent.set(gpa, access == WRITE, false);
        }
        if (access == WRITE) {
            int page = r.pageIndex(gpa);
            if (r.hasCode(page)) {
                memory.invalidate(r, page, cpu);
                cpu.stopBlock = true;
            }
        }
        return r.hostAddress(gpa);
    }

    // ---- system accesses (descriptor tables, TSS, interrupt frames) ----------------------------------------------

    /** A supervisor-mode load of {@code size} bytes at linear {@code va}, whatever the current privilege. */
    public long readSupervisor(long va, int size) {
        int inPage = (int) (PhysicalMemory.PAGE_SIZE - (va & 0xFFF));
        if (inPage >= size) {
            return readPhysical(va, translate(va, READ, false, false), size, false);
        }
        long gpa1 = translate(va, READ, false, false);
        long gpa2 = translate(va + inPage, READ, false, false);
        requirePresent(gpa1, false);
        requirePresent(gpa2, false);
        return readPhysical(va, gpa1, inPage, false) | (readPhysical(va + inPage, gpa2, size - inPage, false) << (8 * inPage));
    }

    /** A store of an interrupt frame word at the privilege the handler runs at (translation checked beforehand). */
    public void writeAs(long va, int size, long value, boolean user) {
        long gpa = translate(va, WRITE, user, true);
        PhysicalMemory.Region r = memory.region(gpa);
        if (r == null) {
            throw cpu.internalError("interrupt frame at linear 0x" + Long.toHexString(va) + " is guest-physical 0x"
                    + Long.toHexString(gpa) + ", which no memory region backs");
        }
        writePhysical(va, gpa, size, value, false);
    }

    /** A supervisor-mode store (sets a descriptor's busy or accessed bit). */
    public void writeSupervisor(long va, int size, long value) {
        long gpa = translate(va, WRITE, false, false);
        writePhysical(va, gpa, size, value, false);
    }
}
