package org.paravane.emulated.vstate;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.paravane.api.asyncpf.AsyncPfAbi;
import org.paravane.api.asyncpf.AsyncPfHost;
import org.paravane.api.asyncpf.HostAsyncPf;
import org.paravane.api.asyncpf.HostFault;
import org.paravane.api.asyncpf.HostFaultResult;
import org.paravane.api.asyncpf.HostVcpuPort;
import org.paravane.api.memory.PageSourceException;
import org.paravane.emulated.cpu.Msrs;

/**
 * One software vCPU's link to the host-side async page fault engine ({@link AsyncPfHost}) bound to the backend, if
 * any: the guest's async-PF MSRs (kept here, so they survive engines coming and going, and forwarded to the engine),
 * attaching to the current engine and detaching from one that left, and the guest's guarantee when an engine leaves.
 *
 * <p>Tokens the engine injected are never completed once it is gone, so a guest that still has async PF enabled
 * would wait for ever. As Linux guarantees when async PF goes away under a guest, this link then owes the guest a
 * <b>wake-all</b> "page ready" (token {@link AsyncPfAbi#WAKE_ALL_TOKEN}): it writes it to the area's token slot as
 * soon as the slot is free (a "page ready" the engine injected before it left is taken and acknowledged first) and
 * injects the page-ready vector, exactly as the engine would have. Until an engine is back, faults are served
 * synchronously by the vCPU thread; a successor engine gets the MSRs replayed, and its enable queues the wake-all
 * itself, so nothing is owed then.
 *
 * <p>Everything runs on the vCPU thread except {@link #engineChanged} and {@link #releaseWaits}.
 */
final class AsyncPfLink implements Msrs.Extension {
    private static final Logger LOG = Logger.getLogger(AsyncPfLink.class.getName());
    private static final VarHandle U32 = ValueLayout.JAVA_INT.varHandle();

    private final int vcpuId;
    private final HostVcpuPort port;
    private final Supplier<AsyncPfHost> engines;

    // The guest's MSR values; written on the vCPU thread or while the vCPU is stopped.
    private long enable;
    private long vector;
    private volatile HostAsyncPf apf;
    private volatile AsyncPfHost owner;
    /** An engine left while the guest had async PF enabled: a wake-all is due once the token slot is free. */
    private boolean wakeAllOwed;

    /**
     * @param engines the engine the vCPU should be attached to now (null: none)
     */
    AsyncPfLink(int vcpuId, HostVcpuPort port, Supplier<AsyncPfHost> engines) {
        this.vcpuId = vcpuId;
        this.port = port;
        this.engines = engines;
    }

    long enable() {
        return enable;
    }

    long vector() {
        return vector;
    }

    /** The engine's state for this vCPU, or null: faults are fetched by the vCPU thread. */
    HostAsyncPf engine() {
        return apf;
    }

    /** The backend's engine changed ({@code gone} left, or null): close its state so a waiting vCPU thread returns. */
    void engineChanged(AsyncPfHost gone) {
        if (gone != null && owner == gone) {
            HostAsyncPf h = apf;
            if (h != null) {
                h.close();
            }
        }
    }

    /** Attaches to the current engine (replaying the guest's MSRs) or detaches from one that left. vCPU thread. */
    void sync() {
        AsyncPfHost current = engines.get();
        if (current == owner) {
            return;
        }
        boolean left = detach();
        if (current == null) {
            if (left) {
                owe();
            }
            return;
        }
        try {
            HostAsyncPf h = current.attach(port);
            apf = h;
            owner = current;
            if (vector != 0) {
                h.writeMsr(AsyncPfAbi.MSR_ASYNC_PF_INT, vector);
            }
            if (enable != 0) {
                h.writeMsr(AsyncPfAbi.MSR_ASYNC_PF_EN, enable);   // queues the wake-all, as after a migration
                wakeAllOwed = false;
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not attach vCPU " + vcpuId + " to the async page fault engine; fetching synchronously", e);
            detach();
            owe();
        }
    }

    /**
     * Hands a host-absent page to the engine.
     *
     * @return the engine's answer, or null when there is no engine or it failed (detached): the caller fetches
     */
    HostFaultResult handle(HostFault fault) {
        HostAsyncPf h = apf;
        if (h == null) {
            return null;
        }
        try {
            return h.handle(fault);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "async page fault engine failed on vCPU " + vcpuId + "; fetching synchronously", e);
            detach();
            owe();
            return null;
        }
    }

    /** Before each guest entry: the engine's completions, or the wake-all owed since an engine left. vCPU thread. */
    void beforeEntry() {
        HostAsyncPf h = apf;
        if (h == null) {
            deliverOwedWakeAll();
            return;
        }
        try {
            h.beforeEntry();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "async page fault engine failed on vCPU " + vcpuId + "; fetching synchronously", e);
            detach();
            owe();
        }
    }

    /** A halted vCPU has work: completions of the engine. */
    boolean hasCompletions() {
        HostAsyncPf h = apf;
        return h != null && h.hasCompletions();
    }

    /** Closes the engine state from another thread, so a vCPU waiting inside it returns (VM close). */
    void releaseWaits() {
        HostAsyncPf h = apf;
        if (h != null) {
            h.close();
        }
    }

    /** The VM is closing: detach without telling the guest anything. */
    void close() {
        detach();
    }

    /** Closes the engine state, if any. Returns whether there was one. */
    private boolean detach() {
        HostAsyncPf h = apf;
        apf = null;
        owner = null;
        if (h == null) {
            return false;
        }
        try {
            h.close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "closing the async PF state of vCPU " + vcpuId, e);
        }
        return true;
    }

    /** The engine left and no other took over: the guest goes on without one and is owed the wake-all. */
    private void owe() {
        if (guestEnabled()) {
            wakeAllOwed = true;
            deliverOwedWakeAll();
        }
    }

    /** The guest turned async PF on with interrupt delivery and a vector: it may be waiting for tokens. */
    private boolean guestEnabled() {
        return (enable & AsyncPfAbi.EN_ENABLED) != 0 && (enable & AsyncPfAbi.EN_DELIVERY_AS_INT) != 0 && vector != 0;
    }

    /** Writes the owed wake-all to the token slot and injects "page ready", once the guest has freed the slot. */
    private void deliverOwedWakeAll() {
        if (!wakeAllOwed) {
            return;
        }
        if (!guestEnabled()) {
            wakeAllOwed = false;   // the guest turned async PF off: it woke its own sleepers (kvm_guest_cpu_offline)
            return;
        }
        long slot = (enable & AsyncPfAbi.EN_AREA_MASK) + AsyncPfAbi.AREA_TOKEN;
        MemorySegment token;
        try {
            token = port.memory().slice(slot, Integer.BYTES);
        } catch (PageSourceException | IllegalArgumentException e) {
            LOG.log(Level.WARNING, "vCPU " + vcpuId + ": the async PF area at 0x" + Long.toHexString(slot)
                    + " is not usable; the wake-all for the engine that left cannot be delivered", e);
            wakeAllOwed = false;
            return;
        }
        if ((int) U32.getVolatile(token, 0L) != 0) {
            return;   // a "page ready" is still being taken: retried at its ACK or the next entry
        }
        U32.setVolatile(token, 0L, AsyncPfAbi.WAKE_ALL_TOKEN);
        port.injectInterrupt((int) vector);
        wakeAllOwed = false;
    }

    // ---- Msrs.Extension: the KVM async-PF MSRs, forwarded to the engine when one is attached ----

    @Override
    public boolean handles(int index) {
        return index == AsyncPfAbi.MSR_ASYNC_PF_EN || index == AsyncPfAbi.MSR_ASYNC_PF_INT
                || index == AsyncPfAbi.MSR_ASYNC_PF_ACK;
    }

    @Override
    public long read(int index) {
        HostAsyncPf h = apf;
        if (h != null) {
            return h.readMsr(index);
        }
        return switch (index) {
            case AsyncPfAbi.MSR_ASYNC_PF_EN -> enable;
            case AsyncPfAbi.MSR_ASYNC_PF_INT -> vector;
            default -> 0;
        };
    }

    @Override
    public void write(int index, long value) {
        if (index == AsyncPfAbi.MSR_ASYNC_PF_EN && (value & AsyncPfAbi.EN_RESERVED) != 0) {
            throw new IllegalArgumentException("reserved bits");
        }
        if (index == AsyncPfAbi.MSR_ASYNC_PF_INT && (value & ~0xFFL) != 0) {
            throw new IllegalArgumentException("vector out of range");
        }
        HostAsyncPf h = apf;
        if (h != null) {
            h.writeMsr(index, value);
        }
        switch (index) {
            case AsyncPfAbi.MSR_ASYNC_PF_EN -> enable = value;
            case AsyncPfAbi.MSR_ASYNC_PF_INT -> vector = value;
            default -> {
                if (h == null && (value & 1) != 0) {
                    deliverOwedWakeAll();   // the ACK of the last "page ready": the slot is free now
                }
            }
        }
    }
}
