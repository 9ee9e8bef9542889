package org.paravane.kvm.vstate.memory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.kvm.uffd.Userfaultfd;
import org.paravane.support.linux.Errno;
import org.paravane.support.linux.FileIo;
import org.paravane.support.linux.Memory;
import org.paravane.support.linux.NativeException;
import org.paravane.support.memory.HostPages;

/**
 * Guest memory of a KVM VM: anonymous private mappings; lazy regions registered with a userfaultfd in MISSING mode and
 * filled with UFFDIO_COPY / UFFDIO_ZEROPAGE (a plain store would fault into our own handler); lazy regions of a
 * local snapshot file mapped private when {@link MemoryMode#FILE_MAPPING} is chosen. Every mapping belongs to the
 * VM's arena: closing it unmaps them and turns late accesses into exceptions instead of crashes.
 */
public final class KvmHostPages implements HostPages {
    private static final System.Logger LOG = System.getLogger(KvmHostPages.class.getName());
    private static final ThreadLocal<MemorySegment[]> BUFFER = ThreadLocal.withInitial(() -> new MemorySegment[1]);

    private final Arena arena;
    private final PageSource source;
    private final MemoryMode mode;
    private final Set<MemoryRegion> mappedPresent = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<String> decisions = new ArrayList<>();
    private Userfaultfd uffd;

    public KvmHostPages(Arena arena, PageSource source, MemoryMode mode) {
        this.arena = arena;
        this.source = source;
        this.mode = mode;
    }

    /** The userfaultfd lazy regions are registered with, or null when none needs one. */
    public Userfaultfd userfaultfd() {
        return uffd;
    }

    /** One phrase per lazy region saying how it is backed. */
    public List<String> decisions() {
        return List.copyOf(decisions);
    }

    @Override
    public MemorySegment map(MemoryRegion region) {
        if (!region.lazy()) {
            return Memory.owned(Memory.anonymous(region.size()), arena);
        }
        if (source == PageSource.ZERO) {
            // Nothing to fetch: the kernel's own zero fill (a few µs) beats a userfaultfd round trip (~60 µs here).
            mappedPresent.add(region);
            decisions.add(region.name() + ": zero-filled by the kernel");
            return Memory.owned(Memory.anonymous(region.size()), arena);
        }
        if (mode == MemoryMode.FILE_MAPPING) {
            MemorySegment file = mapLocalFile(region);
            if (file != null) {
                return file;
            }
        }
        MemorySegment host = Memory.owned(Memory.anonymous(region.size()), arena);
        Memory.madvise(host, Memory.MADV_NOHUGEPAGE);   // UFFDIO_COPY fills 4 KiB pages; keep THP from collapsing holes
        if (uffd == null) {
            uffd = Userfaultfd.create();
        }
        uffd.registerMissing(host);
        decisions.add(region.name() + ": userfaultfd");
        return host;
    }

    private MemorySegment mapLocalFile(MemoryRegion region) {
        Optional<PageSource.LocalFile> local = source.localFile(region.guestAddress(), region.size());
        if (local.isEmpty()) {
            return null;
        }
        PageSource.LocalFile f = local.get();
        try {
            long length = Files.size(f.path());
            if (length < f.offset() + region.size()) {
                // A private mapping beyond the end of the file faults with SIGBUS: never map it.
                LOG.log(System.Logger.Level.WARNING, "region ''{0}'': {1} holds {2} bytes, fewer than offset {3} + {4}; "
                        + "serving it through userfaultfd instead", region.name(), f.path(), length, f.offset(), region.size());
                return null;
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "region ''{0}'': cannot read the size of {1} ({2}); serving it through "
                    + "userfaultfd instead", region.name(), f.path(), e.toString());
            return null;
        }
        int fd = FileIo.open(f.path().toString(), FileIo.O_RDONLY | FileIo.O_CLOEXEC);
        try {
            MemorySegment m = Memory.mmap(region.size(), Memory.PROT_READ | Memory.PROT_WRITE, Memory.MAP_PRIVATE, fd, f.offset());
            mappedPresent.add(region);
            decisions.add(region.name() + ": private mapping of " + f.path() + " at " + f.offset());
            return Memory.owned(m, arena);
        } finally {
            FileIo.close(fd);
        }
    }

    @Override
    public boolean startsPresent(MemoryRegion region) {
        return !region.lazy() || mappedPresent.contains(region);
    }

    @Override
    public void fill(MemorySegment target, MemorySegment contents) {
        MemorySegment from = contents;
        if (!contents.isNative()) {
            from = buffer(contents.byteSize());
            from.copyFrom(contents);
        }
        resolve(target, from.address(), true);
    }

    @Override
    public void fillZero(MemorySegment target) {
        resolve(target, 0, false);
    }

    private void resolve(MemorySegment target, long source, boolean copy) {
        long done = 0;
        long length = target.byteSize();
        while (done < length) {
            // DONTWAKE: the faulting threads wake in published(), once the pages are marked present
            long r = copy ? uffd.copy(target.address() + done, source + done, length - done, Userfaultfd.MODE_DONTWAKE)
                    : uffd.zeroPage(target.address() + done, length - done, Userfaultfd.MODE_DONTWAKE);
            if (r > 0) {
                done += r;
            } else if (r == -Errno.EAGAIN) {
                // The kernel refuses the copy only while the address space is changing under it (mmap_changing: a
                // fork or an mremap in progress) and has copied nothing: the retry is short and no event announces
                // its end, so a spin is the right wait here.
                Thread.onSpinWait();
            } else if (r == -Errno.EEXIST) {
                done += 4096;   // already mapped (touched outside the claim protocol): leave its bytes alone
            } else {
                throw new NativeException(copy ? "UFFDIO_COPY" : "UFFDIO_ZEROPAGE", (int) -r);
            }
        }
    }

    @Override
    public void published(MemorySegment target) {
        uffd.wake(target.address(), target.byteSize());
    }

    /** A native buffer of this thread, reused across fills: the kernel copies from it directly. */
    @Override
    public MemorySegment buffer(long bytes) {
        MemorySegment[] holder = BUFFER.get();
        MemorySegment b = holder[0];
        if (b == null || b.byteSize() < bytes) {
            b = Arena.ofAuto().allocate(Math.max(bytes, 65536), 4096);
            holder[0] = b;
        }
        return b.asSlice(0, bytes);
    }

    /** Mappings go with the VM's arena. */
    @Override
    public void unmap(MemoryRegion region, MemorySegment host) {
    }

}
