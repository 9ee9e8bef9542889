package org.paravane.emulated.vstate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.memory.PageSource;
import org.paravane.emulated.EmulatedBackend;
import org.paravane.emulated.testing.TestVm;
import org.paravane.testkit.Asm;

/** LOCK-prefixed instructions are atomic between vCPU threads sharing memory, split locks included. */
class AtomicityTest {
    static final int VCPUS = 4, N = 20_000;

    private static long runAll(String source, long counter, int size) throws Exception {
        try (TestVm t = new TestVm(new EmulatedBackend(), VCPUS, 16 << 20, PageSource.ZERO, false)) {
            t.load(TestVm.CODE, Asm.assemble(source, TestVm.CODE));
            List<CompletableFuture<VcpuExit>> runs = new ArrayList<>();
            for (int i = 0; i < VCPUS; i++) {
                Vcpu v = t.start(i, 3, TestVm.CODE);
                v.setRegisters(v.registers().with(1, N));
                runs.add(CompletableFuture.supplyAsync(v::run));
            }
            for (CompletableFuture<VcpuExit> r : runs) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isInstanceOf(VcpuExit.Mmio.class);
            }
            return size == 8 ? t.read64(counter) : t.read64(counter) & 0xFFFF_FFFFL;
        }
    }

    @Test
    void lockedIncrementsAndExchangeAddsAreAtomic() throws Exception {
        String src = "mov ebx, 1\n l: lock inc qword ptr [0x600000]\n lock xadd qword ptr [0x600008], rbx\n mov ebx, 1\n"
                + " dec ecx\n jnz l\n mov [0xF0000000], rax";
        assertThat(runAll(src, 0x60_0000, 8)).isEqualTo((long) VCPUS * N);
    }

    @Test
    void aCmpxchgSpinLockProtectsAPlainReadModifyWrite() throws Exception {
        String src = String.join("\n",
                "mov edx, 1",
                "l: xor eax, eax",
                "lock cmpxchg dword ptr [0x600100], edx",
                "jne pause_",
                "mov rbx, qword ptr [0x600200]",
                "inc rbx",
                "mov qword ptr [0x600200], rbx",
                "mov dword ptr [0x600100], 0",
                "dec ecx",
                "jnz l",
                "mov [0xF0000000], rax",
                "pause_: pause",
                "jmp l");
        assertThat(runAll(src, 0x60_0200, 8)).isEqualTo((long) VCPUS * N);
    }

    @Test
    void aSplitLockAcrossAnEightByteBoundaryIsStillAtomic() throws Exception {
        String src = "l: lock add dword ptr [0x600306], 1\n dec ecx\n jnz l\n mov [0xF0000000], rax";
        try (TestVm t = new TestVm(new EmulatedBackend(), VCPUS, 16 << 20, PageSource.ZERO, false)) {
            t.load(TestVm.CODE, Asm.assemble(src, TestVm.CODE));
            List<CompletableFuture<VcpuExit>> runs = new ArrayList<>();
            for (int i = 0; i < VCPUS; i++) {
                Vcpu v = t.start(i, 3, TestVm.CODE);
                v.setRegisters(v.registers().with(1, N / 10));
                runs.add(CompletableFuture.supplyAsync(v::run));
            }
            for (CompletableFuture<VcpuExit> r : runs) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isInstanceOf(VcpuExit.Mmio.class);
            }
            long v = (t.read64(0x60_0300) >>> 48) | ((t.read64(0x60_0308) & 0xFFFF) << 16);
            assertThat(v).isEqualTo((long) VCPUS * (N / 10));
        }
    }
}
