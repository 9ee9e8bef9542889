package org.paravane.vmm.linux.futex;

import org.paravane.vmm.kernel.abi.Blocked;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.linux.Errno;

/**
 * A task blocked in FUTEX_WAIT or FUTEX_WAIT_BITSET: 0 once a futex wake took its waiter, -ETIMEDOUT once its deadline
 * (kernel clock) passed first, otherwise it blocks again (a spurious resumption).
 */
final class FutexWait implements Blocked {
    private final FutexTable table;
    private final Waiter waiter;
    private final long deadline;

    FutexWait(FutexTable table, Waiter waiter, long deadline) {
        this.table = table;
        this.waiter = waiter;
        this.deadline = deadline;
    }

    @Override
    public SyscallOutcome resume(SyscallTask task) {
        if (waiter.woken()) {
            return new SyscallOutcome.Return(0);
        }
        if (deadline != SyscallOutcome.Block.NO_DEADLINE && task.nanosSinceStart() >= deadline) {
            // a wake that came after the deadline but before we left still counts, as in Linux
            return new SyscallOutcome.Return(table.leave(waiter) ? -Errno.ETIMEDOUT : 0);
        }
        return new SyscallOutcome.Block(this, deadline);
    }

    @Override
    public void cancel() {
        table.leave(waiter);
    }
}
