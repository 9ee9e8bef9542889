package org.paravane.vmm.linux.futex;

/**
 * Where the waiters of one futex word meet. As in Linux, a word in a private mapping is known by its address space
 * and virtual address, whether or not the call said FUTEX_PRIVATE_FLAG (threads sharing the space meet; a forked
 * child, whose copy-on-write pages are not shared, does not); a word in a MAP_SHARED mapping without the flag is
 * known by its guest-physical address, where every process mapping that page meets.
 */
public sealed interface FutexKey {

    /** A word of one address space; {@code space} is compared by identity. */
    record Private(Object space, long address) implements FutexKey {
        @Override
        public boolean equals(Object o) {
            return o instanceof Private p && p.space == space && p.address == address;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(space) * 31 + Long.hashCode(address);
        }
    }

    /** A word of a shared page, by its guest-physical address. */
    record Shared(long physicalAddress) implements FutexKey {
    }
}
