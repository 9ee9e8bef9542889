package org.paravane.support.x86;

import java.lang.foreign.MemorySegment;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.VcpuState;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSourceException;

/**
 * A minimal long-mode platform in the first 128 KiB of guest memory, for running flat code at CPL 0 or 3 without a
 * guest kernel (backend tests, differential tests, benchmarks): an IDT whose every vector exits through
 * {@link TrapStubs}, a SYSCALL entry that exits too, one GDT, TSS and kernel stack per vCPU, and one address space
 * identity-mapping {@code [0, identityLimit)} writable, executable and user-accessible.
 *
 * <pre>
 * 0x01000 IDT          0x02000 trap stubs (+ SYSCALL entry)   0x04000 GDTs (0x40 per vCPU)
 * 0x05000 TSSs (0x80 per vCPU)   0x08000-0x0FFFF kernel stacks (4 KiB per vCPU, top down)
 * 0x10000-0x1FFFF page-table pool
 * </pre>
 */
public final class FlatPlatform {

    public static final long IDT = 0x1000, STUBS = 0x2000, GDT = 0x4000, TSS = 0x5000, STACKS_TOP = 0x10000,
            PAGE_TABLE_POOL = 0x10000, END = 0x20000;
    public static final int MAX_VCPUS = 8;
    private static final long GDT_STRIDE = 0x40, TSS_STRIDE = 0x80;

    private final PageTables pageTables;

    private FlatPlatform(PageTables pageTables) {
        this.pageTables = pageTables;
    }

    /** Writes the platform into {@code memory}, which must cover {@code [0, identityLimit)}. */
    public static FlatPlatform write(GuestMemory memory, int vcpus, long identityLimit) {
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
            throw new IllegalArgumentException("the flat platform holds 1.." + MAX_VCPUS + " vCPUs, not " + vcpus);
        }
        if (identityLimit < END || identityLimit % 4096 != 0) {
            throw new IllegalArgumentException("identity map must be page aligned and cover the platform (0x"
                    + Long.toHexString(END) + "), got 0x" + Long.toHexString(identityLimit));
        }
        try {
            MemorySegment idt = memory.slice(IDT, Descriptors.IDT_SIZE);
            for (int v = 0; v < 256; v++) {
                // DPL 3: INT n from user code reaches its stub too (int3, into, int $0x80 tests)
                Descriptors.writeInterruptGate(idt, v, TrapStubs.stub(STUBS, v), 3, 0);
            }
            TrapStubs.write(memory.slice(STUBS, TrapStubs.SIZE));
            for (int cpu = 0; cpu < vcpus; cpu++) {
                long tss = TSS + cpu * TSS_STRIDE;
                Descriptors.writeGdt(memory.slice(GDT + cpu * GDT_STRIDE, Descriptors.GDT_SIZE), tss);
                Descriptors.writeTss(memory.slice(tss, Descriptors.TSS_SIZE), kernelStackTop(cpu), 0);
            }
            MemorySegment pool = memory.slice(PAGE_TABLE_POOL, END - PAGE_TABLE_POOL);
            pool.fill((byte) 0);
        } catch (PageSourceException e) {
            throw new IllegalStateException("the platform area must be present memory", e);
        }
        long[] next = {PAGE_TABLE_POOL};
        PageTables tables = new PageTables(memory, () -> {
            if (next[0] >= END) {
                throw new IllegalStateException("flat platform page-table pool exhausted");
            }
            long page = next[0];
            next[0] += 4096;
            return page;
        });
        tables.map(0, 0, identityLimit, PageTables.RW | PageTables.US);
        return new FlatPlatform(tables);
    }

    public static long kernelStackTop(int vcpu) {
        return STACKS_TOP - vcpu * 4096L;
    }

    public PageTables pageTables() {
        return pageTables;
    }

    /**
     * The state of vCPU {@code vcpu} running 64-bit code at {@code cpl} from {@code rip} with stack {@code rsp} and
     * RFLAGS {@code rflags} (IF=1 lets interrupts in). SYSCALL enters the stub entry with IF and TF masked.
     */
    public VcpuState state(int vcpu, int cpl, long rip, long rsp, long rflags) {
        return LongMode.state(cpl, rip, rsp, rflags, pageTables.root(), GDT + vcpu * GDT_STRIDE, IDT,
                TSS + vcpu * TSS_STRIDE, TrapStubs.syscallEntry(STUBS),
                GeneralRegisters.RFLAGS_IF | GeneralRegisters.RFLAGS_TF);
    }

    /** The vector whose trap stub a vCPU exited from (see {@link TrapStubs#vectorAt}), given RIP at the exit. */
    public static int vectorAt(long rip) {
        return TrapStubs.vectorAt(STUBS, rip);
    }
}
