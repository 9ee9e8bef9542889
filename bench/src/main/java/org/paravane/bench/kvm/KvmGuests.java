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

/** Backends, VM specs and hand-encoded guest code shared by the KVM benchmarks. */
final class KvmGuests {
    private KvmGuests() {
    }

    static final long CODE = 0x100000, USER_STACK = 0x300000, LAZY = 0x800000, MMIO = 0x3000000;
    static final long RAM = 4 << 20, IDENTITY = 64 << 20;

    /** loop: out 0x10, al; jmp loop (CPL0) */
    static final byte[] OUT_LOOP = {(byte) 0xE6, 0x10, (byte) 0xEB, (byte) 0xFC};

    /** rsi = LAZY; rcx = pages; loop: add rbx, [rsi]; add rsi, 4096; dec rcx; jnz loop; mov [MMIO], rbx; jmp . */
    static byte[] touchPages(int pages) {
        List<Integer> b = new ArrayList<>();
        add(b, 0x48, 0xBE);
        imm(b, LAZY, 8);
        add(b, 0x48, 0xB9);
        imm(b, pages, 8);
        int loop = b.size();
        add(b, 0x48, 0x03, 0x1E, 0x48, 0x81, 0xC6);
        imm(b, 4096, 4);
        add(b, 0x48, 0xFF, 0xC9, 0x75);
        b.add((loop - (b.size() + 1)) & 0xFF);
        add(b, 0x48, 0x89, 0x1C, 0x25);
        imm(b, MMIO, 4);
        add(b, 0xEB, 0xFE);
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (int) b.get(i);
        }
        return out;
    }

    private static void add(List<Integer> b, int... bytes) {
        for (int x : bytes) {
            b.add(x);
        }
    }

    private static void imm(List<Integer> b, long v, int n) {
        for (int i = 0; i < n; i++) {
            b.add((int) (v >>> (8 * i)) & 0xFF);
        }
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
