package org.paravane.kvm.vstate.vcpu;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.paravane.api.asyncpf.AsyncPfAbi;
import org.paravane.api.backend.BackendException;
import org.paravane.api.cpu.ModelSpecificRegisters;
import org.paravane.api.cpu.Msr;
import org.paravane.kvm.ioctls.KvmLayouts;
import org.paravane.kvm.ioctls.VcpuFd;

/**
 * A vCPU's MSRs through KVM_GET_MSRS/KVM_SET_MSRS: the API's set ({@link ModelSpecificRegisters}) with a cache of
 * what the vCPU is known to hold, single MSRs as the guest kernel reads and writes them, and the async-PF MSRs —
 * kept here for a VM without irqchip, checked against the irqchip otherwise, the "page ready" vector noted.
 */
final class VcpuMsrs {
    private static final int MAX_MSRS = 32;

    private final VcpuHost host;
    private final VcpuFd fd;
    private final String where;
    private final Runnable acknowledged;
    private final MemorySegment msrsBuf;
    private final MsrCache cache = new MsrCache();
    private final KeptAsyncPfMsrs kept;
    private int asyncPfVector = -1;

    /** {@code acknowledged} runs before a guest's MSR_KVM_ASYNC_PF_ACK write reaches KVM (the EOI a host may need). */
    VcpuMsrs(VcpuHost host, VcpuFd fd, Arena arena, String where, Runnable acknowledged) {
        this.host = host;
        this.fd = fd;
        this.where = where;
        this.acknowledged = acknowledged;
        this.msrsBuf = arena.allocate(KvmLayouts.KVM_MSRS.byteSize() + MAX_MSRS * KvmLayouts.KVM_MSR_ENTRY.byteSize(), 8);
        this.kept = new KeptAsyncPfMsrs(where);
    }

    /** The vector the guest programmed into MSR_KVM_ASYNC_PF_INT, or -1. */
    int asyncPfVector() {
        return asyncPfVector;
    }

    /** The guest may have run: nothing is known any more. */
    void forget() {
        cache.forget();
    }

    /** Refuses values KVM cannot hold here, and async page faults in a VM that cannot have them. */
    void validate(ModelSpecificRegisters msrs) {
        for (Map.Entry<Msr, Long> e : msrs.values().entrySet()) {
            if (e.getValue() != 0 && !host.msrSupported(e.getKey().index())) {
                throw new BackendException(BackendException.Reason.INVALID_REQUEST, where + ": KVM on this host cannot hold "
                        + e.getKey() + " (MSR 0x" + Integer.toHexString(e.getKey().index()) + ") = 0x" + Long.toHexString(e.getValue()));
            }
        }
        boolean apf = msrs.get(Msr.KVM_ASYNC_PF_EN) != 0 || msrs.get(Msr.KVM_ASYNC_PF_INT) != 0;
        if (apf && !host.irqchip() && !host.asyncPfMsrsOnly()) {
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, where + ": the state enables async page faults "
                    + "(MSR_KVM_ASYNC_PF_EN 0x" + Long.toHexString(msrs.get(Msr.KVM_ASYNC_PF_EN)) + "), which needs the in-kernel "
                    + "irqchip; this VM has none (asyncPageFaults=OFF or the host lacks it)");
        }
    }

    /** The MSRs of the API that KVM holds here, in write order (the async-PF vector before the enable). */
    private List<Msr> carried() {
        List<Msr> out = new ArrayList<>();
        for (Msr m : Msr.values()) {
            if (m != Msr.KVM_ASYNC_PF_EN && host.msrSupported(m.index())) {
                out.add(m);
            }
        }
        if (host.msrSupported(Msr.KVM_ASYNC_PF_EN.index())) {
            out.add(Msr.KVM_ASYNC_PF_EN);
        }
        return out;
    }

    ModelSpecificRegisters read() {
        if (cache.known() != null) {
            return cache.known();
        }
        List<Msr> list = carried();
        fill(list.stream().map(m -> new long[] {m.index(), 0}).toList());
        int n = fd.getMsrs(msrsBuf);
        EnumMap<Msr, Long> values = new EnumMap<>(Msr.class);
        for (int i = 0; i < n; i++) {
            long v = msrsBuf.get(JAVA_LONG, entry(i) + 8);
            if (v != 0) {
                values.put(list.get(i), v);   // zero means "not set" in ModelSpecificRegisters: keep the map canonical
            }
        }
        if (host.asyncPfMsrsOnly()) {
            values.remove(Msr.KVM_ASYNC_PF_EN);
            values.remove(Msr.KVM_ASYNC_PF_INT);
            if (kept.enable() != 0) {
                values.put(Msr.KVM_ASYNC_PF_EN, kept.enable());
            }
            if (kept.vector() != 0) {
                values.put(Msr.KVM_ASYNC_PF_INT, kept.vector());
            }
        }
        ModelSpecificRegisters read = new ModelSpecificRegisters(values);
        cache.remember(read);
        return read;
    }

    void write(ModelSpecificRegisters msrs) {
        if (cache.holds(msrs)) {
            return;
        }
        List<long[]> entries = new ArrayList<>();
        for (Msr m : cache.changes(msrs, carried())) {
            long v = msrs.get(m);
            if (m == Msr.KVM_ASYNC_PF_INT || m == Msr.KVM_ASYNC_PF_EN) {
                if (host.asyncPfMsrsOnly()) {
                    keep(m.index(), v);
                    continue;
                }
                if (!host.irqchip()) {
                    continue;   // reads as 0 there; validate refused non-zero values
                }
                if (m == Msr.KVM_ASYNC_PF_INT) {
                    asyncPfVector = (int) (v & 0xFF);
                }
            }
            entries.add(new long[] {m.index(), v});
        }
        if (!entries.isEmpty()) {
            setChecked(entries);
        }
        cache.remember(msrs);
    }

    private void keep(int index, long value) {
        kept.write(index, value);
        if (index == AsyncPfAbi.MSR_ASYNC_PF_INT) {
            asyncPfVector = (int) value;
        }
    }

    private void setChecked(List<long[]> entries) {
        fill(entries);
        int n = fd.setMsrs(msrsBuf);
        if (n < entries.size()) {
            long[] bad = entries.get(n);
            cache.forget();
            throw new BackendException(BackendException.Reason.INVALID_REQUEST, where + ": KVM refused MSR 0x"
                    + Long.toHexString(bad[0]) + " = 0x" + Long.toHexString(bad[1]) + " (WRMSR would raise #GP)");
        }
    }

    /** RDMSR as the guest kernel does it. */
    long readOne(int index) {
        if (host.asyncPfMsrsOnly() && KeptAsyncPfMsrs.isAsyncPfMsr(index)) {
            return kept.read(index);
        }
        fill(List.of(new long[] {index, 0}));
        if (fd.getMsrs(msrsBuf) != 1) {
            throw new IllegalArgumentException(where + ": MSR 0x" + Integer.toHexString(index) + " is not implemented by KVM "
                    + "here (RDMSR would raise #GP)");
        }
        return msrsBuf.get(JAVA_LONG, entry(0) + 8);
    }

    /** WRMSR as the guest kernel does it. */
    void writeOne(int index, long value) {
        if (host.asyncPfMsrsOnly() && KeptAsyncPfMsrs.isAsyncPfMsr(index)) {
            keep(index, value);
            cache.forget();
            return;
        }
        if (index == AsyncPfAbi.MSR_ASYNC_PF_ACK && value != 0) {
            acknowledged.run();   // EOI before the ACK lets the next "page ready" in
        }
        fill(List.of(new long[] {index, value}));
        cache.forget();
        if (fd.setMsrs(msrsBuf) != 1) {
            throw new IllegalArgumentException(where + ": WRMSR 0x" + Integer.toHexString(index) + " <- 0x"
                    + Long.toHexString(value) + " raises #GP here" + (index == AsyncPfAbi.MSR_ASYNC_PF_EN && !host.irqchip()
                    ? " (async page faults need the in-kernel irqchip, which this VM does not have)" : ""));
        }
        if (index == AsyncPfAbi.MSR_ASYNC_PF_INT) {
            asyncPfVector = (int) (value & 0xFF);
        }
    }

    private static long entry(int i) {
        return KvmLayouts.KVM_MSRS.byteSize() + i * KvmLayouts.KVM_MSR_ENTRY.byteSize();
    }

    private void fill(List<long[]> entries) {
        if (entries.size() > MAX_MSRS) {
            throw new IllegalArgumentException("at most " + MAX_MSRS + " MSRs per call");
        }
        msrsBuf.set(JAVA_INT, 0, entries.size());
        msrsBuf.set(JAVA_INT, 4, 0);
        for (int i = 0; i < entries.size(); i++) {
            msrsBuf.set(JAVA_INT, entry(i), (int) entries.get(i)[0]);
            msrsBuf.set(JAVA_INT, entry(i) + 4, 0);
            msrsBuf.set(JAVA_LONG, entry(i) + 8, entries.get(i)[1]);
        }
    }
}
