package org.paravane.asyncpf.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.api.asyncpf.AsyncPfAbi.AREA_FLAGS;
import static org.paravane.api.asyncpf.AsyncPfAbi.AREA_TOKEN;
import static org.paravane.api.asyncpf.AsyncPfAbi.DEFAULT_READY_VECTOR;
import static org.paravane.api.asyncpf.AsyncPfAbi.EN_DELIVERY_AS_INT;
import static org.paravane.api.asyncpf.AsyncPfAbi.EN_ENABLED;
import static org.paravane.api.asyncpf.AsyncPfAbi.MSR_ASYNC_PF_ACK;
import static org.paravane.api.asyncpf.AsyncPfAbi.MSR_ASYNC_PF_EN;
import static org.paravane.api.asyncpf.AsyncPfAbi.MSR_ASYNC_PF_INT;
import static org.paravane.api.asyncpf.AsyncPfAbi.WAKE_ALL_TOKEN;
import static org.paravane.asyncpf.testing.Await.await;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.paravane.api.asyncpf.HostFaultResult;
import org.paravane.api.asyncpf.HostFault;
import org.paravane.api.memory.PageSourceException;
import org.paravane.asyncpf.testing.ArenaGuestMemory;
import org.paravane.asyncpf.testing.TestPort;
import org.paravane.testkit.GatedPageSource;

/** One vCPU's host state over test memory, a gated page source and a recording port. */
final class HostFixture implements AutoCloseable {

    static final int VECTOR = DEFAULT_READY_VECTOR;

    final GatedPageSource source;
    final ArenaGuestMemory memory;
    final AsyncPfHostService service;
    final TestPort port;
    final VcpuAsyncPf apf;
    private final ExecutorService vcpuThreads = Executors.newCachedThreadPool(r -> new Thread(r, "test-vcpu"));

    HostFixture(int vcpu) {
        this(vcpu, new GatedPageSource());
    }

    HostFixture(int vcpu, GatedPageSource source) {
        this.source = source;
        this.memory = new ArenaGuestMemory(source, 512);
        this.service = new AsyncPfHostService(config(2));
        this.port = new TestPort(vcpu, memory.memory());
        this.apf = (VcpuAsyncPf) service.attach(port);
    }

    /** The engine's configuration as Config Admin gives it. */
    static Map<String, Object> config(Object threads) {
        return Map.of("fetch.threads", threads);
    }

    int vcpu() {
        return port.vcpuId();
    }

    long areaAddress() {
        return ArenaGuestMemory.area(vcpu());
    }

    /** The guest's enable sequence: the vector first, then the area with ENABLED and DELIVERY_AS_INT. */
    void enable(long extraBits) {
        apf.writeMsr(MSR_ASYNC_PF_INT, VECTOR);
        apf.writeMsr(MSR_ASYNC_PF_EN, areaAddress() | EN_ENABLED | EN_DELIVERY_AS_INT | extraBits);
    }

    /** Enables and takes the wake-all every enable queues, as the guest's interrupt handler would. */
    void enableAndTakeWakeAll(long extraBits) {
        enable(extraBits);
        apf.beforeEntry();
        assertThat(slotToken()).as("the enable's wake-all").isEqualTo(WAKE_ALL_TOKEN);
        guestAck();
        port.interrupts.clear();
    }

    MemorySegment area() {
        try {
            return memory.memory().slice(areaAddress(), 64);
        } catch (PageSourceException e) {
            throw new AssertionError(e);
        }
    }

    int slotToken() {
        return area().get(ValueLayout.JAVA_INT, AREA_TOKEN);
    }

    int flags() {
        return area().get(ValueLayout.JAVA_INT, AREA_FLAGS);
    }

    /** The guest's #PF entry reads and clears the reason. */
    int readAndResetFlags() {
        int f = flags();
        area().set(ValueLayout.JAVA_INT, AREA_FLAGS, 0);
        return f;
    }

    /** The guest's page-ready handler after waking: clear the slot, then ACK. */
    void guestAck() {
        area().set(ValueLayout.JAVA_INT, AREA_TOKEN, 0);
        apf.writeMsr(MSR_ASYNC_PF_ACK, 1);
    }

    static long page(int n) {
        return ArenaGuestMemory.page(n);
    }

    HostFaultResult fault(int page) {
        return apf.handle(new HostFault(vcpu(), page(page), 0x401000, false, false));
    }

    /** A fault taken on another thread, for the paths where the vCPU thread waits. */
    Future<HostFaultResult> faultOnVcpuThread(int page) {
        return vcpuThreads.submit(() -> fault(page));
    }

    /** The vCPU thread of a pending fault is parked in the host table. */
    void awaitHostWaiters(int n) {
        await(() -> apf.hostWaits().size() == n, n + " vCPU thread(s) waiting in the host");
    }

    void awaitCompletions() {
        await(apf::hasCompletions, "a completion in done");
    }

    @Override
    public void close() {
        service.deactivate();
        vcpuThreads.shutdownNow();
        memory.close();
    }
}
