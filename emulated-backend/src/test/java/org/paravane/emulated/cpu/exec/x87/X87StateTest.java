package org.paravane.emulated.cpu.exec.x87;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.cpu.VcpuState;
import org.paravane.emulated.testing.TestVm;

/**
 * The x87 state moves with the vCPU, an unmasked exception in flight included: it is recorded (ES, B, FOP, FIP), the
 * state is taken out through {@code VcpuState}'s FXSAVE image and put into a fresh run, and the next waiting instruction
 * raises #MF (with CR0.NE; without it the exception stays pending).
 */
class X87StateTest {
    final TestVm t = new TestVm();
    static final String SET_NE = "mov rax, cr0\n or rax, 0x20\n mov cr0, rax\n";
    static final String CLEAR_NE = "mov rax, cr0\n and rax, ~0x20\n mov cr0, rax\n";

    @AfterEach
    void close() {
        t.close();
    }

    /** FCW 0x37B (zero divide unmasked), TOP 6, ST0 = 1, ST1 = 0. */
    private static byte[] image() {
        ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) 0x37B);
        b.putShort(2, (short) 0x3000);
        b.put(4, (byte) 0xC0);
        b.putInt(24, 0x1F80);
        b.putLong(32, 0x8000_0000_0000_0000L).putShort(40, (short) 0x3FFF);
        return b.array();
    }

    private static VcpuState withImage(VcpuState s, byte[] image) {
        return new VcpuState(s.registers(), s.segments(), s.control(), s.gdt(), s.idt(), s.msrs(), s.events(), image);
    }

    @Test
    void anUnmaskedExceptionMovesWithTheStateAndRaisesMfAtTheNextWaitingInstruction() {
        Vcpu v = t.start(0, 0, SET_NE + "fdiv st(0), st(1)\n fnstsw ax\n mov [0xF0000000], rax\n");
        v.setState(withImage(v.state(), image()));
        assertThat(t.runToResult(v) & 0xFFFF).as("B, TOP 6, ES, ZE").isEqualTo(0xB084);
        byte[] moved = v.state().fxsave();
        ByteBuffer m = ByteBuffer.wrap(moved).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(m.getShort(6) & 0x7FF).as("FOP of D8 F1").isEqualTo(0x0F1);
        assertThat(m.getLong(8)).as("FIP").isNotZero();
        assertThat(m.getLong(32)).as("ST0 unchanged").isEqualTo(0x8000_0000_0000_0000L);

        Vcpu w = t.start(0, 0, SET_NE + "fwait\n mov eax, 1\n mov [0xF0000000], rax\n");
        w.setState(withImage(w.state(), moved));
        assertThat(TestVm.trapVector(w.run(), w)).as("#MF").isEqualTo(16);

        Vcpu x = t.start(0, 0, CLEAR_NE + "fwait\n fnstsw ax\n mov [0xF0000000], rax\n");
        x.setState(withImage(x.state(), moved));
        assertThat(t.runToResult(x) & 0xFFFF).as("without CR0.NE: still pending, no #MF").isEqualTo(0xB084);
    }
}
