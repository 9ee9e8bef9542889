package org.paravane.emulated.cpu.exec;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.paravane.emulated.mmu.PhysicalMemory.HOST;

import java.lang.foreign.MemorySegment;
import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.mmu.Mmu;

/**
 * MOVS CMPS STOS LODS SCAS INS OUTS with REP/REPE/REPNE. A repeated instruction updates RSI/RDI/RCX after each
 * element, so a fault leaves them at an element boundary with RIP at the instruction, as hardware does; it yields
 * after {@link Cpu#repChunk} elements so kicks and budgets stay bounded. Forward REP MOVS/STOS run a page at a time
 * on host memory. Port strings move a page-bounded batch per exit.
 */
final class StringOps {
    private StringOps() {
    }

    static final class Str extends Insn {
        private final Mnemonic kind;
        private final int size, rep, srcSeg;
        private final boolean addr32;

        Str(Decoded d) {
            super(d);
            this.kind = d.mnemonic();
            this.size = d.opSize();
            this.rep = d.rep();
            this.addr32 = d.addressSize() == 4;
            this.srcSeg = d.segment();
        }

        @Override
        public boolean endsBlock() {
            return rep != 0 || kind == Mnemonic.INS || kind == Mnemonic.OUTS;
        }

        private long reg(Cpu c, int n) {
            return addr32 ? c.r[n] & 0xFFFF_FFFFL : c.r[n];
        }

        private void setReg(Cpu c, int n, long v) {
            c.r[n] = addr32 ? v & 0xFFFF_FFFFL : v;
        }

        private long source(Cpu c) {
            long a = reg(c, Cpu.RSI);
            return a + (srcSeg == Cpu.FS ? c.fsBase : srcSeg == Cpu.GS ? c.gsBase : 0);
        }

        private long step(Cpu c) {
            return (c.sysFlags & Cpu.DF) != 0 ? -size : size;
        }

        @Override
        public void exec(Cpu c) {
            if (kind == Mnemonic.INS || kind == Mnemonic.OUTS) {
                portString(c);
                return;
            }
            if (rep == 0) {
                once(c);
                return;
            }
            long count = reg(c, Cpu.RCX);
            int done = 0;
            int max = c.repChunk;
            boolean compare = kind == Mnemonic.CMPS || kind == Mnemonic.SCAS;
            while (count != 0) {
                if (done >= max) {
                    c.rip = rip;
                    c.partial = true;
                    return;
                }
                if ((kind == Mnemonic.MOVS || kind == Mnemonic.STOS) && max > 1 && !addr32 && (c.sysFlags & Cpu.DF) == 0) {
                    int n = bulk(c, count, max - done);
                    if (n > 0) {
                        count -= n;
                        done += n;
                        continue;
                    }
                }
                once(c);
                count--;
                setReg(c, Cpu.RCX, count);
                done++;
                if (compare && (rep == Decoded.REP) != c.zf()) {
                    break;
                }
            }
        }

        private void once(Cpu c) {
            long st = step(c);
            switch (kind) {
                case MOVS -> {
                    long v = c.read(size, source(c));
                    c.write(size, reg(c, Cpu.RDI), v);
                    setReg(c, Cpu.RSI, reg(c, Cpu.RSI) + st);
                    setReg(c, Cpu.RDI, reg(c, Cpu.RDI) + st);
                }
                case STOS -> {
                    c.write(size, reg(c, Cpu.RDI), c.r[Cpu.RAX]);
                    setReg(c, Cpu.RDI, reg(c, Cpu.RDI) + st);
                }
                case LODS -> {
                    long v = c.read(size, source(c));
                    c.setReg(size, Cpu.RAX, v);
                    setReg(c, Cpu.RSI, reg(c, Cpu.RSI) + st);
                }
                case CMPS -> {
                    long a = c.read(size, source(c));
                    long b = c.read(size, reg(c, Cpu.RDI));
                    c.sub(size, a, b);
                    setReg(c, Cpu.RSI, reg(c, Cpu.RSI) + st);
                    setReg(c, Cpu.RDI, reg(c, Cpu.RDI) + st);
                }
                default -> {                                 // SCAS
                    long b = c.read(size, reg(c, Cpu.RDI));
                    c.sub(size, c.r[Cpu.RAX], b);
                    setReg(c, Cpu.RDI, reg(c, Cpu.RDI) + st);
                }
            }
        }

        /** Forward REP MOVS/STOS over whole elements within a page of each operand; returns the elements moved. */
        private int bulk(Cpu c, long count, int limit) {
            long dst = c.r[Cpu.RDI];
            long n = Math.min(count, limit);
            n = Math.min(n, (Mmu.PAGE - (dst & 0xFFF)) / size);
            long src = 0;
            if (kind == Mnemonic.MOVS) {
                src = source(c);
                n = Math.min(n, (Mmu.PAGE - (src & 0xFFF)) / size);
            }
            if (n <= 1) {
                return 0;
            }
            long srcHost = 0;
            if (kind == Mnemonic.MOVS) {
                srcHost = c.mmu.bulkHost(src, Mmu.READ);
                if (srcHost < 0) {
                    return 0;
                }
            }
            long dstHost = c.mmu.bulkHost(dst, Mmu.WRITE);
            if (dstHost < 0) {
                return 0;
            }
            long bytes = n * size;
            if (kind == Mnemonic.STOS) {
                long v = c.r[Cpu.RAX];
                if (size == 1) {
                    HOST.asSlice(dstHost, bytes).fill((byte) v);
                } else {
                    for (long off = 0; off < bytes; off += size) {
                        switch (size) {
                            case 2 -> HOST.set(JAVA_SHORT_UNALIGNED, dstHost + off, (short) v);
                            case 4 -> HOST.set(JAVA_INT_UNALIGNED, dstHost + off, (int) v);
                            default -> HOST.set(JAVA_LONG_UNALIGNED, dstHost + off, v);
                        }
                    }
                }
            } else if (dstHost > srcHost && dstHost < srcHost + bytes) {
                // Overlap in the direction of the copy: element by element reproduces the repeating pattern.
                for (long off = 0; off < bytes; off++) {
                    HOST.set(JAVA_BYTE, dstHost + off, HOST.get(JAVA_BYTE, srcHost + off));
                }
            } else {
                MemorySegment.copy(HOST, srcHost, HOST, dstHost, bytes);
            }
            c.r[Cpu.RDI] = dst + bytes;
            if (kind == Mnemonic.MOVS) {
                c.r[Cpu.RSI] += bytes;
            }
            c.r[Cpu.RCX] = count - n;
            return (int) n;
        }

        private void portString(Cpu c) {
            int port = (int) (c.r[Cpu.RDX] & 0xFFFF);
            IoPermission.check(c, port, size);
            long count = rep != 0 ? reg(c, Cpu.RCX) : 1;
            if (count == 0) {
                return;
            }
            long st = step(c);
            boolean in = kind == Mnemonic.INS;
            long addr = in ? reg(c, Cpu.RDI) : source(c);
            long off = addr & 0xFFF;
            long room = st > 0 ? (Mmu.PAGE - off) / size : off / size + 1;
            int n = (int) Math.max(1, Math.min(Math.min(count, room), Math.min(c.repChunk, 4096 / size)));
            if (in) {
                long first = addr, last = addr + st * (n - 1);
                c.mmu.translate(Math.min(first, last), Mmu.WRITE, false);
                c.mmu.translate(Math.max(first, last) + size - 1, Mmu.WRITE, false);
                byte[] data = c.io.portIn(port, size, n);
                for (int i = 0; i < n; i++) {
                    long v = 0;
                    for (int k = size - 1; k >= 0; k--) {
                        v = (v << 8) | (data[i * size + k] & 0xFF);
                    }
                    c.write(size, addr + st * i, v);
                }
                setReg(c, Cpu.RDI, reg(c, Cpu.RDI) + st * n);
            } else {
                byte[] data = new byte[n * size];
                for (int i = 0; i < n; i++) {
                    long v = c.read(size, addr + st * i);
                    for (int k = 0; k < size; k++) {
                        data[i * size + k] = (byte) (v >>> (8 * k));
                    }
                }
                c.io.portOut(port, size, n, data);
                setReg(c, Cpu.RSI, reg(c, Cpu.RSI) + st * n);
            }
            if (rep != 0) {
                setReg(c, Cpu.RCX, count - n);
                if (count - n != 0) {
                    c.rip = rip;
                    c.partial = true;
                }
            }
        }
    }
}
