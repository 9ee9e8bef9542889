package org.paravane.api.memory;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where the absent pages of a VM's lazy memory come from: a snapshot file restored lazily, a store with remote-like
 * latency, a VM being migrated. Keyed by guest-physical address.
 *
 * <p>Implementations are called concurrently from fetch threads (never from a vCPU thread when an async page fault
 * engine is in use) and may block for as long as the data takes to arrive. Registered as an OSGi service, the
 * {@link #NAME} property names a configured source.
 */
@ConsumerType
public interface PageSource {

    /** Service property: the name a VM configuration uses to pick this source. */
    String NAME = "source.name";

    /**
     * Fills {@code destination} with the bytes of guest-physical {@code [guestAddress, guestAddress + size)}.
     * {@code guestAddress} is page aligned and the size a multiple of {@link GuestMemory#PAGE_SIZE}.
     *
     * @throws PageSourceException when the data cannot be had; the access that needed it fails, the VM goes on
     */
    void read(long guestAddress, MemorySegment destination) throws PageSourceException;

    /**
     * True when every byte of the page is known to be zero without reading it (never written), so a backend may map
     * a zero page (userfaultfd's ZEROPAGE) instead of copying.
     */
    default boolean isZero(long guestAddress) {
        return false;
    }

    /**
     * The local file that holds guest-physical {@code [guestAddress, guestAddress + size)} byte for byte, if one does
     * (a snapshot image on a local disk). A backend may then map the file privately, copy-on-write, and let the host
     * kernel page it in, instead of serving every page through {@link #read}; the file must cover the whole range
     * and stay unchanged while a VM uses it. The default: no such file.
     */
    default Optional<LocalFile> localFile(long guestAddress, long size) {
        return Optional.empty();
    }

    /**
     * A local file whose bytes from {@code offset} on are guest memory.
     *
     * @param path   the file
     * @param offset where the range starts in the file, a multiple of {@link GuestMemory#PAGE_SIZE}
     */
    record LocalFile(Path path, long offset) {
        public LocalFile {
            Objects.requireNonNull(path, "path");
            if (offset < 0 || offset % GuestMemory.PAGE_SIZE != 0) {
                throw new IllegalArgumentException("file offset " + offset + " of " + path + " is not a non-negative multiple of "
                        + GuestMemory.PAGE_SIZE);
            }
        }
    }

    /** A short description for logs and the shell ("snapshot /var/vm.img", "latency 100us"). */
    default String describe() {
        return getClass().getSimpleName();
    }

    /** A source of zero pages: lazy memory without a backing store. */
    PageSource ZERO = new PageSource() {
        @Override
        public void read(long guestAddress, MemorySegment destination) {
            destination.fill((byte) 0);
        }

        @Override
        public boolean isZero(long guestAddress) {
            return true;
        }

        @Override
        public String describe() {
            return "zero";
        }
    };
}
