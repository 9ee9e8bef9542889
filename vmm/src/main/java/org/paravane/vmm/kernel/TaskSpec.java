package org.paravane.vmm.kernel;

import java.util.Objects;
import org.paravane.vmm.kernel.abi.SyscallAbi;

/**
 * A task to launch: an image, its argument (RDI at entry), and optionally a data region mapped at
 * {@code PV_DATA_VA}.
 *
 * @param data the guest-physical range to map, or null
 * @param abi  the system call ABI the task speaks, or null for its image's (every image speaks Paravane's today)
 */
public record TaskSpec(String name, ElfImage image, long argument, DataMapping data, SyscallAbi abi) {

    /** A task that speaks its image's ABI. */
    public TaskSpec(String name, ElfImage image, long argument, DataMapping data) {
        this(name, image, argument, data, null);
    }

    /** A guest-physical range a task sees at {@code PV_DATA_VA}; {@code bytes} is what its info page reports. */
    public record DataMapping(long guestAddress, long size, long bytes) {
        public DataMapping {
            if (guestAddress % 4096 != 0 || size <= 0 || size % 4096 != 0 || bytes < 0 || bytes > size) {
                throw new IllegalArgumentException("data mapping must be whole pages holding at most its size in bytes: 0x"
                        + Long.toHexString(guestAddress) + " size " + size + " bytes " + bytes);
            }
        }
    }

    public TaskSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(image, "image");
    }
}
