package org.paravane.vmm.kernel;

import java.util.Objects;
import org.paravane.vmm.kernel.abi.SyscallAbi;
import org.paravane.vmm.kernel.abi.linux.LinuxProcessSpec;

/**
 * A task to launch: an image, its argument (RDI at entry), and optionally a data region mapped at
 * {@code PV_DATA_VA}.
 *
 * @param data the guest-physical range to map, or null
 * @param abi   the system call ABI the task speaks, or null for its image's
 * @param linux the Linux process this task is (its image is then null: the Linux loader reads the executable), or
 *              null for a Paravane task
 */
public record TaskSpec(String name, ElfImage image, long argument, DataMapping data, SyscallAbi abi,
                       LinuxProcessSpec linux) {

    /** A Paravane task that speaks its image's ABI. */
    public TaskSpec(String name, ElfImage image, long argument, DataMapping data) {
        this(name, image, argument, data, null, null);
    }

    /** A Paravane task speaking {@code abi}. */
    public TaskSpec(String name, ElfImage image, long argument, DataMapping data, SyscallAbi abi) {
        this(name, image, argument, data, abi, null);
    }

    /** A Linux process. */
    public static TaskSpec linuxProcess(String name, LinuxProcessSpec process) {
        return new TaskSpec(name, null, 0, null, null, Objects.requireNonNull(process, "process"));
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
        if ((image == null) == (linux == null)) {
            throw new IllegalArgumentException("task " + name + " needs either a Paravane image or a Linux process");
        }
    }
}
