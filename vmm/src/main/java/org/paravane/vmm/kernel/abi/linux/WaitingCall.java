package org.paravane.vmm.kernel.abi.linux;

import java.util.function.Function;
import org.paravane.vmm.kernel.abi.Blocked;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.wait.Waker;
import org.paravane.vmm.linux.WouldBlock;

/**
 * A system call waiting on wait queues (a pipe, an eventfd, the files of a poll): armed on every queue of its {@link
 * CallBlocks} before each check, so no wake between the check and the task's suspension is lost; resumed on the
 * task's vCPU to try again. The queues it waits on may change from one try to the next (a poll set whose files
 * change); it leaves them all when it completes or is cancelled.
 */
final class WaitingCall implements Blocked {
    private final Waker waker;
    /** How an attempt's result or failure becomes the call's outcome (errno, EFAULT, SIGPIPE). */
    private final Function<CallBlocks.Attempt, SyscallOutcome> settle;
    /** The first wait's completion action (later waits are the retry's and do not know it). */
    private final Runnable completed;
    private CallBlocks current;

    private WaitingCall(Waker waker, CallBlocks first, Function<CallBlocks.Attempt, SyscallOutcome> settle) {
        this.waker = waker;
        this.current = first;
        this.settle = settle;
        this.completed = first.completed;
    }

    /** The call could not complete ({@code blocks}): arm, try again, and block when it still cannot. */
    static SyscallOutcome start(SyscallTask task, CallBlocks blocks, Function<CallBlocks.Attempt, SyscallOutcome> settle) {
        WaitingCall call = new WaitingCall(task.waker(), blocks, settle);
        call.arm(blocks);
        return call.tryAgain();
    }

    @Override
    public SyscallOutcome resume(SyscallTask task) {
        return tryAgain();
    }

    @Override
    public Restart restart() {
        return current.restartable ? Restart.WITH_SA_RESTART : Restart.NEVER;
    }

    @Override
    public void cancel() {
        disarm(current);
    }

    /** What the call moved before it waited: a signal that ends the wait makes the call return it when not 0. */
    long moved() {
        return current.moved;
    }

    private SyscallOutcome tryAgain() {
        while (true) {
            CallBlocks[] next = new CallBlocks[1];
            SyscallOutcome outcome = settle.apply(() -> {
                try {
                    return current.retry.attempt();
                } catch (CallBlocks more) {
                    next[0] = more;
                    return 0;
                } catch (WouldBlock w) {
                    next[0] = CallBlocks.on(w, current.retry);
                    return 0;
                }
            });
            if (next[0] == null) {
                disarm(current);
                if (completed != null) {
                    completed.run();
                }
                return outcome;
            }
            CallBlocks more = next[0];
            if (more.interests.equals(current.interests)) {
                current = more;
                return new SyscallOutcome.Block(this, more.deadlineNanos);
            }
            // Other queues this time: arm on them and check once more before leaving.
            disarm(current);
            current = more;
            arm(more);
        }
    }

    private void arm(CallBlocks blocks) {
        blocks.interests.forEach(i -> i.queue().add(waker, i.events()));
    }

    private void disarm(CallBlocks blocks) {
        blocks.interests.forEach(i -> i.queue().remove(waker));
    }
}
