package org.paravane.bench.kvm;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;
import org.paravane.kvm.KvmBackend;
import org.paravane.kvm.host.KvmSettings;
import org.paravane.support.x86.FlatPlatform;
import org.paravane.testkit.Asm;

/** Backends, VM specs and hand-encoded guest code shared by the KVM benchmarks. */
final class KvmGuests {
    private KvmGuests() {
    }

    static final long CODE = 0x100000, USER_STACK = 0x300000, LAZY = 0x800000, MMIO = 0x3000000;
    static final long RAM = 4 << 20, IDENTITY = 64 << 20;

    /** loop: out 0x10, al; jmp loop (CPL0) */
    static final byte[] OUT_LOOP = new Asm().outAl(0x10).jmp(0).bytes();

    /** rsi = LAZY; rcx = pages; loop: add rbx, [rsi]; add rsi, 4096; dec rcx; jnz loop; mov [MMIO], rbx; jmp . */
    static byte[] touchPages(int pages) {
        Asm a = new Asm().movImm64(6, LAZY).movImm64(1, pages);
        int loop = a.size();
        return a.addRbxFromRsi().addRsi(4096).decRcx().jnz(loop).storeRbx(MMIO).spin().bytes();
    }

    static KvmBackend backend(long chunk) {
        KvmSettings d = KvmSettings.DEFAULTS;
        KvmBackend b = new KvmBackend(new KvmSettings(d.memoryMode(), chunk, d.fetchThreads(), d.workingSet(), d.workingSetDir(),
                d.asyncPageFaults(), d.kickSignal(), d.retryMinNanos(), d.retryMaxNanos()));
        if (!b.usable()) {
            throw new IllegalStateException("KVM is not usable here: " + b.unusableReason());
        }
        return b;
    }

    static VmSpec spec(String name, long lazyBytes, PageSource source) {
        List<MemoryRegion> regions = new ArrayList<>(List.of(new MemoryRegion("ram", 0, RAM, false)));
        if (lazyBytes > 0) {
            regions.add(new MemoryRegion("lazy", LAZY, lazyBytes, true));
        }
        return new VmSpec(name, 1, regions, source);
    }

    static FlatPlatform platform(VirtualMachine vm, byte[] code) {
        FlatPlatform p = FlatPlatform.write(vm.memory(), 1, IDENTITY);
        try {
            vm.memory().slice(CODE, code.length).copyFrom(MemorySegment.ofArray(code));
        } catch (PageSourceException e) {
            throw new IllegalStateException(e);
        }
        return p;
    }

    /** Every qword of a page holds its own address: a source with no latency of its own. */
    static final PageSource PATTERN = (gpa, dst) -> {
        for (long off = 0; off < dst.byteSize(); off += 8) {
            dst.set(java.lang.foreign.ValueLayout.JAVA_LONG, off, gpa + off);
        }
    };

    /** Pages of 0x01 bytes: a memset, the cheapest source there is. */
    static final PageSource FILL = (gpa, dst) -> dst.fill((byte) 1);
}
