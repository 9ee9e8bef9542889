package org.paravane.emulated.vstate;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.paravane.api.asyncpf.AsyncPfAbi;
import org.paravane.api.asyncpf.AsyncPfHost;
import org.paravane.api.asyncpf.HostAsyncPf;
import org.paravane.api.asyncpf.HostFault;
import org.paravane.api.asyncpf.HostFaultResult;
import org.paravane.api.asyncpf.HostVcpuPort;

/**
 * A scripted host-side async page fault engine: records what the backend tells it and answers host faults with
 * whatever the test's {@code policy} decides, injecting through the vCPU port as the real engine does.
 */
final class FakeAsyncPfEngine implements AsyncPfHost {
    final List<Handle> attached = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile Function<Handle, HostFaultResult> policy;

    FakeAsyncPfEngine(Function<Handle, HostFaultResult> policy) {
        this.policy = policy;
    }

    @Override
    public synchronized HostAsyncPf attach(HostVcpuPort vcpu) {
        Handle h = new Handle(vcpu);
        attached.add(h);
        return h;
    }

    final class Handle implements HostAsyncPf {
        final HostVcpuPort port;
        final List<HostFault> faults = new ArrayList<>();
        final List<String> msrWrites = new java.util.concurrent.CopyOnWriteArrayList<>();
        final AtomicBoolean completion = new AtomicBoolean();
        volatile boolean closed;
        int beforeEntries;
        volatile long enable;
        volatile long vector;
        HostFault last;

        Handle(HostVcpuPort port) {
            this.port = port;
        }

        @Override
        public HostFaultResult handle(HostFault fault) {
            last = fault;
            faults.add(last);
            return policy.apply(this);
        }

        @Override
        public boolean isEnabled() {
            return (enable & AsyncPfAbi.EN_ENABLED) != 0;
        }

        @Override
        public void writeMsr(int index, long value) {
            msrWrites.add(Integer.toHexString(index) + "=" + Long.toHexString(value));
            if (index == AsyncPfAbi.MSR_ASYNC_PF_EN) {
                enable = value;
            } else if (index == AsyncPfAbi.MSR_ASYNC_PF_INT) {
                vector = value;
            }
        }

        @Override
        public long readMsr(int index) {
            return index == AsyncPfAbi.MSR_ASYNC_PF_EN ? enable : index == AsyncPfAbi.MSR_ASYNC_PF_INT ? vector : 0;
        }

        @Override
        public void beforeEntry() {
            beforeEntries++;
            if (completion.getAndSet(false)) {
                port.injectInterrupt((int) vector);
            }
        }

        @Override
        public boolean hasCompletions() {
            return completion.get();
        }

        /** A fetch completed (any thread): page ready at the next entry. */
        void complete() {
            completion.set(true);
            port.kick();
        }

        @Override
        public void reset() {
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public Stats stats() {
            return new Stats(0, 0, 0, 0, 0, 0, 0, 0);
        }
    }
}
