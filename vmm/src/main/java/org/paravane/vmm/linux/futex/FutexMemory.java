package org.paravane.vmm.linux.futex;

import org.paravane.vmm.kernel.mm.GuestAccessException;

/**
 * The calling process's memory as futexes use it: 32-bit words read and changed atomically against the guest's own
 * locked instructions on every vCPU. Each access provides the page first (demand paging, a copy-on-write break for a
 * write) and fails with {@link GuestAccessException} where the process itself could not access the word.
 */
public interface FutexMemory {

    /** The address space, by identity: the private key of threads that share it. */
    Object space();

    /**
     * The guest-physical address of the word at {@code address} when it lies in a shared mapping (MAP_SHARED), or -1
     * when its mapping is private.
     *
     * @throws GuestAccessException when nothing is mapped there or the process may not read it
     */
    long sharedPhysical(long address) throws GuestAccessException;

    /** The aligned 32-bit word at {@code address}, read atomically. */
    int load(long address) throws GuestAccessException;

    /** Writes the aligned 32-bit word at {@code address} atomically. */
    void store(long address, int value) throws GuestAccessException;

    /** Sets the word to {@code value} if it is {@code expected}; answers what it was (a CMPXCHG). */
    int compareAndExchange(long address, int expected, int value) throws GuestAccessException;

    /** The 64-bit value at {@code address} (a pointer or a time), not necessarily aligned. */
    long loadLong(long address) throws GuestAccessException;
}
