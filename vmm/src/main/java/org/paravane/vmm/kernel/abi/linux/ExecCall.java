package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.linux.Errno.E2BIG;
import static org.paravane.vmm.linux.Errno.EACCES;
import static org.paravane.vmm.linux.Errno.ELOOP;
import static org.paravane.vmm.linux.Errno.ENOENT;
import static org.paravane.vmm.linux.Errno.ENOEXEC;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.paravane.vmm.kernel.InvalidImageException;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.AddressSpace;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.fs.Fcntl;
import org.paravane.vmm.linux.fs.Stat;

/**
 * execve (and execveat with a path): replaces the process's image in the calling thread. The file comes from the
 * guest's file system, or, for {@code /proc/self/exe} and the executables the VM was started with, from the bytes the
 * kernel keeps. {@code #!} scripts run their interpreter (with its one optional argument, the script's path, then the
 * rest of argv), nested at most four deep. Errors as Linux: ENOENT, EACCES (not a regular file, no execute bit),
 * ENOEXEC (neither ELF nor script, or an ELF the loader refuses), E2BIG, EFAULT, ELOOP. On success the other threads
 * end, close-on-exec descriptors close, handled signals revert to their default, and a vfork parent goes on.
 */
final class ExecCall {
    /** MAX_ARG_STRINGS-like bound on the argv and envp pointers read. */
    private static final int MAX_STRINGS = 0x7FFFFFFF / 8;
    /** MAX_ARG_STRLEN: one argument or variable at most 32 pages. */
    private static final int MAX_STRING = 32 * 4096;
    /** A quarter of the default 8 MiB stack, as Linux bounds argv plus envp. */
    private static final long ARG_MAX = 2L << 20;
    /** BINPRM_BUF_SIZE: how much of a #! line counts. */
    private static final int SCRIPT_LINE = 256;
    private static final int MAX_NESTING = 4;

    private final LinuxThread thread;
    private final LinuxProcess process;
    private final long kernelAreaEnd;

    ExecCall(LinuxThread thread, long kernelAreaEnd) {
        this.thread = thread;
        this.process = thread.process;
        this.kernelAreaEnd = kernelAreaEnd;
    }

    SyscallOutcome execve(SyscallTask task, long pathAddress, long argvAddress, long envpAddress)
            throws ErrnoException, GuestAccessException {
        ProcessMemory memory = process.memory();
        String path = memory.readString(pathAddress, Fcntl.PATH_MAX);
        if (path.isEmpty()) {
            throw new ErrnoException(ENOENT, "empty path");
        }
        long[] size = {0};
        List<String> argv = strings(memory, argvAddress, size);
        List<String> envp = strings(memory, envpAddress, size);
        return exec(task, path, argv, envp);
    }

    private SyscallOutcome exec(SyscallTask task, String path, List<String> argv, List<String> envp)
            throws ErrnoException {
        String file = path;
        List<String> args = argv;
        byte[] bytes = read(file);
        for (int depth = 0; isScript(bytes); depth++) {
            if (depth == MAX_NESTING) {
                throw new ErrnoException(ELOOP, path + ": scripts nested more than " + MAX_NESTING + " deep");
            }
            List<String> line = scriptLine(file, bytes);
            List<String> next = new ArrayList<>(line);
            next.add(file);
            next.addAll(args.isEmpty() ? List.of() : args.subList(1, args.size()));
            args = next;
            file = line.getFirst();
            bytes = read(file);
        }
        if (!isElf(bytes)) {
            throw new ErrnoException(ENOEXEC, file + " is neither an ELF executable nor a #! script");
        }
        String exe = exePath(file);
        AddressSpace space = task.memory().fresh();
        LinuxLoader.Image image;
        try {
            image = new LinuxLoader(kernelAreaEnd).image(space, file, bytes, args, envp, process.host,
                    process.limits.getUnchecked(Limits.RLIMIT_STACK));
        } catch (InvalidImageException e) {
            space.release();
            throw new ErrnoException(e.getMessage().contains("E2BIG") ? E2BIG : ENOEXEC, e.getMessage());
        } catch (RuntimeException e) {
            space.release();
            throw e;
        }
        // The point of no return: the old image goes.
        endOtherThreads(task);
        task.exec(space);
        process.install(file, image.memory());
        process.setExecutable(bytes);
        process.setArgv(args);
        process.files.exec(exe, () -> org.paravane.vmm.linux.mm.MapsFile.render(process.memory().map().vmas()));
        process.signals.exec();
        process.timers.deletePosixTimers();
        thread.comm = LinuxThread.commOf(path);   // a script's name, not its interpreter's, as Linux's bprm->filename
        process.releaseVfork();
        return new SyscallOutcome.NewContext(image.registers());
    }

    /** Every other thread of the process ends (as Linux's de_thread), the caller goes on alone. */
    private void endOtherThreads(SyscallTask task) {
        List<LinuxThread> others;
        synchronized (process.host.processes()) {
            others = process.threads();
        }
        for (LinuxThread t : others) {
            if (t != thread && t.task != null) {
                t.clearChildTid = 0;   // their addresses were the old image's
                t.robustList = 0;
                t.task.terminate(0, 0, null);
            }
        }
    }

    /** The NUL-terminated strings of a NULL-terminated pointer array (none when the array pointer is 0). */
    private static List<String> strings(ProcessMemory memory, long array, long[] total)
            throws GuestAccessException, ErrnoException {
        List<String> out = new ArrayList<>();
        if (array == 0) {
            return out;
        }
        for (int i = 0; i < MAX_STRINGS; i++) {
            long p = memory.readLong(array + 8L * i);
            if (p == 0) {
                return out;
            }
            String s;
            try {
                s = memory.readString(p, MAX_STRING);
            } catch (ErrnoException e) {
                throw new ErrnoException(E2BIG, "an argument is longer than " + MAX_STRING + " bytes");
            }
            total[0] += s.getBytes(StandardCharsets.UTF_8).length + 1 + 8;
            if (total[0] > ARG_MAX) {
                throw new ErrnoException(E2BIG, "arguments and environment exceed " + ARG_MAX + " bytes");
            }
            out.add(s);
        }
        throw new ErrnoException(E2BIG, "too many arguments");
    }

    /**
     * What /proc/self/exe names after running {@code file}: the file itself (absolute, links followed), the current
     * executable again for /proc/self/exe, and the given path for an executable the VM was launched with.
     */
    private String exePath(String file) throws ErrnoException {
        if (file.equals("/proc/self/exe") || file.equals("/proc/" + process.pid + "/exe")) {
            return process.files.exePath();
        }
        try {
            return process.files.realPath(file);
        } catch (ErrnoException e) {
            if (e.errno() == ENOENT) {
                return file;   // launched: not in the file system
            }
            throw e;
        }
    }

    /** The file's bytes: the process's own executable for /proc/self/exe, else the guest's file (or a launched one). */
    private byte[] read(String path) throws ErrnoException {
        if (path.equals("/proc/self/exe") || path.equals("/proc/" + process.pid + "/exe")) {
            return process.executable();
        }
        Stat stat;
        try {
            stat = process.files.stat(path);
        } catch (ErrnoException e) {
            byte[] launched = e.errno() == ENOENT ? process.host.launchedExecutable(path) : null;
            if (launched != null) {
                return launched;
            }
            throw e;
        }
        if (stat.type() != Fcntl.S_IFREG) {
            throw new ErrnoException(EACCES, path + " is not a regular file");
        }
        if ((stat.mode() & 0111) == 0) {
            throw new ErrnoException(EACCES, path + " is not executable");
        }
        int fd = process.files.open(path, Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(stat.size(), 1 << 26));
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
            while (true) {
                chunk.clear();
                int n = process.files.read(fd, chunk);
                if (n <= 0) {
                    return out.toByteArray();
                }
                out.write(chunk.array(), 0, n);
            }
        } finally {
            process.files.close(fd);
        }
    }

    private static boolean isElf(byte[] b) {
        return b.length >= 4 && b[0] == 0x7F && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
    }

    private static boolean isScript(byte[] b) {
        return b.length >= 2 && b[0] == '#' && b[1] == '!';
    }

    /** The interpreter and its optional argument from a #! line (what follows the first word is one argument). */
    private static List<String> scriptLine(String path, byte[] b) throws ErrnoException {
        int end = 2;
        while (end < b.length && end < SCRIPT_LINE && b[end] != '\n') {
            end++;
        }
        String line = new String(b, 2, end - 2, StandardCharsets.UTF_8).strip();
        if (line.isEmpty()) {
            throw new ErrnoException(ENOEXEC, path + ": #! names no interpreter");
        }
        int space = 0;
        while (space < line.length() && line.charAt(space) != ' ' && line.charAt(space) != '\t') {
            space++;
        }
        String interpreter = line.substring(0, space);
        String arg = line.substring(space).strip();
        return arg.isEmpty() ? List.of(interpreter) : List.of(interpreter, arg);
    }
}
