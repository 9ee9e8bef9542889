package org.paravane.kvm.ioctls;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/**
 * The mmap'd {@code struct kvm_run} of one vCPU: the exit reason and per-exit data the kernel writes on every return
 * from KVM_RUN, {@code immediate_exit}, and the sync-regs area through which registers move without ioctls. The
 * mapping is larger than the struct: port I/O data lives at {@code io.data_offset} (the next page).
 */
public final class KvmRun {
    private static long off(String path) {
        return KvmLayouts.offset(KvmLayouts.KVM_RUN, path);
    }

    static final long REQUEST_INTERRUPT_WINDOW = off("request_interrupt_window"),
            READY_FOR_INJECTION = off("ready_for_interrupt_injection"), IMMEDIATE_EXIT = off("immediate_exit"), EXIT_REASON = off("exit_reason"), IF_FLAG = off("if_flag"),
            VALID_REGS = off("kvm_valid_regs"), DIRTY_REGS = off("kvm_dirty_regs"),
            HW_REASON = off("hw.hardware_exit_reason"),
            FAIL_REASON = off("fail_entry.hardware_entry_failure_reason"), FAIL_CPU = off("fail_entry.cpu"),
            EX_EXCEPTION = off("ex.exception"), EX_ERROR_CODE = off("ex.error_code"),
            IO_DIRECTION = off("io.direction"), IO_SIZE = off("io.size"), IO_PORT = off("io.port"), IO_COUNT = off("io.count"),
            IO_DATA_OFFSET = off("io.data_offset"),
            DEBUG_EXCEPTION = off("debug.arch.exception"), DEBUG_PC = off("debug.arch.pc"), DEBUG_DR6 = off("debug.arch.dr6"),
            DEBUG_DR7 = off("debug.arch.dr7"),
            MMIO_PHYS_ADDR = off("mmio.phys_addr"), MMIO_DATA = off("mmio.data"), MMIO_LEN = off("mmio.len"),
            MMIO_IS_WRITE = off("mmio.is_write"),
            INTERNAL_SUBERROR = off("internal.suberror"), INTERNAL_NDATA = off("internal.ndata"), INTERNAL_DATA = off("internal.data"),
            SYSTEM_TYPE = off("system_event.type"), SYSTEM_NDATA = off("system_event.ndata"), SYSTEM_DATA = off("system_event.data"),
            MEMORY_FAULT_FLAGS = off("memory_fault.flags"), MEMORY_FAULT_GPA = off("memory_fault.gpa"),
            MEMORY_FAULT_SIZE = off("memory_fault.size"),
            SYNC_REGS = off("s.regs.regs"), SYNC_SREGS = off("s.regs.sregs"), SYNC_EVENTS = off("s.regs.events");

    private final MemorySegment page;
    private final MemorySegment syncRegs;
    private final MemorySegment syncSregs;
    private final MemorySegment syncEvents;

    KvmRun(MemorySegment page) {
        this.page = page;
        this.syncRegs = page.asSlice(SYNC_REGS, KvmLayouts.KVM_REGS.byteSize());
        this.syncSregs = page.asSlice(SYNC_SREGS, KvmLayouts.KVM_SREGS.byteSize());
        this.syncEvents = page.asSlice(SYNC_EVENTS, KvmLayouts.KVM_VCPU_EVENTS.byteSize());
    }

    /** The whole mapping. */
    public MemorySegment page() {
        return page;
    }

    public int exitReason() {
        return page.get(JAVA_INT, EXIT_REASON);
    }

    public void immediateExit(boolean on) {
        page.set(JAVA_BYTE, IMMEDIATE_EXIT, on ? (byte) 1 : 0);
    }

    public boolean immediateExit() {
        return page.get(JAVA_BYTE, IMMEDIATE_EXIT) != 0;
    }

    /** Asks KVM to exit with KVM_EXIT_IRQ_WINDOW_OPEN as soon as the guest can take an external interrupt. */
    public void requestInterruptWindow(boolean on) {
        page.set(JAVA_BYTE, REQUEST_INTERRUPT_WINDOW, on ? (byte) 1 : 0);
    }

    /** The guest can take an injected interrupt now (IF=1, no interrupt shadow); userspace irqchip only. */
    public boolean readyForInterruptInjection() {
        return page.get(JAVA_BYTE, READY_FOR_INJECTION) != 0;
    }

    /** RFLAGS.IF at the exit, as KVM reports it in {@code if_flag}. */
    public boolean interruptFlag() {
        return page.get(JAVA_BYTE, IF_FLAG) != 0;
    }

    public void validRegs(long mask) {
        page.set(JAVA_LONG, VALID_REGS, mask);
    }

    public long dirtyRegs() {
        return page.get(JAVA_LONG, DIRTY_REGS);
    }

    public void markDirty(long mask) {
        page.set(JAVA_LONG, DIRTY_REGS, page.get(JAVA_LONG, DIRTY_REGS) | mask);
    }

    /** {@code s.regs.regs}: a {@code struct kvm_regs}. */
    public MemorySegment syncRegs() {
        return syncRegs;
    }

    /** {@code s.regs.sregs}: a {@code struct kvm_sregs}. */
    public MemorySegment syncSregs() {
        return syncSregs;
    }

    /** {@code s.regs.events}: a {@code struct kvm_vcpu_events}. */
    public MemorySegment syncEvents() {
        return syncEvents;
    }

    // KVM_EXIT_IO
    public boolean ioIn() {
        return page.get(JAVA_BYTE, IO_DIRECTION) == 0;   // KVM_EXIT_IO_IN = 0, OUT = 1
    }

    public int ioSize() {
        return page.get(JAVA_BYTE, IO_SIZE) & 0xFF;
    }

    public int ioPort() {
        return page.get(JAVA_SHORT, IO_PORT) & 0xFFFF;
    }

    public int ioCount() {
        return page.get(JAVA_INT, IO_COUNT);
    }

    /** The data of a port I/O exit, inside the mapping: {@code count} transfers of {@code size} bytes. */
    public MemorySegment ioData() {
        long offset = page.get(JAVA_LONG, IO_DATA_OFFSET);
        return page.asSlice(offset, (long) ioSize() * ioCount());
    }

    // KVM_EXIT_MMIO
    public long mmioAddress() {
        return page.get(JAVA_LONG, MMIO_PHYS_ADDR);
    }

    public int mmioLength() {
        return page.get(JAVA_INT, MMIO_LEN);
    }

    public boolean mmioWrite() {
        return page.get(JAVA_BYTE, MMIO_IS_WRITE) != 0;
    }

    public MemorySegment mmioData() {
        return page.asSlice(MMIO_DATA, Math.min(8, Math.max(0, mmioLength())));
    }

    // KVM_EXIT_FAIL_ENTRY, KVM_EXIT_UNKNOWN, KVM_EXIT_EXCEPTION
    public long failEntryReason() {
        return page.get(JAVA_LONG, FAIL_REASON);
    }

    public int failEntryCpu() {
        return page.get(JAVA_INT, FAIL_CPU);
    }

    public long hardwareExitReason() {
        return page.get(JAVA_LONG, HW_REASON);
    }

    public int exceptionVector() {
        return page.get(JAVA_INT, EX_EXCEPTION);
    }

    public int exceptionErrorCode() {
        return page.get(JAVA_INT, EX_ERROR_CODE);
    }

    // KVM_EXIT_DEBUG
    public int debugException() {
        return page.get(JAVA_INT, DEBUG_EXCEPTION);
    }

    public long debugPc() {
        return page.get(JAVA_LONG, DEBUG_PC);
    }

    public long debugDr6() {
        return page.get(JAVA_LONG, DEBUG_DR6);
    }

    public long debugDr7() {
        return page.get(JAVA_LONG, DEBUG_DR7);
    }

    // KVM_EXIT_INTERNAL_ERROR
    public int internalSuberror() {
        return page.get(JAVA_INT, INTERNAL_SUBERROR);
    }

    public long[] internalData() {
        int n = Math.min(16, Math.max(0, page.get(JAVA_INT, INTERNAL_NDATA)));
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = page.get(JAVA_LONG, INTERNAL_DATA + 8L * i);
        }
        return out;
    }

    // KVM_EXIT_SYSTEM_EVENT
    public int systemEventType() {
        return page.get(JAVA_INT, SYSTEM_TYPE);
    }

    public long[] systemEventData() {
        int n = Math.min(16, Math.max(0, page.get(JAVA_INT, SYSTEM_NDATA)));
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = page.get(JAVA_LONG, SYSTEM_DATA + 8L * i);
        }
        return out;
    }

    // KVM_EXIT_MEMORY_FAULT
    public long memoryFaultAddress() {
        return page.get(JAVA_LONG, MEMORY_FAULT_GPA);
    }

    public long memoryFaultFlags() {
        return page.get(JAVA_LONG, MEMORY_FAULT_FLAGS);
    }

    public long memoryFaultSize() {
        return page.get(JAVA_LONG, MEMORY_FAULT_SIZE);
    }
}
