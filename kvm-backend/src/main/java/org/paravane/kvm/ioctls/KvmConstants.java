package org.paravane.kvm.ioctls;

/** Capability numbers, exit reasons and flag values of the KVM API. */
public final class KvmConstants {
    private KvmConstants() {
    }

    public static final int KVM_API_VERSION = 12;

    // capabilities (KVM_CHECK_EXTENSION)
    public static final int CAP_IRQCHIP = 0, CAP_USER_MEMORY = 3, CAP_SET_TSS_ADDR = 4, CAP_EXT_CPUID = 7,
            CAP_NR_VCPUS = 9, CAP_NR_MEMSLOTS = 10, CAP_MP_STATE = 14, CAP_SET_GUEST_DEBUG = 23, CAP_ASYNC_PF = 59,
            CAP_MAX_VCPUS = 66, CAP_SYNC_REGS = 74, CAP_IMMEDIATE_EXIT = 136, CAP_X86_DISABLE_EXITS = 143,
            CAP_ASYNC_PF_INT = 183, CAP_GUEST_DEBUG_HW_BPS = 119, CAP_SET_GUEST_DEBUG2 = 195;

    public static String capabilityName(int cap) {
        return switch (cap) {
            case CAP_IRQCHIP -> "KVM_CAP_IRQCHIP";
            case CAP_USER_MEMORY -> "KVM_CAP_USER_MEMORY";
            case CAP_EXT_CPUID -> "KVM_CAP_EXT_CPUID";
            case CAP_NR_VCPUS -> "KVM_CAP_NR_VCPUS";
            case CAP_NR_MEMSLOTS -> "KVM_CAP_NR_MEMSLOTS";
            case CAP_MP_STATE -> "KVM_CAP_MP_STATE";
            case CAP_SET_GUEST_DEBUG -> "KVM_CAP_SET_GUEST_DEBUG";
            case CAP_ASYNC_PF -> "KVM_CAP_ASYNC_PF";
            case CAP_MAX_VCPUS -> "KVM_CAP_MAX_VCPUS";
            case CAP_SYNC_REGS -> "KVM_CAP_SYNC_REGS";
            case CAP_IMMEDIATE_EXIT -> "KVM_CAP_IMMEDIATE_EXIT";
            case CAP_X86_DISABLE_EXITS -> "KVM_CAP_X86_DISABLE_EXITS";
            case CAP_ASYNC_PF_INT -> "KVM_CAP_ASYNC_PF_INT";
            case CAP_SET_GUEST_DEBUG2 -> "KVM_CAP_SET_GUEST_DEBUG2";
            default -> "capability " + cap;
        };
    }

    // sync regs (kvm_run.kvm_valid_regs / kvm_dirty_regs)
    public static final long SYNC_REGS = 1, SYNC_SREGS = 2, SYNC_EVENTS = 4;
    public static final long SYNC_ALL = SYNC_REGS | SYNC_SREGS | SYNC_EVENTS;

    // exit reasons
    public static final int EXIT_UNKNOWN = 0, EXIT_EXCEPTION = 1, EXIT_IO = 2, EXIT_HYPERCALL = 3, EXIT_DEBUG = 4,
            EXIT_HLT = 5, EXIT_MMIO = 6, EXIT_IRQ_WINDOW_OPEN = 7, EXIT_SHUTDOWN = 8, EXIT_FAIL_ENTRY = 9, EXIT_INTR = 10,
            EXIT_SET_TPR = 11, EXIT_TPR_ACCESS = 12, EXIT_NMI = 16, EXIT_INTERNAL_ERROR = 17, EXIT_OSI = 18,
            EXIT_PAPR_HCALL = 19, EXIT_WATCHDOG = 21, EXIT_EPR = 23, EXIT_SYSTEM_EVENT = 24, EXIT_IOAPIC_EOI = 26,
            EXIT_HYPERV = 27, EXIT_X86_RDMSR = 29, EXIT_X86_WRMSR = 30, EXIT_DIRTY_RING_FULL = 31, EXIT_AP_RESET_HOLD = 32,
            EXIT_X86_BUS_LOCK = 33, EXIT_XEN = 34, EXIT_NOTIFY = 37, EXIT_LOONGARCH_IOCSR = 38, EXIT_MEMORY_FAULT = 39;

    public static String exitName(int reason) {
        return switch (reason) {
            case EXIT_UNKNOWN -> "KVM_EXIT_UNKNOWN";
            case EXIT_EXCEPTION -> "KVM_EXIT_EXCEPTION";
            case EXIT_IO -> "KVM_EXIT_IO";
            case EXIT_HYPERCALL -> "KVM_EXIT_HYPERCALL";
            case EXIT_DEBUG -> "KVM_EXIT_DEBUG";
            case EXIT_HLT -> "KVM_EXIT_HLT";
            case EXIT_MMIO -> "KVM_EXIT_MMIO";
            case EXIT_IRQ_WINDOW_OPEN -> "KVM_EXIT_IRQ_WINDOW_OPEN";
            case EXIT_SHUTDOWN -> "KVM_EXIT_SHUTDOWN";
            case EXIT_FAIL_ENTRY -> "KVM_EXIT_FAIL_ENTRY";
            case EXIT_INTR -> "KVM_EXIT_INTR";
            case EXIT_SET_TPR -> "KVM_EXIT_SET_TPR";
            case EXIT_TPR_ACCESS -> "KVM_EXIT_TPR_ACCESS";
            case EXIT_NMI -> "KVM_EXIT_NMI";
            case EXIT_INTERNAL_ERROR -> "KVM_EXIT_INTERNAL_ERROR";
            case EXIT_SYSTEM_EVENT -> "KVM_EXIT_SYSTEM_EVENT";
            case EXIT_IOAPIC_EOI -> "KVM_EXIT_IOAPIC_EOI";
            case EXIT_HYPERV -> "KVM_EXIT_HYPERV";
            case EXIT_X86_RDMSR -> "KVM_EXIT_X86_RDMSR";
            case EXIT_X86_WRMSR -> "KVM_EXIT_X86_WRMSR";
            case EXIT_DIRTY_RING_FULL -> "KVM_EXIT_DIRTY_RING_FULL";
            case EXIT_X86_BUS_LOCK -> "KVM_EXIT_X86_BUS_LOCK";
            case EXIT_XEN -> "KVM_EXIT_XEN";
            case EXIT_NOTIFY -> "KVM_EXIT_NOTIFY";
            case EXIT_MEMORY_FAULT -> "KVM_EXIT_MEMORY_FAULT";
            default -> "KVM exit " + reason;
        };
    }

    // KVM_EXIT_INTERNAL_ERROR suberrors
    public static String internalErrorName(int suberror) {
        return switch (suberror) {
            case 1 -> "EMULATION (the instruction emulator failed)";
            case 2 -> "SIMUL_EX (exception while delivering an exception)";
            case 3 -> "DELIVERY_EV (event delivery failed)";
            case 4 -> "UNEXPECTED_EXIT_REASON";
            default -> "suberror " + suberror;
        };
    }

    // KVM_EXIT_SYSTEM_EVENT types
    public static final int SYSTEM_EVENT_SHUTDOWN = 1, SYSTEM_EVENT_RESET = 2, SYSTEM_EVENT_CRASH = 3,
            SYSTEM_EVENT_WAKEUP = 4, SYSTEM_EVENT_SUSPEND = 5, SYSTEM_EVENT_SEV_TERM = 6;

    // mp_state
    public static final int MP_STATE_RUNNABLE = 0, MP_STATE_UNINITIALIZED = 1, MP_STATE_INIT_RECEIVED = 2,
            MP_STATE_HALTED = 3, MP_STATE_SIPI_RECEIVED = 4;

    // kvm_vcpu_events.flags
    public static final int VCPUEVENT_VALID_NMI_PENDING = 1, VCPUEVENT_VALID_SIPI_VECTOR = 2, VCPUEVENT_VALID_SHADOW = 4,
            VCPUEVENT_VALID_SMM = 8, VCPUEVENT_VALID_PAYLOAD = 16;
    public static final int SHADOW_INT_MOV_SS = 1, SHADOW_INT_STI = 2;

    // kvm_guest_debug.control
    public static final int GUESTDBG_ENABLE = 1, GUESTDBG_SINGLESTEP = 2;

    // memory region flags
    public static final int MEM_LOG_DIRTY_PAGES = 1, MEM_READONLY = 2;

    // KVM_CAP_X86_DISABLE_EXITS arguments
    public static final long X86_DISABLE_EXITS_HLT = 1 << 1;
}
