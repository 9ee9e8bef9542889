package org.paravane.kvm;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;
import org.paravane.kvm.host.KvmSettings;
import org.paravane.support.x86.FlatPlatform;

/** KVM backends for tests (one per settings, created once), skipped with the probe's reason where KVM is unusable. */
public final class KvmTestSupport {
    private KvmTestSupport() {
    }

    public static final long CODE = 0x100000, USER_STACK = 0x300000, DATA = 0x200000, MMIO = 0x3000000;
    /** RAM [0, 4 MiB); identity map [0, 64 MiB) so MMIO_BASE has page tables but no memory slot. */
    public static final long RAM = 4 << 20, IDENTITY = 64 << 20;

    private static final ConcurrentHashMap<KvmSettings, KvmBackend> BACKENDS = new ConcurrentHashMap<>();

    public static KvmBackend backend() {
        return backend(KvmSettings.DEFAULTS);
    }

    public static KvmBackend backend(KvmSettings settings) {
        KvmBackend b = BACKENDS.computeIfAbsent(settings, KvmBackend::new);
        assumeTrue(b.usable(), () -> "KVM is not usable here: " + b.unusableReason());
        return b;
    }

    /** Default settings with {@code asyncPageFaults=OFF}: no in-kernel irqchip. */
    public static KvmSettings noIrqchip() {
        KvmSettings d = KvmSettings.DEFAULTS;
        return new KvmSettings(d.memoryMode(), d.chunkBytes(), d.fetchThreads(), d.workingSet(), d.workingSetDir(),
                KvmSettings.AsyncPfMode.OFF, d.kickSignal(), d.retryMinNanos(), d.retryMaxNanos());
    }

    public static KvmSettings withChunk(KvmSettings s, long chunk) {
        return new KvmSettings(s.memoryMode(), chunk, s.fetchThreads(), s.workingSet(), s.workingSetDir(), s.asyncPageFaults(),
                s.kickSignal(), s.retryMinNanos(), s.retryMaxNanos());
    }

    /** A VM spec with eager RAM {@code [0, RAM)} plus {@code extra} regions. */
    public static VmSpec spec(String name, int vcpus, PageSource source, MemoryRegion... extra) {
        List<MemoryRegion> regions = new ArrayList<>();
        regions.add(new MemoryRegion("ram", 0, RAM, false));
        regions.addAll(List.of(extra));
        return new VmSpec(name, vcpus, regions, source);
    }

    /**
     * A VM spec whose memory includes a small region served through userfaultfd, so the VM gets the in-kernel irqchip
     * (where the host has async page faults): VMs without lazily served memory do without.
     */
    public static VmSpec specWithIrqchip(String name) {
        return spec(name, 1, ADDRESS_PATTERN, new MemoryRegion("served", 0x800000, 65536, true));
    }

    /** Writes the flat platform (IDT with exiting stubs, GDT/TSS, identity map of [0, IDENTITY)) and {@code code} at CODE. */
    public static FlatPlatform platform(GuestMemory memory, int vcpus, byte[] code) {
        FlatPlatform p = FlatPlatform.write(memory, vcpus, IDENTITY);
        try {
            memory.slice(CODE, code.length).copyFrom(MemorySegment.ofArray(code));
        } catch (PageSourceException e) {
            throw new IllegalStateException(e);
        }
        return p;
    }

    /**
     * The vector whose trap stub the vCPU exited from: RIP at an I/O exit points at the stub's {@code out}. -1 when RIP
     * is at no stub; 256 for the SYSCALL entry.
     */
    public static int vector(long rip) {
        long off = rip - FlatPlatform.STUBS;
        return off < 0 || off % org.paravane.support.x86.TrapStubs.STUB_SIZE != 0 || off / org.paravane.support.x86.TrapStubs.STUB_SIZE > 256
                ? -1 : (int) (off / org.paravane.support.x86.TrapStubs.STUB_SIZE);
    }

    /** Every qword of a page holds its own guest-physical address. */
    public static final PageSource ADDRESS_PATTERN = new PageSource() {
        @Override
        public void read(long guestAddress, MemorySegment destination) {
            for (long off = 0; off < destination.byteSize(); off += 8) {
                destination.set(java.lang.foreign.ValueLayout.JAVA_LONG, off, guestAddress + off);
            }
        }

        @Override
        public String describe() {
            return "address pattern";
        }
    };
}
