package org.paravane.emulated.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.paravane.api.backend.BackendException;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.cpu.CpuFeature;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.cpu.CpuModels;
import org.paravane.api.cpu.CpuidLeaf;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;
import org.paravane.emulated.EmulatedBackend;
import org.paravane.emulated.testing.TestVm;

/** CPUID on the software CPU answers from the VM's model, per vCPU; models it cannot implement are refused. */
class CpuidTest {

    /** Runs CPUID for each (function, index) on vCPU {@code v} at CPL 3 and returns the four registers of each. */
    private static List<int[]> cpuid(TestVm t, int v, List<int[]> queries) {
        StringBuilder src = new StringBuilder();
        for (int i = 0; i < queries.size(); i++) {
            long at = TestVm.DATA + 16L * i;
            src.append("mov eax, ").append(queries.get(i)[0]).append("\nmov ecx, ").append(queries.get(i)[1])
                    .append("\ncpuid\nmov rdi, ").append(at).append("\nmov [rdi], eax\nmov [rdi+4], ebx\n")
                    .append("mov [rdi+8], ecx\nmov [rdi+12], edx\n");
        }
        src.append("mov rdi, ").append(TestVm.RESULT).append("\nmov [rdi], rax\n");
        Vcpu vcpu = t.start(v, 3, src.toString());
        t.runToResult(vcpu);
        MemorySegment out = t.mem(TestVm.DATA, 16L * queries.size());
        List<int[]> answers = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            int[] r = new int[4];
            for (int k = 0; k < 4; k++) {
                r[k] = out.get(ValueLayout.JAVA_INT_UNALIGNED, 16L * i + 4 * k);
            }
            answers.add(r);
        }
        return answers;
    }

    @Test
    void everyLeafOfTheDefaultModelAnswersAsTheModelSaysOnEachVcpu() {
        try (TestVm t = new TestVm(new EmulatedBackend(), 2, 16 << 20, PageSource.ZERO, false)) {
            CpuModel model = t.vm.spec().cpuModel();
            assertThat(model.name()).isEqualTo(CpuModels.DEFAULT);
            List<int[]> queries = new ArrayList<>();
            for (CpuidLeaf l : model.leaves()) {
                queries.add(new int[] {l.function(), l.index()});
            }
            queries.add(new int[] {0xB, 5});          // past the topology levels
            queries.add(new int[] {0x8000_0021, 0});  // beyond the maximum
            for (int v = 0; v < 2; v++) {
                long cr4 = t.state(v).control().cr4();
                long apicBase = t.state(v).control().apicBase();
                List<int[]> got = cpuid(t, v, queries);
                for (int i = 0; i < queries.size(); i++) {
                    int[] q = queries.get(i);
                    assertThat(got.get(i)).as("vCPU %d leaf 0x%x.%d", v, q[0], q[1])
                            .containsExactly(model.answer(q[0], q[1], v, cr4, apicBase));
                }
                assertThat(got.get(1)[1] >>> 24).as("leaf 1 APIC id").isEqualTo(v);
            }
        }
    }

    @Test
    void xgetbvRaisesUdWithoutXsaveInTheModel() {
        try (TestVm t = new TestVm()) {
            Vcpu v = t.start(0, 0, "xor ecx, ecx\nxgetbv\n");
            VcpuExit e = v.run();
            assertThat(TestVm.trapVector(e, v)).isEqualTo(6);
        }
    }

    @Test
    void aModelWithAFeatureTheSoftwareCpuLacksIsRefusedByName() {
        CpuModel base = CpuModels.defaultModel(1);
        List<CpuidLeaf> leaves = new ArrayList<>();
        for (CpuidLeaf l : base.leaves()) {
            leaves.add(l.function() == 7 ? new CpuidLeaf(7, 0, true, 0, l.ebx() | CpuFeature.AVX2.mask(), l.ecx(), 0) : l);
        }
        CpuModel avx2 = new CpuModel("host", leaves, 0x7);
        VmSpec spec = new VmSpec("avx", 1, List.of(new MemoryRegion("ram", 0, 1 << 20, false)), null, false, avx2);
        assertThatThrownBy(() -> new EmulatedBackend().createVm(spec)).isInstanceOf(BackendException.class)
                .hasMessageContaining("CPU model 'host'").hasMessageContaining("AVX2")
                .hasMessageContaining("XCR0.AVX state");
    }

    @Test
    void theSoftwareCpuImplementsTheDefaultAndTheLegacyModel() {
        assertThat(CpuModels.defaultModel(4).featuresMissingFrom(Cpuid.IMPLEMENTED)).isEmpty();
        assertThat(CpuModels.legacy(1).featuresMissingFrom(Cpuid.IMPLEMENTED)).isEmpty();
        assertThat(new EmulatedBackend().supportedCpu()).contains(Cpuid.IMPLEMENTED);
    }
}
