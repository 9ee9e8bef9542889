package org.paravane.kvm.uffd;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.MemoryLayout.unionLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.StructLayout;
import java.util.List;
import org.paravane.support.linux.Ioctl;

/** The userfaultfd structures of {@code linux/userfaultfd.h} and their ioctl numbers. */
public final class UffdLayouts {
    private UffdLayouts() {
    }

    public static final StructLayout UFFDIO_API = structLayout(
            JAVA_LONG.withName("api"), JAVA_LONG.withName("features"), JAVA_LONG.withName("ioctls")).withName("uffdio_api");
    public static final StructLayout UFFDIO_RANGE = structLayout(
            JAVA_LONG.withName("start"), JAVA_LONG.withName("len")).withName("uffdio_range");
    public static final StructLayout UFFDIO_REGISTER = structLayout(
            UFFDIO_RANGE.withName("range"), JAVA_LONG.withName("mode"), JAVA_LONG.withName("ioctls")).withName("uffdio_register");
    public static final StructLayout UFFDIO_COPY = structLayout(
            JAVA_LONG.withName("dst"), JAVA_LONG.withName("src"), JAVA_LONG.withName("len"), JAVA_LONG.withName("mode"),
            JAVA_LONG.withName("copy")).withName("uffdio_copy");
    public static final StructLayout UFFDIO_ZEROPAGE = structLayout(
            UFFDIO_RANGE.withName("range"), JAVA_LONG.withName("mode"), JAVA_LONG.withName("zeropage")).withName("uffdio_zeropage");
    public static final StructLayout UFFD_MSG = structLayout(
            JAVA_BYTE.withName("event"), JAVA_BYTE.withName("reserved1"), JAVA_SHORT.withName("reserved2"),
            JAVA_INT.withName("reserved3"),
            unionLayout(
                    structLayout(JAVA_LONG.withName("flags"), JAVA_LONG.withName("address"),
                            unionLayout(JAVA_INT.withName("ptid")).withName("feat"), paddingLayout(4)).withName("pagefault"),
                    structLayout(JAVA_INT.withName("ufd")).withName("fork"),
                    structLayout(JAVA_LONG.withName("from"), JAVA_LONG.withName("to"), JAVA_LONG.withName("len")).withName("remap"),
                    structLayout(JAVA_LONG.withName("start"), JAVA_LONG.withName("end")).withName("remove"))
                    .withName("arg")).withName("uffd_msg");

    public static final List<StructLayout> ALL = List.of(UFFDIO_API, UFFDIO_RANGE, UFFDIO_REGISTER, UFFDIO_COPY,
            UFFDIO_ZEROPAGE, UFFD_MSG);

    private static final int UFFDIO = 0xAA;
    public static final long UFFDIO_API_IOCTL = Ioctl.iowr(UFFDIO, 0x3F, UFFDIO_API.byteSize());
    public static final long UFFDIO_REGISTER_IOCTL = Ioctl.iowr(UFFDIO, 0x00, UFFDIO_REGISTER.byteSize());
    public static final long UFFDIO_UNREGISTER_IOCTL = Ioctl.ior(UFFDIO, 0x01, UFFDIO_RANGE.byteSize());
    public static final long UFFDIO_WAKE_IOCTL = Ioctl.ior(UFFDIO, 0x02, UFFDIO_RANGE.byteSize());
    public static final long UFFDIO_COPY_IOCTL = Ioctl.iowr(UFFDIO, 0x03, UFFDIO_COPY.byteSize());
    public static final long UFFDIO_ZEROPAGE_IOCTL = Ioctl.iowr(UFFDIO, 0x04, UFFDIO_ZEROPAGE.byteSize());
    /** {@code /dev/userfaultfd}'s ioctl creating a userfaultfd (6.1+), for hosts where the system call is restricted. */
    public static final long USERFAULTFD_IOC_NEW = Ioctl.io(UFFDIO, 0x00);

    public static final long UFFD_API = 0xAA;
    public static final long FEATURE_THREAD_ID = 1L << 8;
    public static final long REGISTER_MODE_MISSING = 1;
    public static final byte EVENT_PAGEFAULT = 0x12;
    public static final long PAGEFAULT_FLAG_WRITE = 1;
    /** Bits of {@code uffdio_register.ioctls}: which range ioctls the registration allows. */
    public static final long IOCTL_COPY = 1L << 0x03, IOCTL_ZEROPAGE = 1L << 0x04;
}
