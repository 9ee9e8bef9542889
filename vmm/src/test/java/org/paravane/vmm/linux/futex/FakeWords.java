package org.paravane.vmm.linux.futex;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import org.paravane.vmm.kernel.mm.GuestAccessException;

/**
 * A process's memory for futex tests: {@code [BASE, BASE+size)} private, and optionally a window of shared guest
 * "physical" memory that several fakes map (each at its own virtual address), as MAP_SHARED does.
 */
final class FakeWords implements FutexMemory {
    static final long BASE = 0x10000;
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment own;
    private final MemorySegment shared;
    private final long sharedVa, sharedPhysical;

    FakeWords(int size) {
        this(size, null, 0, 0);
    }

    /** With {@code shared} (guest-physical {@code sharedPhysical}) mapped at {@code sharedVa}. */
    FakeWords(int size, MemorySegment shared, long sharedVa, long sharedPhysical) {
        this.own = Arena.ofAuto().allocate(size, 4096);
        this.shared = shared;
        this.sharedVa = sharedVa;
        this.sharedPhysical = sharedPhysical;
    }

    static MemorySegment sharedPage() {
        return Arena.ofAuto().allocate(4096, 4096);
    }

    private MemorySegment at(long address, int length) throws GuestAccessException {
        if (shared != null && address >= sharedVa && address + length <= sharedVa + shared.byteSize()) {
            return shared.asSlice(address - sharedVa, length);
        }
        if (address < BASE || address + length > BASE + own.byteSize()) {
            throw new GuestAccessException("0x" + Long.toHexString(address) + " is not mapped");
        }
        return own.asSlice(address - BASE, length);
    }

    @Override
    public Object space() {
        return this;
    }

    @Override
    public long sharedPhysical(long address) throws GuestAccessException {
        at(address, 4);
        boolean inShared = shared != null && address >= sharedVa && address < sharedVa + shared.byteSize();
        return inShared ? sharedPhysical + (address - sharedVa) : -1;
    }

    @Override
    public int load(long address) throws GuestAccessException {
        return (int) INT.getVolatile(at(address, 4), 0L);
    }

    @Override
    public void store(long address, int value) throws GuestAccessException {
        INT.setVolatile(at(address, 4), 0L, value);
    }

    @Override
    public int compareAndExchange(long address, int expected, int value) throws GuestAccessException {
        return (int) INT.compareAndExchange(at(address, 4), 0L, expected, value);
    }

    @Override
    public long loadLong(long address) throws GuestAccessException {
        return at(address, 8).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    /** Writes a timespec {sec, nsec} at {@code address}, which the test knows is mapped. */
    void storeLongUnchecked(long address, long sec, long nsec) {
        try {
            storeLong(address, sec);
            storeLong(address + 8, nsec);
        } catch (GuestAccessException e) {
            throw new AssertionError(e);
        }
    }

    void storeLong(long address, long value) throws GuestAccessException {
        at(address, 8).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
    }
}
