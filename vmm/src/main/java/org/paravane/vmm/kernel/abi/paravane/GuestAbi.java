package org.paravane.vmm.kernel.abi.paravane;

/**
 * The Paravane guest ABI's constants as the kernel sees them: error numbers, the virtual addresses every task sees,
 * the info page and the image note. The definition is guests/include/paravane.h (packaged as
 * {@code guests/paravane.h}); {@code GuestAbiTest} checks every constant here, and every {@link Hypercall}, against it.
 */
public final class GuestAbi {
    private GuestAbi() {
    }

    public static final long EPERM = 1, EFAULT = 14, EINVAL = 22, ENOSYS = 38;

    public static final long TEXT_VA = 0x0000000000400000L;
    public static final long INFO_VA = 0x00007fff00000000L;
    public static final long STACK_TOP = 0x00007ffe00000000L;
    public static final long STACK_SIZE = 0x0000000000040000L;
    public static final long DATA_VA = 0x0000100000000000L;
    public static final long INFO_MAGIC = 0x454e415641524150L;

    /** Offsets in struct pv_info. */
    public static final int INFO_MAGIC_OFFSET = 0, INFO_TASK_ID = 8, INFO_ARG = 16, INFO_DATA_BASE = 24,
            INFO_DATA_SIZE = 32, INFO_WORK = 40;

    public static final int NOTE_IMAGE = 1;
    public static final int IMAGE_KERNEL_TASK = 1;
    public static final String NOTE_NAME = "Paravane";
}
