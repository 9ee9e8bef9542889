package org.paravane.vmm.linux;

/**
 * Linux x86-64 errno numbers as a guest sees them (asm-generic/errno-base.h, errno.h). These are the guest's values,
 * not the host's: {@code org.paravane.support.linux.Errno} is for Paravane's own host calls.
 */
public final class Errno {
    private Errno() {
    }

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8,
            EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17,
            EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25,
            EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32, ERANGE = 34,
            ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, ENODATA = 61, EOVERFLOW = 75,
            EOPNOTSUPP = 95;
    /** A futex wait's timeout passed. */
    public static final int ETIMEDOUT = 110;

    /** The symbolic name of {@code errno}, for messages and logs. */
    public static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM"; case ENOENT -> "ENOENT"; case ESRCH -> "ESRCH"; case EINTR -> "EINTR";
            case EIO -> "EIO"; case ENXIO -> "ENXIO"; case E2BIG -> "E2BIG"; case ENOEXEC -> "ENOEXEC";
            case EBADF -> "EBADF"; case ECHILD -> "ECHILD"; case EAGAIN -> "EAGAIN"; case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES"; case EFAULT -> "EFAULT"; case EBUSY -> "EBUSY"; case EEXIST -> "EEXIST";
            case EXDEV -> "EXDEV"; case ENODEV -> "ENODEV"; case ENOTDIR -> "ENOTDIR"; case EISDIR -> "EISDIR";
            case EINVAL -> "EINVAL"; case ENFILE -> "ENFILE"; case EMFILE -> "EMFILE"; case ENOTTY -> "ENOTTY";
            case EFBIG -> "EFBIG"; case ENOSPC -> "ENOSPC"; case ESPIPE -> "ESPIPE"; case EROFS -> "EROFS";
            case EMLINK -> "EMLINK"; case EPIPE -> "EPIPE"; case ERANGE -> "ERANGE";
            case ENAMETOOLONG -> "ENAMETOOLONG"; case ENOSYS -> "ENOSYS"; case ENOTEMPTY -> "ENOTEMPTY";
            case ELOOP -> "ELOOP"; case ENODATA -> "ENODATA"; case EOVERFLOW -> "EOVERFLOW";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case ETIMEDOUT -> "ETIMEDOUT";
            default -> "errno " + errno;
        };
    }
}
