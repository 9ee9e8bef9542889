package org.paravane.emulated.vstate;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.emulated.testing.TestVm;
import org.paravane.support.x86.PageTables;

/** Port I/O and MMIO as exits: outputs complete before the exit, inputs complete on the next run with the data. */
class IoExitTest {
    final TestVm t = new TestVm();
    static final long MMIO = 0x7000_0000L;

    IoExitTest() {
        t.platform.pageTables().map(MMIO, MMIO, 0x1000, PageTables.RW | PageTables.US);
    }

    @AfterEach
    void close() {
        t.close();
    }

    @Test
    void ioExitsLeaveRipAtTheInstructionAndTheNextRunCompletesIt() {
        Vcpu v = t.start(0, 0, "mov eax, 0x12345678\n out 0x80, eax\n mov dx, 0x3f8\n in al, dx\n hlt");
        VcpuExit e = v.run();
        assertThat(e).isInstanceOf(VcpuExit.PortIo.class);
        VcpuExit.PortIo out = (VcpuExit.PortIo) e;
        assertThat(out.port()).isEqualTo(0x80);
        assertThat(out.in()).isFalse();
        assertThat(out.size()).isEqualTo(4);
        assertThat(out.value()).isEqualTo(0x12345678L);
        assertThat(v.registers().rip()).as("RIP still at the OUT, as KVM leaves it").isEqualTo(TestVm.CODE + 5);
        VcpuExit.PortIo in = (VcpuExit.PortIo) v.run();   // completes the OUT without a second exit
        assertThat(in.in()).isTrue();
        assertThat(in.port()).isEqualTo(0x3f8);
        assertThat(in.size()).isEqualTo(1);
        assertThat(v.registers().rip()).as("IN waits for its data").isEqualTo(TestVm.CODE + 11);
        in.data().set(JAVA_BYTE, 0, (byte) 0x5A);
        assertThat(v.run()).isInstanceOf(VcpuExit.Halted.class);
        assertThat(v.registers().rax()).isEqualTo(0x1234_565AL);
    }

    @Test
    void movingRipAfterAnOutExitAbandonsIt() {
        Vcpu v = t.start(0, 0, "out 0x80, al\n out 0x81, al\n hlt");
        assertThat(((VcpuExit.PortIo) v.run()).port()).isEqualTo(0x80);
        v.setRegisters(v.registers().withRip(TestVm.CODE + 2));   // the caller resumes elsewhere
        VcpuExit.PortIo next = (VcpuExit.PortIo) v.run();
        assertThat(next.port()).as("the abandoned OUT is not delivered again").isEqualTo(0x81);
    }

    @Test
    void mmioLoadsAndStoresExitWithTheGuestPhysicalAddress() {
        Vcpu v = t.start(0, 3, "mov qword ptr [" + MMIO + "], rcx\n add eax, dword ptr [" + (MMIO + 0x10)
                + "]\n mov [0xF0000000], rax");
        v.setRegisters(v.registers().with(GeneralRegisters.RCX, 0x1122334455667788L).with(GeneralRegisters.RAX, 1));
        VcpuExit.Mmio store = (VcpuExit.Mmio) v.run();
        assertThat(store.write()).isTrue();
        assertThat(store.address()).isEqualTo(MMIO);
        assertThat(store.size()).isEqualTo(8);
        assertThat(store.data().get(JAVA_LONG_UNALIGNED, 0)).isEqualTo(0x1122334455667788L);
        VcpuExit.Mmio load = (VcpuExit.Mmio) v.run();
        assertThat(load.write()).isFalse();
        assertThat(load.address()).isEqualTo(MMIO + 0x10);
        assertThat(load.size()).isEqualTo(4);
        load.data().set(JAVA_INT_UNALIGNED, 0, 41);
        assertThat(t.runToResult(v)).isEqualTo(42);
    }

    @Test
    void aReadModifyWriteOfMmioExitsTwiceAndCompletesOnce() {
        Vcpu v = t.start(0, 3, "add dword ptr [" + MMIO + "], 5\n inc ebx\n mov rax, rbx\n mov [0xF0000000], rax");
        VcpuExit.Mmio read = (VcpuExit.Mmio) v.run();
        assertThat(read.write()).isFalse();
        read.data().set(JAVA_INT_UNALIGNED, 0, 10);
        VcpuExit.Mmio write = (VcpuExit.Mmio) v.run();
        assertThat(write.write()).isTrue();
        assertThat(write.data().get(JAVA_INT_UNALIGNED, 0)).isEqualTo(15);
        assertThat(t.runToResult(v)).as("INC ran once").isEqualTo(1);
    }

    @Test
    void stringPortOutputMovesABatchPerExit() {
        t.mem(0x60_0000, 16).copyFrom(java.lang.foreign.MemorySegment.ofArray("hello, port I/O!".getBytes()));
        Vcpu v = t.start(0, 0, "mov rsi, 0x600000\n mov ecx, 16\n mov dx, 0xe9\n rep outsb\n hlt");
        VcpuExit.PortIo out = (VcpuExit.PortIo) v.run();
        assertThat(out.count()).isEqualTo(16);
        assertThat(new String(out.data().toArray(JAVA_BYTE))).isEqualTo("hello, port I/O!");
        assertThat(v.run()).isInstanceOf(VcpuExit.Halted.class);
        assertThat(v.registers().rsi()).isEqualTo(0x60_0010);
        assertThat(v.registers().rcx()).isZero();
    }

    @Test
    void stringPortInputWritesTheCallersBytes() {
        Vcpu v = t.start(0, 0, "mov rdi, 0x600000\n mov ecx, 4\n mov dx, 0x60\n rep insw\n hlt");
        VcpuExit.PortIo in = (VcpuExit.PortIo) v.run();
        assertThat(in.count()).isEqualTo(4);
        assertThat(in.size()).isEqualTo(2);
        for (int i = 0; i < 8; i++) {
            in.data().set(JAVA_BYTE, i, (byte) (i + 1));
        }
        assertThat(v.run()).isInstanceOf(VcpuExit.Halted.class);
        assertThat(t.mem(0x60_0000, 8).get(JAVA_LONG_UNALIGNED, 0)).isEqualTo(0x0807060504030201L);
        assertThat(v.registers().rdi()).isEqualTo(0x60_0008);
    }

    @Test
    void portIoAtCpl3NeedsIoplOrTheTssBitmap() {
        Vcpu v = t.start(0, 3, "out 0x80, al");
        assertThat(t.frame(0, v.run()).vector()).as("IOPL 0, no bitmap").isEqualTo(13);
        v = t.start(0, 3, "out 0x80, al");
        v.setRegisters(v.registers().withRflags(0x3002));                       // IOPL 3
        assertThat(v.run()).isInstanceOf(VcpuExit.PortIo.class);
    }
}
