package org.paravane.api.cpu;

/**
 * Control registers, EFER and the APIC base: the registers that select the CPU mode and the paging structure.
 *
 * @param cr2 the last page-fault linear address (or, for an async page fault, the token)
 * @param cr8 the task-priority register
 */
public record ControlRegisters(long cr0, long cr2, long cr3, long cr4, long cr8, long efer, long apicBase) {

    public static final long CR0_PE = 1L, CR0_MP = 1L << 1, CR0_ET = 1L << 4, CR0_NE = 1L << 5, CR0_WP = 1L << 16,
            CR0_AM = 1L << 18, CR0_PG = 1L << 31;
    public static final long CR4_PSE = 1L << 4, CR4_PAE = 1L << 5, CR4_PGE = 1L << 7, CR4_OSFXSR = 1L << 9,
            CR4_OSXMMEXCPT = 1L << 10;
    public static final long EFER_SCE = 1L, EFER_LME = 1L << 8, EFER_LMA = 1L << 10, EFER_NXE = 1L << 11;
    /** Default xAPIC base with the enable and bootstrap-processor bits. */
    public static final long APIC_BASE_DEFAULT = 0xFEE00000L | (1L << 11) | (1L << 8);

    /** The state a 64-bit kernel runs in: protected mode with paging, PAE, long mode active, NX enabled. */
    public static ControlRegisters longMode(long cr3) {
        return new ControlRegisters(CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG, 0, cr3,
                CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT, 0, EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE,
                APIC_BASE_DEFAULT);
    }

    public boolean pagingEnabled() {
        return (cr0 & CR0_PG) != 0;
    }

    public boolean longModeActive() {
        return (efer & EFER_LMA) != 0;
    }

    public ControlRegisters withCr2(long value) {
        return new ControlRegisters(cr0, value, cr3, cr4, cr8, efer, apicBase);
    }

    public ControlRegisters withCr3(long value) {
        return new ControlRegisters(cr0, cr2, value, cr4, cr8, efer, apicBase);
    }
}
