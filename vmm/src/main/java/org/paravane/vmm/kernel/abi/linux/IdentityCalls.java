package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.Errno.EINVAL;
import static org.paravane.vmm.linux.Errno.EPERM;
import static org.paravane.vmm.linux.Errno.ESRCH;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.mm.Layout;

/**
 * Who the process is and what it may use: ids (it runs as root; the first thread's tid, its task id, is the pid),
 * uname, sysinfo, limits, getrandom, prctl names, affinity, and the thread-pointer calls (arch_prctl, set_tid_address,
 * set_robust_list).
 */
final class IdentityCalls {
    static final int ARCH_SET_GS = 0x1001, ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, ARCH_GET_GS = 0x1004;
    static final int PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4, PR_SET_NAME = 15, PR_GET_NAME = 16;
    static final int GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;
    /** getrandom returns at most this much at once (32 MiB - 1). */
    static final int MAX_RANDOM = (1 << 25) - 1;
    static final String[] UNAME = {"Linux", "paravane", "6.1.0-paravane", "#1 SMP PREEMPT_DYNAMIC Paravane", "x86_64",
            "(none)"};

    private final LinuxThread thread;
    private final LinuxProcess process;
    private final ProcessMemory memory;

    IdentityCalls(LinuxThread thread) {
        this.thread = thread;
        this.process = thread.process;
        this.memory = process.memory();
    }

    long uname(long buf) throws GuestAccessException {
        byte[] out = new byte[65 * UNAME.length];
        for (int i = 0; i < UNAME.length; i++) {
            byte[] field = UNAME[i].getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(field, 0, out, 65 * i, Math.min(64, field.length));
        }
        memory.write(buf, out);
        return 0;
    }

    long sysinfo(SyscallTask task, long buf) throws GuestAccessException {
        ByteBuffer b = ByteBuffer.allocate(112).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(task.nanosSinceStart() / 1_000_000_000L);
        b.putLong(0).putLong(0).putLong(0);   // load averages
        b.putLong(process.host.totalRam()).putLong(process.host.freeRam()).putLong(0).putLong(0);
        b.putLong(0).putLong(0);              // no swap
        b.putShort((short) 1).putShort((short) 0).putInt(0);
        b.putLong(0).putLong(0).putInt(1);    // no high memory; mem_unit 1
        memory.write(buf, b.array());
        return 0;
    }

    long archPrctl(SyscallTask task, long code, long address) throws ErrnoException, GuestAccessException {
        switch ((int) code) {
            case ARCH_SET_FS, ARCH_SET_GS -> {
                if (address < 0 || address >= Layout.TASK_SIZE) {
                    throw new ErrnoException(EPERM, "base 0x" + Long.toHexString(address) + " is outside user space");
                }
                if (code == ARCH_SET_FS) {
                    task.setFsBase(address);
                } else {
                    task.setGsBase(address);
                }
            }
            case ARCH_GET_FS -> memory.writeLong(address, task.fsBase());
            case ARCH_GET_GS -> memory.writeLong(address, task.gsBase());
            default -> throw new ErrnoException(EINVAL, "arch_prctl code 0x" + Long.toHexString(code));
        }
        return 0;
    }

    long prctl(long option, long arg2) throws ErrnoException, GuestAccessException {
        switch ((int) option) {
            case PR_SET_NAME -> {
                byte[] raw = memory.read(arg2, 16);
                int n = 0;
                while (n < 15 && raw[n] != 0) {
                    n++;
                }
                thread.comm = new String(raw, 0, n, StandardCharsets.UTF_8);
                return 0;
            }
            case PR_GET_NAME -> {
                byte[] out = new byte[16];
                byte[] name = thread.comm.getBytes(StandardCharsets.UTF_8);
                System.arraycopy(name, 0, out, 0, Math.min(15, name.length));
                memory.write(arg2, out);
                return 0;
            }
            case PR_GET_DUMPABLE -> {
                return 1;
            }
            case PR_SET_DUMPABLE -> {
                if (arg2 != 0 && arg2 != 1) {
                    throw new ErrnoException(EINVAL, "dumpable " + arg2);
                }
                return 0;
            }
            default -> throw new ErrnoException(EINVAL, "prctl option " + option + " is not supported");
        }
    }

    long getrandom(long buf, long length, long flags) throws ErrnoException, GuestAccessException {
        if ((flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) != 0
                || (flags & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE)) {
            throw new ErrnoException(EINVAL, "getrandom flags 0x" + Long.toHexString(flags));
        }
        int total = (int) Math.clamp(length, 0, MAX_RANDOM);
        byte[] chunk = new byte[Math.min(total, FileCalls.CHUNK)];
        for (int done = 0; done < total; ) {
            int n = Math.min(chunk.length, total - done);
            process.host.random().nextBytes(chunk);
            memory.write(buf + done, chunk, 0, n);
            done += n;
        }
        return total;
    }

    /** prlimit64 (and getrlimit/setrlimit with {@code pid} 0): the old values first, then the new ones. */
    long prlimit(long pid, long resource, long newLimit, long oldLimit) throws ErrnoException, GuestAccessException {
        if (pid != 0 && pid != process.pid) {
            throw new ErrnoException(ESRCH, "no process " + pid);
        }
        int r = (int) Math.clamp(resource, -1, Limits.RLIM_NLIMITS);
        long[] old = process.limits.get(r);
        long[] wanted = null;
        if (newLimit != 0) {
            ByteBuffer b = ByteBuffer.wrap(memory.read(newLimit, 16)).order(ByteOrder.LITTLE_ENDIAN);
            wanted = new long[] {b.getLong(), b.getLong()};
        }
        if (oldLimit != 0) {
            memory.write(oldLimit, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(old[0]).putLong(old[1]).array());
        }
        if (wanted != null) {
            process.limits.set(r, wanted[0], wanted[1]);
        }
        return 0;
    }

    /** Whether {@code pid} names a process or a thread of the VM (living or a zombie). */
    private boolean exists(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            return false;
        }
        ProcessTable table = process.host.processes();
        synchronized (table) {
            for (LinuxProcess p : table.all()) {
                if (p.pid == pid || p.threads().stream().anyMatch(t -> t.tid == pid)) {
                    return p.state() != LinuxProcess.State.REAPED;
                }
            }
        }
        return false;
    }

    long schedGetaffinity(long pid, long length, long mask) throws ErrnoException, GuestAccessException {
        if (pid != 0 && pid != process.pid && pid != thread.tid && !exists(pid)) {
            throw new ErrnoException(ESRCH, "no process " + pid);
        }
        int vcpus = process.host.vcpus();   // every task may run on every vCPU
        int bytes = Math.max(8, (vcpus + 63) / 64 * 8);
        if (length < bytes || (length & 7) != 0) {
            throw new ErrnoException(EINVAL, "cpu mask of " + length + " bytes");
        }
        byte[] out = new byte[bytes];
        for (int cpu = 0; cpu < vcpus; cpu++) {
            out[cpu / 8] |= (byte) (1 << (cpu % 8));
        }
        memory.write(mask, out);
        return bytes;
    }

    long setRobustList(long head, long length) throws ErrnoException {
        if (length != 24) {
            throw new ErrnoException(EINVAL, "robust list head of " + length + " bytes (24 expected)");
        }
        thread.robustList = head;
        return 0;
    }

    /** get_robust_list of thread {@code pid} of the caller's process (0: the caller): the head and its length, 24. */
    long getRobustList(long pid, long headPtr, long lengthPtr) throws ErrnoException, GuestAccessException {
        LinuxThread of = pid == 0 ? thread : null;
        if (of == null) {
            synchronized (process.host.processes()) {
                of = process.threads().stream().filter(t -> t.tid == pid).findFirst().orElse(null);
            }
        }
        if (of == null) {
            throw new ErrnoException(org.paravane.vmm.linux.Errno.ESRCH, "no thread " + pid + " in " + process);
        }
        memory.writeLong(headPtr, of.robustList);
        memory.writeLong(lengthPtr, 24);
        return 0;
    }

    long getrusage(SyscallTask task, long who, long buf) throws ErrnoException, GuestAccessException {
        if (who != 0 && who != -1 && who != 1) {
            throw new ErrnoException(EINVAL, "getrusage who " + who);
        }
        ByteBuffer b = ByteBuffer.allocate(144).order(ByteOrder.LITTLE_ENDIAN);
        long cpu = who == -1 ? 0 : task.cpuNanos();
        b.putLong(cpu / 1_000_000_000L).putLong(cpu % 1_000_000_000L / 1000);   // ru_utime
        memory.write(buf, b.array());
        return 0;
    }

    long times(SyscallTask task, long buf) throws GuestAccessException {
        if (buf != 0) {
            long ticks = task.cpuNanos() / 10_000_000L;
            memory.write(buf, ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putLong(ticks).array());
        }
        return task.nanosSinceStart() / 10_000_000L;
    }
}
