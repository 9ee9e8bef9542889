package org.paravane.vmm.linux.fs;

/** Linux x86-64 values of the file system calls' arguments (fcntl.h, stat.h, dirent.h, ioctls.h). */
public final class Fcntl {
    private Fcntl() {
    }

    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_ACCMODE = 3, O_CREAT = 0100, O_EXCL = 0200,
            O_NOCTTY = 0400, O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000, O_DSYNC = 010000,
            O_ASYNC = 020000, O_DIRECT = 040000, O_LARGEFILE = 0100000, O_DIRECTORY = 0200000,
            O_NOFOLLOW = 0400000, O_NOATIME = 01000000, O_CLOEXEC = 02000000, O_SYNC = 04010000,
            O_PATH = 010000000, O_TMPFILE = 020200000;

    /** The status flags F_SETFL may change; the others it ignores. */
    public static final int SETFL_MASK = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

    public static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EACCESS = 0x200,
            AT_SYMLINK_FOLLOW = 0x400, AT_NO_AUTOMOUNT = 0x800, AT_EMPTY_PATH = 0x1000,
            AT_STATX_SYNC_TYPE = 0x6000;

    public static final int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4,
            F_DUPFD_CLOEXEC = 1030, FD_CLOEXEC = 1, F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032;

    public static final int SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;

    public static final int F_OK = 0, X_OK = 1, W_OK = 2, R_OK = 4;

    public static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000,
            S_IFBLK = 060000, S_IFDIR = 040000, S_IFCHR = 020000, S_IFIFO = 010000;

    public static final int DT_UNKNOWN = 0, DT_CHR = 2, DT_DIR = 4, DT_REG = 8, DT_LNK = 10;

    public static final int RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, RENAME_WHITEOUT = 4;

    public static final int TCGETS = 0x5401, TIOCGWINSZ = 0x5413, FIONREAD = 0x541B, FIONBIO = 0x5421,
            FIONCLEX = 0x5450, FIOCLEX = 0x5451;

    public static final int CLOSE_RANGE_UNSHARE = 2, CLOSE_RANGE_CLOEXEC = 4;

    /** Longest path (with its NUL) and longest name Linux accepts. */
    public static final int PATH_MAX = 4096, NAME_MAX = 255;

    /** Symbolic links followed in one lookup before ELOOP. */
    public static final int MAXSYMLINKS = 40;

    public static int dirType(int mode) {
        return switch (mode & S_IFMT) {
            case S_IFDIR -> DT_DIR;
            case S_IFREG -> DT_REG;
            case S_IFLNK -> DT_LNK;
            case S_IFCHR -> DT_CHR;
            default -> DT_UNKNOWN;
        };
    }
}
