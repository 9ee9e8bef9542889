package org.paravane.vmm.linux.futex;

import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;

/**
 * FUTEX_WAKE_OP's encoded operation ({@code val3}): {@code op:4 cmp:4 oparg:12 cmparg:12}, the arguments signed; op
 * bit 3 (FUTEX_OP_OPARG_SHIFT) makes the argument {@code 1 << oparg}.
 */
record WakeOp(int op, int cmp, int oparg, int cmparg) {
    static final int SET = 0, ADD = 1, OR = 2, ANDN = 3, XOR = 4;
    static final int CMP_EQ = 0, CMP_NE = 1, CMP_LT = 2, CMP_LE = 3, CMP_GT = 4, CMP_GE = 5;
    private static final int OPARG_SHIFT = 8;

    static WakeOp decode(int encoded) {
        int op = (encoded >>> 28) & 0xF;
        int oparg = (encoded << 8) >> 20;           // bits 12..23, sign-extended
        int cmparg = (encoded << 20) >> 20;         // bits 0..11, sign-extended
        if ((op & OPARG_SHIFT) != 0) {
            oparg = 1 << (oparg & 31);              // Linux masks an out-of-range shift (and logs it)
        }
        return new WakeOp(op & 7, (encoded >>> 24) & 0xF, oparg, cmparg);
    }

    /**
     * Changes the word at {@code address} atomically and answers whether its old value passes the comparison. An
     * unknown operation changes nothing; an unknown comparison is found after the change, as in Linux (ENOSYS).
     */
    boolean apply(FutexMemory memory, long address) throws GuestAccessException, ErrnoException {
        if (op > XOR) {
            throw new ErrnoException(Errno.ENOSYS, "futex wake op " + op);
        }
        int old = memory.load(address);
        while (true) {
            int witness = memory.compareAndExchange(address, old, changed(old));
            if (witness == old) {
                break;
            }
            old = witness;
        }
        return switch (cmp) {
            case CMP_EQ -> old == cmparg;
            case CMP_NE -> old != cmparg;
            case CMP_LT -> old < cmparg;
            case CMP_LE -> old <= cmparg;
            case CMP_GT -> old > cmparg;
            case CMP_GE -> old >= cmparg;
            default -> throw new ErrnoException(Errno.ENOSYS, "futex wake op comparison " + cmp);
        };
    }

    private int changed(int old) {
        return switch (op) {
            case SET -> oparg;
            case ADD -> old + oparg;
            case OR -> old | oparg;
            case ANDN -> old & ~oparg;
            default -> old ^ oparg;
        };
    }
}
