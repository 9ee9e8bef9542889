package org.paravane.emulated.mmu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.cpu.ControlRegisters;
import org.paravane.api.cpu.VcpuState;
import org.paravane.emulated.testing.TestVm;
import org.paravane.support.x86.PageTables;

/** 4-level paging: every permission combination, A/D bits, CR0.WP, NX/NXE, 2 MiB pages, TLB flushes. */
class PagingTest {
    final TestVm t = new TestVm();
    static final long V = 0x0300_0000L, P = 0x00A0_0000L;

    @AfterEach
    void close() {
        t.close();
    }

    /** The guest-physical address of the page-table entry that maps {@code virt} at {@code level} (1 = PTE). */
    long entryAddress(long virt, int level) {
        long table = t.platform.pageTables().root();
        for (int l = 4; ; l--) {
            long addr = table + (((virt >>> (12 + 9 * (l - 1))) & 0x1FF) << 3);
            if (l == level) {
                return addr;
            }
            table = t.read64(addr) & PageTables.ADDRESS;
        }
    }

    private Vcpu run(int cpl, boolean wp, String code) {
        Vcpu v = t.start(0, cpl, code);
        VcpuState s = v.state();
        ControlRegisters c = s.control();
        long cr0 = wp ? c.cr0() | ControlRegisters.CR0_WP : c.cr0() & ~ControlRegisters.CR0_WP;
        v.setState(s.withControl(new ControlRegisters(cr0, c.cr2(), c.cr3(), c.cr4(), c.cr8(), c.efer(), c.apicBase())));
        return v;
    }

    /** -1 when the access worked, else the #PF error code. */
    private long access(int cpl, boolean wp, String kind) {
        String code = switch (kind) {
            case "read" -> "mov al, [" + V + "]\n mov [0xF0000000], rax";
            case "write" -> "mov byte ptr [" + V + "], 1\n mov [0xF0000000], rax";
            default -> "mov rax, " + V + "\n jmp rax";
        };
        Vcpu v = run(cpl, wp, code);
        VcpuExit e = v.run();
        if (e instanceof VcpuExit.Mmio) {
            return -1;
        }
        TestVm.Frame f = t.frame(0, e);
        assertThat(f.vector()).as(kind + " at CPL " + cpl).isEqualTo(14);
        assertThat(v.state().control().cr2()).isEqualTo(V);
        return f.errorCode();
    }

    @Test
    void everyPermissionCombinationFaultsExactlyAsTheSdmSays() {
        List<String> wrong = new ArrayList<>();
        for (int us = 0; us <= 1; us++) {
            for (int rw = 0; rw <= 1; rw++) {
                for (int nx = 0; nx <= 1; nx++) {
                    for (int cpl : new int[] {0, 3}) {
                        for (boolean wp : new boolean[] {false, true}) {
                            for (String kind : new String[] {"read", "write", "fetch"}) {
                                PageTablesReset.reset(t, V, P, us, rw, nx);
                                // The page holds the code the fetch case jumps to.
                                t.code(P, "mov [0xF0000000], rax");
                                boolean user = cpl == 3;
                                boolean allowed = switch (kind) {
                                    case "read" -> !user || us == 1;
                                    case "write" -> (!user || us == 1) && (rw == 1 || (!user && !wp));
                                    default -> (!user || us == 1) && nx == 0;
                                };
                                long expected = allowed ? -1 : 1 | (kind.equals("write") ? 2 : 0) | (user ? 4 : 0)
                                        | (kind.equals("fetch") ? 16 : 0);
                                long got = access(cpl, wp, kind);
                                if (got != expected) {
                                    wrong.add(String.format("US=%d RW=%d NX=%d CPL=%d WP=%b %s: expected %s, got %s", us, rw,
                                            nx, cpl, wp, kind, expected < 0 ? "no fault" : "#PF(" + expected + ")",
                                            got < 0 ? "no fault" : "#PF(" + got + ")"));
                                }
                            }
                        }
                    }
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    /** Remaps V to P with the given permissions (fresh page-table pages once, then rewrites the PTE). */
    static final class PageTablesReset {
        static void reset(TestVm t, long v, long p, int us, int rw, int nx) {
            long flags = (us == 1 ? PageTables.US : 0) | (rw == 1 ? PageTables.RW : 0) | (nx == 1 ? PageTables.NX : 0);
            if (t.platform.pageTables().translate(v) < 0) {
                t.platform.pageTables().map(v, p, 0x1000, flags);
            }
            long table = t.platform.pageTables().root();
            for (int l = 4; l > 1; l--) {
                table = t.read64(table + (((v >>> (12 + 9 * (l - 1))) & 0x1FF) << 3)) & PageTables.ADDRESS;
            }
            t.write64(table + (((v >>> 12) & 0x1FF) << 3), p | PageTables.P | flags);
        }
    }

    @Test
    void accessedAndDirtyBitsAreSetOnAccessAtEveryLevel() {
        t.platform.pageTables().map(V, P, 0x1000, PageTables.RW | PageTables.US);
        long pte = entryAddress(V, 1);
        Vcpu v = run(3, true, "mov al, [" + V + "]\n mov [0xF0000000], rax");
        t.runToResult(v);
        assertThat(t.read64(pte) & PageTables.A).isNotZero();
        assertThat(t.read64(pte) & PageTables.D).as("not written yet").isZero();
        for (int level = 2; level <= 4; level++) {
            assertThat(t.read64(entryAddress(V, level)) & PageTables.A).as("level %d", level).isNotZero();
        }
        v = run(3, true, "mov byte ptr [" + V + "], 1\n mov [0xF0000000], rax");
        t.runToResult(v);
        assertThat(t.read64(pte) & PageTables.D).isNotZero();
        assertThat(t.read64(entryAddress(V, 2)) & PageTables.D).as("D only in the leaf").isZero();
    }

    @Test
    void twoMegabytePagesTranslateAndGetTheirDirtyBit() {
        long big = 0x4000_0000L;
        t.platform.pageTables().map(big, 0x20_0000, 0x20_0000, PageTables.RW | PageTables.US);
        t.write64(0x20_0000 + 0x1_2340, 0x1234_5678_9ABCL);
        Vcpu v = run(3, true, "mov rax, [" + (big + 0x1_2340) + "]\n mov qword ptr [" + (big + 0x1F_FFF8) + "], rax\n"
                + "mov [0xF0000000], rax");
        assertThat(t.runToResult(v)).isEqualTo(0x1234_5678_9ABCL);
        assertThat(t.read64(0x3F_FFF8)).isEqualTo(0x1234_5678_9ABCL);
        long pde = t.read64(entryAddress(big, 2));
        assertThat(pde & PageTables.PS).isNotZero();
        assertThat(pde & PageTables.D).isNotZero();
    }

    @Test
    void invlpgAndCr3WritesMakeNewMappingsVisible() {
        long p1 = P, p2 = P + 0x1000;
        t.platform.pageTables().map(V, p1, 0x1000, PageTables.RW);
        t.write64(p1, 0x1111);
        t.write64(p2, 0x2222);
        long pte = entryAddress(V, 1);
        Vcpu v = run(0, true, String.join("\n",
                "mov rax, [" + V + "]",
                "mov qword ptr [" + pte + "], " + (p2 | 3),
                "invlpg [" + V + "]",
                "mov rbx, [" + V + "]",
                "mov qword ptr [" + pte + "], " + (p1 | 3),
                "mov rcx, cr3",
                "mov cr3, rcx",
                "mov rdx, [" + V + "]",
                "hlt"));
        assertThat(v.run()).isInstanceOf(VcpuExit.Halted.class);
        var r = v.registers();
        assertThat(r.rax()).isEqualTo(0x1111);
        assertThat(r.rbx()).as("after INVLPG").isEqualTo(0x2222);
        assertThat(r.rdx()).as("after a CR3 reload").isEqualTo(0x1111);
    }

    @Test
    void reservedBitsFaultWithRsvdAndNxIsReservedWithoutNxe() {
        t.platform.pageTables().map(V, P, 0x1000, PageTables.RW | PageTables.US | PageTables.NX);
        Vcpu v = run(3, true, "mov al, [" + V + "]");
        VcpuState s = v.state();
        ControlRegisters c = s.control();
        v.setState(s.withControl(new ControlRegisters(c.cr0(), 0, c.cr3(), c.cr4(), 0,
                c.efer() & ~ControlRegisters.EFER_NXE, c.apicBase())));
        TestVm.Frame f = t.frame(0, v.run());
        assertThat(f.vector()).isEqualTo(14);
        assertThat(f.errorCode()).as("P | U | RSVD").isEqualTo(1 | 4 | 8);
        long pte = entryAddress(V, 1);
        t.write64(pte, P | PageTables.P | PageTables.US | (1L << 50));       // above MAXPHYADDR
        v = run(3, true, "mov al, [" + V + "]");
        assertThat(t.frame(0, v.run()).errorCode()).isEqualTo(1 | 4 | 8);
    }
}
