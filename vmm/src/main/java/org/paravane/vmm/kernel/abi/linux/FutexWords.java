package org.paravane.vmm.kernel.abi.linux;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.linux.futex.FutexMemory;
import org.paravane.vmm.linux.mm.Vma;

/**
 * A process's memory as its futexes see it: words read and swapped atomically in guest RAM, so a CMPXCHG here and a
 * LOCK CMPXCHG of the guest on another vCPU (a host CAS on the software CPU, the real instruction on KVM) exclude
 * each other. Pages are provided as for any copy (demand paging, a copy-on-write break before a write).
 */
final class FutexWords implements FutexMemory {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final ProcessMemory memory;

    FutexWords(ProcessMemory memory) {
        this.memory = memory;
    }

    @Override
    public Object space() {
        return memory;
    }

    @Override
    public long sharedPhysical(long address) throws GuestAccessException {
        Vma v = memory.map().find(address);
        if (v == null) {
            throw new GuestAccessException("no mapping at 0x" + Long.toHexString(address));
        }
        if (!v.shared()) {
            return -1;
        }
        memory.word(address, 4, false);
        return memory.space().translate(address, false);
    }

    @Override
    public int load(long address) throws GuestAccessException {
        return (int) INT.getVolatile(memory.word(address, 4, false), 0L);
    }

    @Override
    public void store(long address, int value) throws GuestAccessException {
        INT.setVolatile(memory.word(address, 4, true), 0L, value);
    }

    @Override
    public int compareAndExchange(long address, int expected, int value) throws GuestAccessException {
        return (int) INT.compareAndExchange(memory.word(address, 4, true), 0L, expected, value);
    }

    @Override
    public long loadLong(long address) throws GuestAccessException {
        return memory.readLong(address);
    }
}
