package org.paravane.emulated.cpu;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.paravane.api.backend.VcpuExit;

/**
 * MMIO and port I/O as exits, with precise restarts. Output (a store to MMIO, OUT, OUTS) completes the instruction
 * and then exits, as KVM does; input (a load from MMIO, IN, INS) exits before the instruction changed anything, and
 * the next run executes the instruction again, which now finds the caller's data in this channel's log. Each access
 * of the instruction replays in order, so an instruction that reads and then writes MMIO produces two exits and
 * completes once.
 */
public final class IoChannel {

    enum Kind { MMIO_READ, MMIO_WRITE, PORT_IN, PORT_OUT }

    /** One access of the interrupted instruction; {@code data} is the exit's buffer. */
    private record Access(Kind kind, long address, int size, int count, byte[] data) {
        boolean matches(Kind k, long a, int s, int n) {
            return kind == k && address == a && size == s && count == n;
        }
    }

    private final Cpu cpu;
    private final List<Access> log = new ArrayList<>(4);
    private int cursor;

    IoChannel(Cpu cpu) {
        this.cpu = cpu;
    }

    /** Whether an instruction was interrupted by input and waits to be executed again with the caller's data. */
    public boolean replaying() {
        return !log.isEmpty();
    }

    /** Starts a (re)execution of the interrupted instruction: accesses replay from the first. */
    public void rewind() {
        cursor = 0;
    }

    /** The interrupted instruction completed, or was abandoned: forget its accesses. */
    public void clear() {
        log.clear();
        cursor = 0;
    }

    /** A load from guest-physical {@code address} that no memory backs. */
    public long mmioRead(long address, int size) {
        Access a = next(Kind.MMIO_READ, address, size, 1);
        if (a != null) {
            return littleEndian(a.data, 0, size);
        }
        byte[] data = new byte[size];
        record(Kind.MMIO_READ, address, size, 1, data);
        cpu.pendingExit = new VcpuExit.Mmio(address, size, false, MemorySegment.ofArray(data));
        throw cpu.exitSignal;
    }

    /** A store to guest-physical {@code address} that no memory backs. */
    public void mmioWrite(long address, int size, long value) {
        if (next(Kind.MMIO_WRITE, address, size, 1) != null) {
            return;
        }
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (value >>> (8 * i));
        }
        output(new VcpuExit.Mmio(address, size, true, MemorySegment.ofArray(data)), Kind.MMIO_WRITE, address, size, 1, data);
    }

    /** IN or INS: {@code count} transfers of {@code size} bytes from {@code port}; returns the caller's bytes. */
    public byte[] portIn(int port, int size, int count) {
        Access a = next(Kind.PORT_IN, port, size, count);
        if (a != null) {
            return a.data;
        }
        byte[] data = new byte[size * count];
        record(Kind.PORT_IN, port, size, count, data);
        cpu.pendingExit = new VcpuExit.PortIo(port, size, count, true, MemorySegment.ofArray(data));
        throw cpu.exitSignal;
    }

    /** OUT or OUTS: {@code count} transfers of {@code size} bytes to {@code port}. */
    public void portOut(int port, int size, int count, byte[] data) {
        if (next(Kind.PORT_OUT, port, size, count) != null) {
            return;
        }
        output(new VcpuExit.PortIo(port, size, count, false, MemorySegment.ofArray(data)), Kind.PORT_OUT, port, size,
                count, data);
    }

    /**
     * Outputs exit before the instruction completes, as on KVM: RIP stays at it, and the next run replays the logged
     * output without a second exit and completes it — unless the caller moved RIP, which clears the log (abandon).
     */
    private void output(VcpuExit exit, Kind kind, long address, int size, int count, byte[] data) {
        record(kind, address, size, count, data);
        cpu.pendingExit = exit;
        throw cpu.exitSignal;
    }

    private Access next(Kind kind, long address, int size, int count) {
        if (cursor < log.size()) {
            Access a = log.get(cursor);
            if (a.matches(kind, address, size, count)) {
                cursor++;
                return a;
            }
            // The instruction took another path on its re-execution (the caller changed state): start over.
            while (log.size() > cursor) {
                log.removeLast();
            }
        }
        return null;
    }

    private void record(Kind kind, long address, int size, int count, byte[] data) {
        log.add(new Access(kind, address, size, count, data));
        cursor++;
    }

    static long littleEndian(byte[] data, int offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (data[offset + i] & 0xFF);
        }
        return v;
    }
}
