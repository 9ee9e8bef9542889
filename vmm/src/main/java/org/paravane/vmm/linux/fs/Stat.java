package org.paravane.vmm.linux.fs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The attributes stat(2) and statx(2) report, in Linux's units: {@code mode} carries the type bits, times are
 * nanoseconds since the epoch, {@code blocks} counts 512-byte units.
 */
public record Stat(long dev, long ino, int mode, long nlink, int uid, int gid, long rdev, long size, int blksize,
                   long blocks, long atimeNanos, long mtimeNanos, long ctimeNanos) {

    public static final int STRUCT_STAT_SIZE = 144, STRUCT_STATX_SIZE = 256;
    public static final int STATX_TYPE = 0x1, STATX_MODE = 0x2, STATX_NLINK = 0x4, STATX_UID = 0x8,
            STATX_GID = 0x10, STATX_ATIME = 0x20, STATX_MTIME = 0x40, STATX_CTIME = 0x80, STATX_INO = 0x100,
            STATX_SIZE = 0x200, STATX_BLOCKS = 0x400, STATX_BASIC_STATS = 0x7ff, STATX__RESERVED = 0x80000000;

    public int type() {
        return mode & Fcntl.S_IFMT;
    }

    static long blocksOf(long size) {
        return (size + 511) / 512;
    }

    /** x86-64 {@code struct stat}, little endian. */
    public byte[] toStructStat() {
        ByteBuffer b = ByteBuffer.allocate(STRUCT_STAT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, dev).putLong(8, ino).putLong(16, nlink).putInt(24, mode).putInt(28, uid).putInt(32, gid)
                .putLong(40, rdev).putLong(48, size).putLong(56, blksize).putLong(64, blocks);
        putTimespec(b, 72, atimeNanos);
        putTimespec(b, 88, mtimeNanos);
        putTimespec(b, 104, ctimeNanos);
        return b.array();
    }

    /** {@code struct statx} with the basic statistics (Linux fills them whatever the mask asked). */
    public byte[] toStatx() {
        ByteBuffer b = ByteBuffer.allocate(STRUCT_STATX_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, STATX_BASIC_STATS).putInt(4, blksize).putInt(16, (int) nlink).putInt(20, uid).putInt(24, gid)
                .putShort(28, (short) mode).putLong(32, ino).putLong(40, size).putLong(48, blocks);
        putTimespec(b, 64, atimeNanos);
        putTimespec(b, 96, ctimeNanos);
        putTimespec(b, 112, mtimeNanos);
        b.putInt(128, major(rdev)).putInt(132, minor(rdev)).putInt(136, major(dev)).putInt(140, minor(dev));
        return b.array();
    }

    private static void putTimespec(ByteBuffer b, int at, long nanos) {
        b.putLong(at, Math.floorDiv(nanos, 1_000_000_000L)).putLong(at + 8, Math.floorMod(nanos, 1_000_000_000L));
    }

    /** Linux's huge_encode_dev layout: major in bits 8..19 (and 32..), minor in bits 0..7 and 20..31. */
    public static int major(long dev) {
        return (int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL));
    }

    public static int minor(long dev) {
        return (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL));
    }

    public static long makedev(int major, int minor) {
        return ((long) (major & 0xfffff000) << 32) | ((major & 0xfffL) << 8) | ((long) (minor & 0xffffff00) << 12)
                | (minor & 0xffL);
    }

    static long nowNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
