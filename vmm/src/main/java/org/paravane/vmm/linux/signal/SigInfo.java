package org.paravane.vmm.linux.signal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A {@code siginfo_t} (128 bytes): number, errno, code, and the union's first words, whose meaning the code gives
 * (sender pid and uid; fault address; timer id, overrun and value; child pid, uid, status and times). Built through
 * the factories, which say which union member is meant.
 */
public record SigInfo(int signo, int errno, int code, long word16, long word24, long word32, long word40) {
    public static final int SIZE = 128;
    public static final int SI_USER = 0, SI_KERNEL = 0x80, SI_QUEUE = -1, SI_TIMER = -2, SI_TKILL = -6;
    public static final int SEGV_MAPERR = 1, SEGV_ACCERR = 2, BUS_ADRALN = 1, BUS_ADRERR = 2, FPE_INTDIV = 1,
            FPE_FLTINV = 7, ILL_ILLOPN = 2, TRAP_BRKPT = 1, TRAP_TRACE = 2;
    public static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_STOPPED = 5, CLD_CONTINUED = 6;

    /** Sent by a process (kill: SI_USER, tkill/tgkill: SI_TKILL) or the kernel (SI_KERNEL). */
    public static SigInfo sent(int signo, int code, int pid, int uid) {
        return new SigInfo(signo, 0, code, pid & 0xFFFFFFFFL | (long) uid << 32, 0, 0, 0);
    }

    /** A fault at {@code address} (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP). */
    public static SigInfo fault(int signo, int code, long address) {
        return new SigInfo(signo, 0, code, address, 0, 0, 0);
    }

    /** A POSIX timer's expiry: SI_TIMER, the timer's id, the overrun count and the sigevent's value. */
    public static SigInfo timer(int signo, int timerId, int overrun, long value) {
        return new SigInfo(signo, 0, SI_TIMER, timerId & 0xFFFFFFFFL | (long) overrun << 32, value, 0, 0);
    }

    /** SIGCHLD: a child changed state ({@code code} CLD_*), its status as wait reports it, its times in clock ticks. */
    public static SigInfo child(int pid, int uid, int code, int status, long userTicks, long systemTicks) {
        return new SigInfo(Signal.SIGCHLD, 0, code, pid & 0xFFFFFFFFL | (long) uid << 32, status & 0xFFFFFFFFL,
                userTicks, systemTicks);
    }

    /** The sender's pid (the kill and child layouts). */
    public int pid() {
        return (int) word16;
    }

    /** The fault address (the fault layout). */
    public long address() {
        return word16;
    }

    public SigInfo withSigno(int signo) {
        return new SigInfo(signo, errno, code, word16, word24, word32, word40);
    }

    public byte[] bytes() {
        return ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN).putInt(signo).putInt(errno).putInt(code)
                .putInt(0).putLong(word16).putLong(word24).putLong(word32).putLong(word40).array();
    }
}
