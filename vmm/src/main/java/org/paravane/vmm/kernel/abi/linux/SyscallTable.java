package org.paravane.vmm.kernel.abi.linux;

import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.fs.Fcntl;
import org.paravane.vmm.linux.fs.ProcessFiles;
import org.paravane.vmm.linux.signal.SigInfo;
import org.paravane.vmm.linux.signal.Signal;

/**
 * The x86-64 system call table of one process: number to handler, in the call groups ({@link FileCalls},
 * {@link MemoryCalls}, {@link TimeCalls}, {@link IdentityCalls}, {@link SignalCalls}, {@link SignalTimers}). A number
 * that is not here answers null, which the ABI turns into -ENOSYS; clone3 and rseq do so by design, since libc falls
 * back.
 */
final class SyscallTable {
    private final LinuxThread thread;
    private final LinuxProcess process;
    private final ProcessFiles files;
    private final FileCalls io;
    private final MemoryCalls mm;
    private final TimeCalls time;
    private final IdentityCalls id;
    private final SignalCalls signals;
    private final SignalTimers timers;
    private final PollCalls poll;
    private final EpollCalls epoll;
    private final FutexWords futexWords;
    private final ProcessCalls life;
    private final CloneCall clone;
    private final WaitCalls waits;
    private final GroupCalls groups;
    private final ExecCall exec;
    /** The image this table was made for: execve's new one needs a table of its own. */
    private final ProcessMemory memory;

    /** The table of {@code thread} for its process's current image (execve makes a new one). */
    SyscallTable(LinuxThread thread) {
        this.thread = thread;
        this.process = thread.process;
        this.files = process.files;
        this.io = new FileCalls(process);
        this.mm = process.memoryCalls();
        this.time = new TimeCalls(process);
        this.id = new IdentityCalls(thread);
        this.signals = new SignalCalls(thread);
        this.timers = process.timers;
        this.life = new ProcessCalls(thread);
        this.clone = new CloneCall(thread);
        this.waits = new WaitCalls(thread);
        this.groups = new GroupCalls(thread);
        this.exec = new ExecCall(thread, process.host.kernelAreaEnd());
        this.memory = process.memory();
        this.poll = new PollCalls(process);
        this.epoll = new EpollCalls(process);
        this.futexWords = new FutexWords(process.memory());
    }

    private static SyscallOutcome ok(long value) {
        return new SyscallOutcome.Return(value);
    }

    private static int fd(long v) {
        return (int) v;
    }

    /** A timeout in milliseconds (an int; negative: forever) in nanoseconds. */
    private static long millis(long v) {
        int ms = (int) v;
        return ms < 0 ? -1 : ms * 1_000_000L;
    }

    /** utimensat's two timespecs as {sec, nsec, sec, nsec}. */
    private long[] timespecs(long address) throws GuestAccessException {
        var b = java.nio.ByteBuffer.wrap(process.memory().read(address, 32)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return new long[] {b.getLong(), b.getLong(), b.getLong(), b.getLong()};
    }

    private String path(long address) throws GuestAccessException, ErrnoException {
        return io.path(address);
    }

    SignalCalls signalCalls() {
        return signals;
    }

    /** Carries out call {@code nr}; null when it is not implemented. */
    SyscallOutcome call(SyscallTask t, org.paravane.api.cpu.GeneralRegisters regs, long nr, long a, long b, long c,
                        long d, long e, long f)
            throws ErrnoException, GuestAccessException, CallBlocks {
        return switch ((int) nr == nr ? (int) nr : -1) {
            // ---- files: data
            case 0 -> ok(io.read(fd(a), b, c));                                   // read
            case 1 -> ok(io.write(fd(a), b, c));                                  // write
            case 17 -> ok(io.pread(fd(a), b, c, d));                              // pread64
            case 18 -> ok(io.pwrite(fd(a), b, c, d));                             // pwrite64
            case 19 -> ok(io.vector(fd(a), b, c, true));                          // readv
            case 20 -> ok(io.vector(fd(a), b, c, false));                         // writev
            case 8 -> ok(files.lseek(fd(a), b, (int) c));                         // lseek
            case 40 -> ok(io.sendfile(fd(a), fd(b), c, d));                       // sendfile
            case 217 -> ok(io.getdents64(fd(a), b, c));                           // getdents64
            case 16 -> ioctl(fd(a), (int) b, c);                                  // ioctl
            case 74, 75 -> {                                                      // fsync, fdatasync
                files.fsync(fd(a));
                yield ok(0);
            }
            case 77 -> {                                                          // ftruncate
                files.ftruncate(fd(a), b);
                yield ok(0);
            }
            case 76 -> ok(io.truncate(a, b));                                     // truncate
            // ---- files: descriptors
            case 2 -> ok(files.open(path(a), (int) b, (int) c));                  // open
            case 85 -> ok(files.open(path(a), Fcntl.O_CREAT | Fcntl.O_WRONLY | Fcntl.O_TRUNC, (int) b));   // creat
            case 257 -> ok(files.openat(fd(a), path(b), (int) c, (int) d));      // openat
            case 3 -> {                                                           // close
                files.close(fd(a));
                yield ok(0);
            }
            case 32 -> ok(files.dup(fd(a)));                                      // dup
            case 33 -> ok(files.dup2(fd(a), fd(b)));                              // dup2
            case 292 -> ok(files.dup3(fd(a), fd(b), (int) c));                    // dup3
            case 72 -> ok(files.fcntl(fd(a), (int) b, c));                        // fcntl
            case 436 -> {                                                         // close_range
                files.closeRange(a, b, (int) c);
                yield ok(0);
            }
            case 22 -> ok(io.pipe2(a, 0));                                        // pipe
            case 293 -> ok(io.pipe2(a, (int) b));                                 // pipe2
            // ---- files: readiness
            case 7 -> ok(poll.poll(t, a, b, c));                                  // poll
            case 271 -> {                                                         // ppoll
                PollCalls.checkSigsetSize(d, e);
                long timeout = poll.timespec(c);
                yield ok(signals.withMask(d, () -> poll.ppoll(t, a, b, timeout)));
            }
            case 23 -> ok(poll.select(t, a, b, c, d, e));                         // select
            case 270 -> ok(signals.withMask(poll.pselectSigset(f), () -> poll.pselect6(t, a, b, c, d, e)));   // pselect6
            case 213 -> ok(epoll.epollCreate((int) a));                           // epoll_create
            case 291 -> ok(epoll.epollCreate1((int) a));                          // epoll_create1
            case 233 -> ok(epoll.epollCtl(fd(a), (int) b, fd(c), d));             // epoll_ctl
            case 232 -> ok(epoll.epollWait(t, fd(a), b, (int) c, millis(d)));    // epoll_wait
            case 281 -> {                                                         // epoll_pwait
                PollCalls.checkSigsetSize(e, f);
                yield ok(signals.withMask(e, () -> epoll.epollWait(t, fd(a), b, (int) c, millis(d))));
            }
            case 441 -> {                                                         // epoll_pwait2
                PollCalls.checkSigsetSize(e, f);
                long timeout = poll.timespec(d);
                yield ok(signals.withMask(e, () -> epoll.epollWait(t, fd(a), b, (int) c, timeout)));
            }
            case 284 -> ok(epoll.eventfd2(a, 0));                                 // eventfd
            case 290 -> ok(epoll.eventfd2(a, (int) b));                           // eventfd2
            // ---- files: attributes
            case 4 -> ok(io.stat(files.stat(path(a)), b));                       // stat
            case 5 -> ok(io.stat(files.fstat(fd(a)), b));                        // fstat
            case 6 -> ok(io.stat(files.lstat(path(a)), b));                      // lstat
            case 262 -> ok(io.stat(files.fstatat(fd(a), path(b), (int) d), c));  // newfstatat
            case 332 -> ok(io.statx(fd(a), b, (int) c, (int) d, e));              // statx
            case 89 -> ok(io.readlinkat(Fcntl.AT_FDCWD, a, b, c));               // readlink
            case 267 -> ok(io.readlinkat(fd(a), b, c, d));                        // readlinkat
            case 280 -> {                                                         // utimensat
                files.utimensat(fd(a), b == 0 ? null : path(b), c == 0 ? null : timespecs(c), (int) d);
                yield ok(0);
            }
            case 21 -> {                                                          // access
                files.access(path(a), (int) b);
                yield ok(0);
            }
            case 269 -> {                                                         // faccessat
                files.faccessat(fd(a), path(b), (int) c, 0);
                yield ok(0);
            }
            case 439 -> {                                                         // faccessat2
                files.faccessat(fd(a), path(b), (int) c, (int) d);
                yield ok(0);
            }
            // ---- files: the namespace and the process's place in it
            case 79 -> ok(io.getcwd(a, b));                                       // getcwd
            case 80 -> {                                                          // chdir
                files.chdir(path(a));
                yield ok(0);
            }
            case 81 -> {                                                          // fchdir
                files.fchdir(fd(a));
                yield ok(0);
            }
            case 83 -> {                                                          // mkdir
                files.mkdir(path(a), (int) b);
                yield ok(0);
            }
            case 258 -> {                                                         // mkdirat
                files.mkdirat(fd(a), path(b), (int) c);
                yield ok(0);
            }
            case 84 -> {                                                          // rmdir
                files.rmdir(path(a));
                yield ok(0);
            }
            case 87 -> {                                                          // unlink
                files.unlink(path(a));
                yield ok(0);
            }
            case 263 -> {                                                         // unlinkat
                files.unlinkat(fd(a), path(b), (int) c);
                yield ok(0);
            }
            case 82 -> {                                                          // rename
                files.rename(path(a), path(b));
                yield ok(0);
            }
            case 264, 316 -> {                                                    // renameat, renameat2
                files.renameat2(fd(a), path(b), fd(c), path(d), nr == 316 ? (int) e : 0);
                yield ok(0);
            }
            case 88 -> {                                                          // symlink
                files.symlinkat(path(a), Fcntl.AT_FDCWD, path(b));
                yield ok(0);
            }
            case 266 -> {                                                         // symlinkat
                files.symlinkat(path(a), fd(b), path(c));
                yield ok(0);
            }
            case 86 -> {                                                          // link
                files.linkat(Fcntl.AT_FDCWD, path(a), Fcntl.AT_FDCWD, path(b), 0);
                yield ok(0);
            }
            case 265 -> {                                                         // linkat
                files.linkat(fd(a), path(b), fd(c), path(d), (int) e);
                yield ok(0);
            }
            case 90 -> {                                                          // chmod
                files.fchmodat(Fcntl.AT_FDCWD, path(a), (int) b, 0);
                yield ok(0);
            }
            case 91 -> {                                                          // fchmod
                files.fchmodat(fd(a), null, (int) b, 0);
                yield ok(0);
            }
            case 268, 452 -> {                                                    // fchmodat, fchmodat2
                files.fchmodat(fd(a), path(b), (int) c, nr == 452 ? (int) d : 0);
                yield ok(0);
            }
            case 95 -> ok(files.umask((int) a));                                  // umask
            // ---- memory
            case 12 -> ok(mm.brk(a));                                             // brk
            case 9 -> ok(mm.mmap(a, b, (int) c, (int) d, fd(e), f));             // mmap
            case 11 -> ok(mm.munmap(a, b));                                       // munmap
            case 26 -> ok(mm.msync(a, b, (int) c));                               // msync
            case 10 -> ok(mm.mprotect(a, b, (int) c));                            // mprotect
            case 25 -> ok(mm.mremap(a, b, c, (int) d, e));                        // mremap
            case 28 -> ok(mm.madvise(a, b, (int) c));                             // madvise
            // ---- time
            case 228 -> ok(time.clockGettime(t, a, b));                           // clock_gettime
            case 229 -> ok(time.clockGetres(t, a, b));                            // clock_getres
            case 96 -> ok(time.gettimeofday(a, b));                               // gettimeofday
            case 201 -> ok(time.time(a));                                         // time
            case 35 -> time.nanosleep(t, a, b);                                     // nanosleep
            case 230 -> time.clockNanosleep(t, a, b, c, d);                       // clock_nanosleep
            // ---- identity and limits
            case 39 -> ok(process.pid);                                           // getpid
            case 186 -> ok(thread.tid);                                           // gettid
            case 110 -> ok(groups.getppid());                                     // getppid
            case 102, 104, 107, 108 -> ok(0);                                     // getuid, getgid, geteuid, getegid
            case 111 -> ok(groups.getpgid(0));                                    // getpgrp
            case 121 -> ok(groups.getpgid(a));                                    // getpgid
            case 124 -> ok(groups.getsid(a));                                     // getsid
            case 109 -> ok(groups.setpgid(a, b));                                 // setpgid
            case 112 -> ok(groups.setsid());                                      // setsid
            // ---- processes and threads
            case 56 -> clone.clone(t, regs, a, b, c, d, e);                       // clone
            case 57 -> clone.clone(t, regs, CloneCall.FORK, 0, 0, 0, 0);          // fork
            case 58 -> clone.clone(t, regs, CloneCall.VFORK, 0, 0, 0, 0);         // vfork
            case 59 -> exec.execve(t, a, b, c);                                   // execve
            case 322 -> {                                                         // execveat
                if ((e & ~0x1000L) != 0 || fd(a) != Fcntl.AT_FDCWD && !path(b).startsWith("/")) {
                    throw new ErrnoException(org.paravane.vmm.linux.Errno.EINVAL,
                            "execveat with a directory descriptor or flags 0x" + Long.toHexString(e));
                }
                yield exec.execve(t, b, c, d);
            }
            case 61 -> waits.wait4(t, a, b, c, d);                                // wait4
            case 247 -> waits.waitid(t, a, b, c, d, e);                           // waitid
            case 63 -> ok(id.uname(a));                                           // uname
            case 99 -> ok(id.sysinfo(t, a));                                      // sysinfo
            case 318 -> ok(id.getrandom(a, b, c));                                // getrandom
            case 157 -> ok(id.prctl(a, b));                                       // prctl
            case 158 -> ok(id.archPrctl(t, a, b));                                // arch_prctl
            case 218 -> {                                                         // set_tid_address
                thread.clearChildTid = a;
                yield ok(thread.tid);
            }
            case 273 -> ok(id.setRobustList(a, b));                               // set_robust_list
            case 274 -> ok(id.getRobustList(a, b, c));                            // get_robust_list
            case 202 -> process.host.futex().call(t, futexWords, a, (int) b, (int) c, d, e, (int) f);   // futex
            case 302 -> ok(id.prlimit(a, b, c, d));                               // prlimit64
            case 97 -> ok(id.prlimit(0, a, 0, b));                                // getrlimit
            case 160 -> ok(id.prlimit(0, a, b, 0));                               // setrlimit
            case 98 -> ok(id.getrusage(t, a, b));                                 // getrusage
            case 100 -> ok(id.times(t, a));                                       // times
            case 204 -> ok(id.schedGetaffinity(a, b, c));                         // sched_getaffinity
            case 24 -> new SyscallOutcome.Yield(0);                               // sched_yield
            case 334, 435 -> ok(-org.paravane.vmm.linux.Errno.ENOSYS);           // rseq, clone3: libc falls back
            // ---- signals and the end
            case 13 -> ok(signals.rtSigaction(a, b, c, d));                       // rt_sigaction
            case 14 -> ok(signals.rtSigprocmask(a, b, c, d));                     // rt_sigprocmask
            case 127 -> ok(signals.rtSigpending(a, b));                           // rt_sigpending
            case 130 -> signals.rtSigsuspend(a, b);                               // rt_sigsuspend
            case 128 -> signals.rtSigtimedwait(t, a, b, c, d);                    // rt_sigtimedwait
            case 34 -> signals.pause();                                           // pause
            case 62 -> signals.kill(a, b);                                        // kill
            case 200 -> signals.tkill(-1, a, b);                                  // tkill
            case 234 -> signals.tkill(a, b, c);                                   // tgkill
            case 37 -> ok(timers.alarm(t, a));                                    // alarm
            case 38 -> ok(timers.setitimer(t, a, b, c));                          // setitimer
            case 36 -> ok(timers.getitimer(t, a, b));                             // getitimer
            case 222 -> ok(timers.timerCreate(t, a, b, c, thread.signals));       // timer_create
            case 223 -> ok(timers.timerSettime(t, a, b, c, d));                   // timer_settime
            case 224 -> ok(timers.timerGettime(t, a, b));                         // timer_gettime
            case 225 -> ok(timers.timerGetoverrun(a));                            // timer_getoverrun
            case 226 -> ok(timers.timerDelete(a));                                // timer_delete
            case 60 -> life.exit(a);                                              // exit
            case 231 -> life.exitGroup(a);                                        // exit_group
            default -> null;
        };
    }

    /** Whether the process has a new image since this table was made (execve). */
    boolean stale() {
        return process.memory() != memory;
    }

    /** ioctl: the console's foreground group is the process tree's; the rest is the file's. */
    private SyscallOutcome ioctl(int fd, int request, long arg) throws ErrnoException, GuestAccessException {
        if (request == GroupCalls.TIOCGPGRP || request == GroupCalls.TIOCSPGRP) {
            files.ioctl(fd, org.paravane.vmm.linux.fs.Fcntl.TCGETS);   // TCGETS: ENOTTY unless fd is the terminal
            if (request == GroupCalls.TIOCGPGRP) {
                process.memory().writeInt(arg, groups.foreground());
            } else {
                groups.setForeground(java.nio.ByteBuffer.wrap(process.memory().read(arg, 4))
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
            }
            return ok(0);
        }
        return ok(io.ioctl(fd, request, arg));
    }

    /**
     * A write to a pipe without readers: SIGPIPE to the writing thread (as Linux's send_sig: SI_USER from itself) and
     * EPIPE; the signal's action comes at the return to user mode (by default the end of the process).
     */
    SyscallOutcome brokenPipe() {
        thread.signals.post(SigInfo.sent(Signal.SIGPIPE, SigInfo.SI_USER, process.pid, 0));
        return new SyscallOutcome.Return(-org.paravane.vmm.linux.Errno.EPIPE);
    }

    /** The thread's task ended ({@code signal} killed it, or it exited with {@code code}). */
    void ended(int code, int signal) {
        life.ended(code, signal);
    }
}
