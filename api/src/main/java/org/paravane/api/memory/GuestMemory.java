package org.paravane.api.memory;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.LongConsumer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The guest-physical memory of one VM, owned by its backend. Pages of {@link MemoryRegion#lazy() lazy} regions start
 * absent on the host and arrive from the VM's {@link PageSource}; once present a page never becomes absent again.
 *
 * <p>Host-side code (the guest kernel, loaders, snapshots) must go through this interface and never touch an absent
 * page's bytes directly: on KVM an absent page is a userfaultfd-registered hole, and a JVM thread faulting on it
 * could stall a safepoint. {@link #slice} therefore makes the range present before returning a view of it.
 */
@ProviderType
public interface GuestMemory {

    int PAGE_SIZE = 4096;
    int PAGE_SHIFT = 12;

    List<MemoryRegion> regions();

    /** The source absent pages come from ({@link PageSource#ZERO} when the VM has none). */
    PageSource source();

    /** Whether {@code guestAddress} lies in one of the regions. */
    boolean contains(long guestAddress);

    /** Whether the page holding {@code guestAddress} is present on the host. */
    boolean isPresent(long guestAddress);

    /**
     * Makes every page overlapping {@code [guestAddress, guestAddress + length)} present, reading absent ones from the
     * page source on the calling thread. Returns at once when they all are.
     *
     * @throws PageSourceException      when the source fails; pages fetched before the failure stay present
     * @throws IllegalArgumentException when the range leaves guest memory
     */
    void ensurePresent(long guestAddress, long length) throws PageSourceException;

    /**
     * Completes a fetch: makes the pages of {@code [guestAddress, guestAddress + contents.byteSize())} present with
     * {@code contents}. Pages already present keep their bytes (a concurrent fetch of the same page loses the race
     * harmlessly). Page aligned, whole pages.
     */
    void install(long guestAddress, MemorySegment contents);

    /**
     * A read-write view of {@code [guestAddress, guestAddress + length)}, which must lie in one region; the pages are
     * made present first. The view stays valid until the VM is closed.
     */
    MemorySegment slice(long guestAddress, long length) throws PageSourceException;

    /** Calls {@code action} with the guest-physical address of every present page, in ascending order. */
    void forEachPresentPage(LongConsumer action);

    MemoryStats stats();
}
