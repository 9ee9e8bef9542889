package org.paravane.support.x86;

import java.lang.foreign.MemorySegment;

/**
 * Guest CPL0 code reduced to exits: one stub per IDT vector plus one SYSCALL entry, each an {@code out %al, $port}
 * that exits to the host at once (CPL0 instructions are emulated at microseconds each on PVM hosts). The host tells
 * the vector from RIP at the exit, which still points at the {@code out} (see {@code VcpuExit}); if it resumes a stub
 * without changing RIP, the stub halts.
 *
 * <p>Stub of vector v: {@code base + 16 v}: {@code E6 E9} (out %al, $0xE9), then {@code F4 EB FD} (hlt; jmp back).
 * SYSCALL entry: {@code base + 16 * 256}, the same with port {@link #SYSCALL_PORT}.
 */
public final class TrapStubs {
    private TrapStubs() {
    }

    public static final int TRAP_PORT = 0xE9;
    public static final int SYSCALL_PORT = 0xEA;
    public static final int STUB_SIZE = 16;
    /** Bytes of all stubs: 256 vectors plus the SYSCALL entry. */
    public static final int SIZE = STUB_SIZE * 257;

    /** Writes all stubs at {@code stubs} (guest address {@code base} in the caller's IDT). */
    public static void write(MemorySegment stubs) {
        for (int v = 0; v <= 256; v++) {
            MemorySegment s = stubs.asSlice(v * (long) STUB_SIZE, STUB_SIZE);
            s.fill((byte) 0xCC);
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 0xE6);
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 1, (byte) (v == 256 ? SYSCALL_PORT : TRAP_PORT));
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 2, (byte) 0xF4);
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 3, (byte) 0xEB);
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 4, (byte) 0xFD);
        }
    }

    /** Guest address of the stub of {@code vector}. */
    public static long stub(long base, int vector) {
        return base + (long) vector * STUB_SIZE;
    }

    /** Guest address of the SYSCALL entry (the value for IA32_LSTAR). */
    public static long syscallEntry(long base) {
        return base + 256L * STUB_SIZE;
    }

    /**
     * The vector whose stub exited with RIP {@code rip} (at the stub's {@code out}), 256 for the SYSCALL entry, or -1
     * when RIP is not at a stub's exit instruction.
     */
    public static int vectorAt(long base, long rip) {
        long off = rip - base;
        if (off < 0 || off % STUB_SIZE != 0 || off / STUB_SIZE > 256) {
            return -1;
        }
        return (int) (off / STUB_SIZE);
    }

    /**
     * Whether a #GP or #PF stub exit is a SYSCALL from CPL 3 that the host delivered without switching to CPL 0.
     * PVM hosts do this for guests that are not PVM guests: RIP becomes IA32_LSTAR and RCX/R11 are set as SYSCALL sets
     * them, but the CPL stays 3, so the entry's {@code out} faults with #GP — or, where the entry's page is supervisor-only,
     * fetching the entry faults with #PF. The frame then holds the SYSCALL entry as RIP and a user CS; a guest kernel
     * treats it as the system call (RCX/R11 hold the return RIP and RFLAGS, the frame the task's RSP).
     *
     * @param frameRip the RIP of the #GP frame (after the error code)
     * @param frameCs  the CS of the #GP frame
     */
    public static boolean syscallFromUserTrapped(long base, int vector, long frameRip, long frameCs) {
        return (vector == 13 || vector == 14) && frameRip == syscallEntry(base) && (frameCs & 3) == 3;
    }

    /** Vectors for which the CPU pushes an error code. */
    public static boolean pushesErrorCode(int vector) {
        return switch (vector) {
            case 8, 10, 11, 12, 13, 14, 17, 21, 29, 30 -> true;
            default -> false;
        };
    }
}
