package org.paravane.vmm.kernel;

/**
 * The guest ABI as the kernel sees it. The definition is guests/include/paravane.h (packaged as
 * {@code guests/paravane.h}); {@code GuestAbiTest} checks every constant here against it.
 */
final class GuestAbi {
    private GuestAbi() {
    }

    static final int HC_EXIT = 0, HC_WRITE = 1, HC_YIELD = 2, HC_TIME = 3, HC_PREEMPT_DISABLE = 4,
            HC_PREEMPT_ENABLE = 5, HC_RCU_READ_LOCK = 6, HC_RCU_READ_UNLOCK = 7, HC_REPORT = 8;

    static final long EPERM = 1, EFAULT = 14, EINVAL = 22, ENOSYS = 38;

    static final long TEXT_VA = 0x0000000000400000L;
    static final long INFO_VA = 0x00007fff00000000L;
    static final long STACK_TOP = 0x00007ffe00000000L;
    static final long STACK_SIZE = 0x0000000000040000L;
    static final long DATA_VA = 0x0000100000000000L;
    static final long INFO_MAGIC = 0x454e415641524150L;

    /** Offsets in struct pv_info. */
    static final int INFO_MAGIC_OFFSET = 0, INFO_TASK_ID = 8, INFO_ARG = 16, INFO_DATA_BASE = 24, INFO_DATA_SIZE = 32,
            INFO_WORK = 40;

    static final int NOTE_IMAGE = 1;
    static final int IMAGE_KERNEL_TASK = 1;
    static final String NOTE_NAME = "Paravane";

    static String hypercallName(long number) {
        return switch ((int) number) {
            case HC_EXIT -> "exit";
            case HC_WRITE -> "write";
            case HC_YIELD -> "yield";
            case HC_TIME -> "time";
            case HC_PREEMPT_DISABLE -> "preempt_disable";
            case HC_PREEMPT_ENABLE -> "preempt_enable";
            case HC_RCU_READ_LOCK -> "rcu_read_lock";
            case HC_RCU_READ_UNLOCK -> "rcu_read_unlock";
            case HC_REPORT -> "report";
            default -> "unknown(" + number + ")";
        };
    }
}
