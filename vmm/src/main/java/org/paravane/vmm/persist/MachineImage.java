package org.paravane.vmm.persist;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.cpu.VcpuState;
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSourceException;

/**
 * A stopped VM, independent of any backend: its spec, every vCPU's state and the pages its memory had present. Pages
 * still absent stay absent: the restored VM fetches them from the same page source. RAM pages that are all zeros are
 * not copied (the restored VM's RAM starts zeroed), so a VM with gigabytes of RAM it never used moves without copying
 * them (it still reads them once to know). Restoring the image on another backend is how a VM moves (the async-PF MSRs in the vCPU states make the new host send a wake-all, so guests'
 * sleepers re-fault instead of waiting for tokens the old host took with it).
 */
public final class MachineImage implements AutoCloseable {
    private final VmSpec spec;
    private final List<VcpuState> vcpus;
    private final Arena arena = Arena.ofShared();
    private final List<Run> runs = new ArrayList<>();

    private record Run(long guestAddress, MemorySegment bytes) {
    }

    private MachineImage(VmSpec spec, List<VcpuState> vcpus) {
        this.spec = spec;
        this.vcpus = vcpus;
    }

    /** Copies {@code vm}'s state; its vCPUs must not be running. */
    public static MachineImage capture(VirtualMachine vm) {
        List<VcpuState> states = vm.vcpus().stream().map(v -> v.state()).toList();
        MachineImage image = new MachineImage(vm.spec(), states);
        try {
            GuestMemory memory = vm.memory();
            long[] run = {-1, 0};
            BitSet zeroRam = image.zeroRamPages(memory);
            memory.forEachPresentPage(gpa -> {
                if (image.isZeroRam(zeroRam, gpa)) {
                    image.copyRun(memory, run[0], run[1]);
                    run[0] = -1;
                    run[1] = 0;
                    return;
                }
                if (run[0] >= 0 && gpa == run[0] + run[1] && image.sameRegion(run[0], gpa)) {
                    run[1] += GuestMemory.PAGE_SIZE;
                    return;
                }
                image.copyRun(memory, run[0], run[1]);
                run[0] = gpa;
                run[1] = GuestMemory.PAGE_SIZE;
            });
            image.copyRun(memory, run[0], run[1]);
            return image;
        } catch (RuntimeException e) {
            image.close();
            throw e;
        }
    }

    /** Chunks of RAM checked for zeros at once: untouched RAM is skipped at memory speed, not page by page. */
    private static final long ZERO_CHUNK = 2L << 20;

    /**
     * The pages of the regions that are not lazy (they start zeroed when restored) that hold only zeros, numbered as
     * {@link #isZeroRam} numbers them.
     */
    private BitSet zeroRamPages(GuestMemory memory) {
        BitSet zero = new BitSet();
        MemorySegment zeros = arena.allocate(ZERO_CHUNK);
        int first = 0;
        for (MemoryRegion r : spec.regions()) {
            if (!r.lazy()) {
                for (long off = 0; off < r.size(); off += ZERO_CHUNK) {
                    long length = Math.min(ZERO_CHUNK, r.size() - off);
                    int page = first + (int) (off / GuestMemory.PAGE_SIZE);
                    if (isZero(memory, r.guestAddress() + off, length, zeros)) {
                        zero.set(page, page + (int) (length / GuestMemory.PAGE_SIZE));
                        continue;
                    }
                    for (long p = 0; p < length; p += GuestMemory.PAGE_SIZE) {
                        if (isZero(memory, r.guestAddress() + off + p, GuestMemory.PAGE_SIZE, zeros)) {
                            zero.set(page + (int) (p / GuestMemory.PAGE_SIZE));
                        }
                    }
                }
            }
            first += (int) (r.size() / GuestMemory.PAGE_SIZE);
        }
        return zero;
    }

    private static boolean isZero(GuestMemory memory, long gpa, long length, MemorySegment zeros) {
        try {
            return memory.slice(gpa, length).mismatch(zeros.asSlice(0, length)) == -1;
        } catch (PageSourceException e) {
            throw new IllegalStateException("present page 0x" + Long.toHexString(gpa) + " could not be read", e);
        }
    }

    private boolean isZeroRam(BitSet zeroRam, long gpa) {
        int first = 0;
        for (MemoryRegion r : spec.regions()) {
            if (r.contains(gpa)) {
                return zeroRam.get(first + (int) ((gpa - r.guestAddress()) / GuestMemory.PAGE_SIZE));
            }
            first += (int) (r.size() / GuestMemory.PAGE_SIZE);
        }
        return false;
    }

    private boolean sameRegion(long a, long b) {
        return spec.regions().stream().anyMatch(r -> r.contains(a) && r.contains(b));
    }

    private void copyRun(GuestMemory memory, long gpa, long length) {
        if (gpa < 0 || length == 0) {
            return;
        }
        try {
            MemorySegment copy = arena.allocate(length, GuestMemory.PAGE_SIZE);
            copy.copyFrom(memory.slice(gpa, length));
            runs.add(new Run(gpa, copy));
        } catch (PageSourceException e) {
            throw new IllegalStateException("present page 0x" + Long.toHexString(gpa) + " could not be read", e);
        }
    }

    VmSpec spec() {
        return spec;
    }

    public long presentBytes() {
        return runs.stream().mapToLong(r -> r.bytes().byteSize()).sum();
    }

    /** A new VM on {@code backend} in exactly this state. */
    public VirtualMachine restore(VirtualizationBackend backend) {
        VirtualMachine vm = backend.createVm(spec);
        try {
            GuestMemory memory = vm.memory();
            for (Run r : runs) {
                for (long off = 0; off < r.bytes().byteSize(); off += GuestMemory.PAGE_SIZE) {
                    long gpa = r.guestAddress() + off;
                    MemorySegment page = r.bytes().asSlice(off, GuestMemory.PAGE_SIZE);
                    if (memory.isPresent(gpa)) {
                        memory.slice(gpa, GuestMemory.PAGE_SIZE).copyFrom(page);   // eager RAM starts present (zero)
                    } else {
                        memory.install(gpa, page);   // a lazy page: filled as a fetch would fill it
                    }
                }
            }
            for (int i = 0; i < vcpus.size(); i++) {
                vm.vcpu(i).setState(vcpus.get(i));
            }
            return vm;
        } catch (RuntimeException | PageSourceException e) {
            vm.close();
            throw e instanceof RuntimeException re ? re : new IllegalStateException("restoring " + spec.name() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
