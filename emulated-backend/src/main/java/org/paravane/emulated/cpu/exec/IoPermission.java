package org.paravane.emulated.cpu.exec;

import org.paravane.api.cpu.Segment;
import org.paravane.emulated.cpu.Cpu;

/** The I/O permission check of IN/OUT/INS/OUTS: CPL &lt;= IOPL, or every port's bit clear in the TSS I/O bitmap. */
final class IoPermission {
    private IoPermission() {
    }

    static void check(Cpu c, int port, int size) {
        if (c.cpl <= c.iopl()) {
            return;
        }
        Segment tr = c.seg[Cpu.TR];
        if (tr.unusable() || tr.limit() < 0x67) {
            throw c.gp(0);
        }
        long mapBase = c.mmu.readSupervisor(tr.base() + 0x66, 2);
        long byteOffset = mapBase + (port >>> 3);
        if (byteOffset + 1 > tr.limit()) {
            throw c.gp(0);
        }
        long bits = c.mmu.readSupervisor(tr.base() + byteOffset, 2);
        long mask = ((1L << size) - 1) << (port & 7);
        if ((bits & mask) != 0) {
            throw c.gp(0);
        }
    }
}
