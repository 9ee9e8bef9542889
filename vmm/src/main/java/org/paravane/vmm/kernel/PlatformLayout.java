package org.paravane.vmm.kernel;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import org.paravane.api.asyncpf.AsyncPfAbi;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.SpecialRegisters;
import org.paravane.api.cpu.VcpuState;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.PageSourceException;
import org.paravane.support.x86.Descriptors;
import org.paravane.support.x86.LongMode;
import org.paravane.support.x86.TrapStubs;

/**
 * The guest-physical layout of the kernel's low 2 MiB, mapped supervisor-only at the same virtual addresses in every
 * address space. Guest CPL0 code is only the trap stubs (every vector and SYSCALL exit to the host at once) and the
 * halt stub; everything else the kernel does in Java.
 *
 * <pre>
 * 0x01000 IDT (IST1; DPL3: #BP, #OF)  0x02000 trap stubs + SYSCALL entry    0x04000 halt stub (sti; hlt; jmp)
 * 0x05000 GDT per vCPU (0x40 each)      0x06000 TSS per vCPU (0x80 each)      0x08000 async-PF area per vCPU (0x40)
 * 0x10000 per vCPU 8 KiB: idle stack (lower half), IST1 exception stack (upper half)
 * 0x200000 and up: kernel RAM (page tables, task images, stacks, info pages)
 * </pre>
 */
final class PlatformLayout {

    static final long IDT = 0x1000, STUBS = 0x2000, HALT_STUB = 0x4000, GDT = 0x5000, TSS = 0x6000,
            APF_AREAS = 0x8000, STACKS = 0x10000, KERNEL_AREA_END = 0x20_0000;
    static final int MAX_VCPUS = 64;
    private static final long GDT_STRIDE = 0x40, TSS_STRIDE = 0x80, STACK_STRIDE = 0x2000;

    /** RFLAGS masked on SYSCALL entry: the stubs run with interrupts and single-step off. */
    static final long SYSCALL_MASK = GeneralRegisters.RFLAGS_IF | GeneralRegisters.RFLAGS_TF | (1L << 10);

    private PlatformLayout() {
    }

    /**
     * Whether user code may raise {@code vector} with INT n: #BP (int3) and #OF, as on Linux, so they are reported as
     * themselves on every CPU. Every other gate is DPL 0: INT n to it from CPL 3 is #GP naming the gate (0x80 too).
     */
    static boolean userGate(int vector) {
        return vector == 3 || vector == 4;
    }

    static void write(GuestMemory memory, int vcpus) {
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
            throw new IllegalArgumentException("the guest kernel supports 1.." + MAX_VCPUS + " vCPUs, not " + vcpus);
        }
        try {
            memory.slice(0, KERNEL_AREA_END).fill((byte) 0);
            MemorySegment idt = memory.slice(IDT, Descriptors.IDT_SIZE);
            for (int v = 0; v < 256; v++) {
                // IST1 for everything: frames land on a known per-vCPU stack whatever the interrupted context.
                Descriptors.writeInterruptGate(idt, v, TrapStubs.stub(STUBS, v), userGate(v) ? 3 : 0, 1);
            }
            TrapStubs.write(memory.slice(STUBS, TrapStubs.SIZE));
            MemorySegment halt = memory.slice(HALT_STUB, 4);
            halt.set(JAVA_BYTE, 0, (byte) 0xFB);   // sti  (its shadow covers the hlt: no wake-up lost in between)
            halt.set(JAVA_BYTE, 1, (byte) 0xF4);   // hlt
            halt.set(JAVA_BYTE, 2, (byte) 0xEB);   // jmp HALT_STUB
            halt.set(JAVA_BYTE, 3, (byte) 0xFC);
            for (int cpu = 0; cpu < vcpus; cpu++) {
                Descriptors.writeGdt(memory.slice(gdt(cpu), Descriptors.GDT_SIZE), tss(cpu));
                Descriptors.writeTss(memory.slice(tss(cpu), Descriptors.TSS_SIZE), istTop(cpu), istTop(cpu));
            }
        } catch (PageSourceException e) {
            throw new IllegalStateException("the kernel area must be present memory", e);
        }
    }

    static long gdt(int vcpu) {
        return GDT + vcpu * GDT_STRIDE;
    }

    static long tss(int vcpu) {
        return TSS + vcpu * TSS_STRIDE;
    }

    static long apfArea(int vcpu) {
        return APF_AREAS + (long) vcpu * AsyncPfAbi.AREA_SIZE;
    }

    static long idleStackTop(int vcpu) {
        return STACKS + vcpu * STACK_STRIDE + STACK_STRIDE / 2;
    }

    static long istTop(int vcpu) {
        return STACKS + (vcpu + 1) * STACK_STRIDE;
    }

    static long syscallEntry() {
        return TrapStubs.syscallEntry(STUBS);
    }

    /** The vCPU state the schedulers start from: CPL0 in the halt stub of the kernel address space {@code cr3}. */
    static VcpuState initialState(int vcpu, long cr3) {
        return LongMode.state(0, HALT_STUB, idleStackTop(vcpu), GeneralRegisters.RFLAGS_RESET, cr3, gdt(vcpu), IDT,
                tss(vcpu), syscallEntry(), SYSCALL_MASK);
    }

    /** Special registers of a context at {@code cpl} in address space {@code cr3} on {@code vcpu}. */
    static SpecialRegisters specialRegisters(int vcpu, int cpl, long cr3) {
        return SpecialRegisters.of(LongMode.state(cpl, 0, 0, GeneralRegisters.RFLAGS_RESET, cr3, gdt(vcpu), IDT, tss(vcpu),
                syscallEntry(), SYSCALL_MASK));
    }

    /** The vector whose stub the vCPU exited from at {@code rip}, 256 for SYSCALL, -1 if none. */
    static int vectorAt(long rip) {
        return TrapStubs.vectorAt(STUBS, rip);
    }
}
