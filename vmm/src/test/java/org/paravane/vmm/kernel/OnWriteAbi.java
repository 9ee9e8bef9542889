package org.paravane.vmm.kernel;

import java.util.function.BooleanSupplier;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.vmm.kernel.abi.Blocked;
import org.paravane.vmm.kernel.abi.SyscallAbi;
import org.paravane.vmm.kernel.abi.SyscallOutcome;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.abi.paravane.ParavaneAbi;
import org.paravane.vmm.kernel.wait.WaitQueue;

/**
 * A test ABI: the Paravane ABI with its write call (number 1) handed to {@link #write}, by default the lambda given,
 * which may block, kill or pass the call on ({@link #paravane}); every task's end goes to the exit hook. Tests that
 * need more of {@link SyscallAbi} (the interrupt hooks, the ABI itself for a new task) subclass it.
 */
class OnWriteAbi implements SyscallAbi {
    interface Write {
        SyscallOutcome call(SyscallTask task, GeneralRegisters registers);
    }

    interface Exit {
        void exited(SyscallTask task, int code, int signal);
    }

    private final String name;
    private final Write write;
    private final Exit exit;

    OnWriteAbi(String name, Write write, Exit exit) {
        this.name = name;
        this.write = write;
        this.exit = exit;
    }

    OnWriteAbi(String name, Write write) {
        this(name, write, (task, code, signal) -> { });
    }

    /** For a subclass that overrides {@link #write}. */
    OnWriteAbi(String name) {
        this(name, OnWriteAbi::paravane);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SyscallOutcome dispatch(SyscallTask task, GeneralRegisters registers) {
        return registers.rax() == 1 ? write(task, registers) : paravane(task, registers);
    }

    SyscallOutcome write(SyscallTask task, GeneralRegisters registers) {
        return write.call(task, registers);
    }

    @Override
    public void exited(SyscallTask task, int code, int signal) {
        exit.exited(task, code, signal);
    }

    /** The call as the Paravane ABI carries it out. */
    static SyscallOutcome paravane(SyscallTask task, GeneralRegisters registers) {
        return ParavaneAbi.INSTANCE.dispatch(task, registers);
    }

    /** A call that no wake ends: it waits until the kernel lets it go, which runs {@code onCancel}. */
    static SyscallOutcome.Block untilCancelled(Runnable onCancel) {
        return new SyscallOutcome.Block(new Blocked() {
            @Override
            public SyscallOutcome resume(SyscallTask task) {
                return new SyscallOutcome.Block(this);
            }

            @Override
            public void cancel() {
                onCancel.run();
            }
        });
    }

    /** The write waits on {@code queue} until {@code ready} holds, then runs {@code then} and is carried out. */
    static SyscallOutcome writeWhen(WaitQueue queue, BooleanSupplier ready, Runnable then, SyscallTask task,
                                    GeneralRegisters registers) {
        queue.add(task.waker());
        if (!ready.getAsBoolean()) {
            return new SyscallOutcome.Block(t -> writeWhen(queue, ready, then, t, registers));
        }
        queue.remove(task.waker());
        then.run();
        return paravane(task, registers);
    }
}
