package org.paravane.vmm.kernel.abi.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.wait.WaitQueue;
import org.paravane.vmm.kernel.wait.Waker;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.WouldBlock;
import org.paravane.vmm.linux.fs.FileContents;
import org.paravane.vmm.linux.fs.pipe.Pipe;

/** A blocked call's discipline: armed before its check, blocked while it cannot go on, done when woken and able. */
class WaitingCallTest {
    private final AtomicInteger wakes = new AtomicInteger();
    private final Waker waker = wakes::incrementAndGet;
    private final SyscallTask task = (SyscallTask) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {SyscallTask.class}, (proxy, method, args) -> switch (method.getName()) {
                case "waker" -> waker;
                case "nanosSinceStart" -> 0L;
                case "hashCode" -> 1;
                case "equals" -> proxy == args[0];
                default -> throw new UnsupportedOperationException(method.getName());
            });

    private static SyscallOutcome settle(CallBlocks.Attempt attempt) {
        try {
            return new SyscallOutcome.Return(attempt.attempt());
        } catch (ErrnoException e) {
            return new SyscallOutcome.Return(-e.errno());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static CallBlocks.Attempt read(FileContents end) {
        return () -> end.read(ByteBuffer.allocate(100), -1);
    }

    private static CallBlocks blocked(WouldBlock w, CallBlocks.Attempt retry) {
        return CallBlocks.on(w, retry);
    }

    @Test
    void aReadOfAnEmptyPipeBlocksArmedAndCompletesWhenWoken() throws Exception {
        Pipe pipe = new Pipe();
        FileContents in = pipe.reader(), out = pipe.writer();
        WouldBlock first = null;
        try {
            in.read(ByteBuffer.allocate(1), -1);
        } catch (WouldBlock w) {
            first = w;
        }
        SyscallOutcome outcome = WaitingCall.start(task, blocked(first, read(in)), WaitingCallTest::settle);
        SyscallOutcome.Block block = (SyscallOutcome.Block) outcome;
        assertThat(in.waiters().size()).as("armed on the pipe").isEqualTo(1);
        out.write(ByteBuffer.wrap("hey".getBytes()), -1);
        assertThat(wakes).hasValue(1);
        assertThat(block.blocked().resume(task)).isEqualTo(new SyscallOutcome.Return(3));
        assertThat(in.waiters().isEmpty()).as("done: it left the queue").isTrue();
    }

    @Test
    void aSpuriousWakeBlocksAgainAndCancelLeavesTheQueue() throws Exception {
        WaitQueue queue = new WaitQueue();
        CallBlocks.Attempt never = () -> {
            throw new WouldBlock(queue, 1, "never");
        };
        SyscallOutcome.Block block = (SyscallOutcome.Block) WaitingCall.start(task,
                new CallBlocks(List.of(new CallBlocks.Interest(queue, 1)), 77, never), WaitingCallTest::settle);
        assertThat(block.deadlineNanos()).isEqualTo(Long.MAX_VALUE);
        SyscallOutcome again = block.blocked().resume(task);
        assertThat(again).isInstanceOf(SyscallOutcome.Block.class);
        assertThat(queue.size()).isEqualTo(1);
        ((SyscallOutcome.Block) again).blocked().cancel();
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void aCallThatCanGoOnAtTheSecondCheckDoesNotBlock() throws Exception {
        WaitQueue queue = new WaitQueue();
        SyscallOutcome outcome = WaitingCall.start(task,
                new CallBlocks(List.of(new CallBlocks.Interest(queue, 1)), Long.MAX_VALUE, () -> 5), WaitingCallTest::settle);
        assertThat(outcome).isEqualTo(new SyscallOutcome.Return(5));
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void whatAWriteMovedBeforeItBlockedIsAddedToItsResult() throws Exception {
        WaitQueue queue = new WaitQueue();
        AtomicInteger tries = new AtomicInteger();
        CallBlocks.Attempt rest = () -> {
            if (tries.incrementAndGet() < 2) {
                throw new CallBlocks(List.of(new CallBlocks.Interest(queue, 4)), Long.MAX_VALUE, () -> 10).plus(20);
            }
            return 30;
        };
        CallBlocks blocks = new CallBlocks(List.of(new CallBlocks.Interest(queue, 4)), Long.MAX_VALUE, rest).plus(100);
        SyscallOutcome.Block block = (SyscallOutcome.Block) WaitingCall.start(task, blocks, WaitingCallTest::settle);
        assertThat(block.blocked().resume(task)).as("100 before, 20 then, 10 at last").isEqualTo(new SyscallOutcome.Return(130));
    }

    @Test
    void anErrorWhileWaitingIsTheCallsResult() throws Exception {
        WaitQueue queue = new WaitQueue();
        SyscallOutcome outcome = WaitingCall.start(task, new CallBlocks(List.of(new CallBlocks.Interest(queue, 1)),
                Long.MAX_VALUE, () -> {
                    throw new ErrnoException(Errno.EBADF, "closed meanwhile");
                }), WaitingCallTest::settle);
        assertThat(outcome).isEqualTo(new SyscallOutcome.Return(-Errno.EBADF));
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void pollsNeverRestartReadsDoWithSaRestart() throws Exception {
        WaitQueue queue = new WaitQueue();
        List<CallBlocks.Interest> on = List.of(new CallBlocks.Interest(queue, 1));
        CallBlocks.Attempt never = () -> {
            throw new WouldBlock(queue, 1, "never");
        };
        var read = (SyscallOutcome.Block) WaitingCall.start(task, new CallBlocks(on, Long.MAX_VALUE, never),
                WaitingCallTest::settle);
        assertThat(read.blocked().restart()).isEqualTo(org.paravane.vmm.kernel.abi.Blocked.Restart.WITH_SA_RESTART);
        var poll = (SyscallOutcome.Block) WaitingCall.start(task, CallBlocks.neverRestarted(on, Long.MAX_VALUE, () -> {
            throw CallBlocks.neverRestarted(on, Long.MAX_VALUE, never);
        }), WaitingCallTest::settle);
        assertThat(poll.blocked().restart()).isEqualTo(org.paravane.vmm.kernel.abi.Blocked.Restart.NEVER);
    }
}
