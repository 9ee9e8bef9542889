package org.paravane.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.paravane.itest.PaxExamSupport.file;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Collection;
import java.util.List;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.paravane.api.asyncpf.AsyncPfHost;
import org.paravane.api.backend.Vcpu;
import org.paravane.api.backend.VcpuExit;
import org.paravane.api.backend.VirtualMachine;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.api.backend.VmSpec;
import org.paravane.api.cpu.ControlRegisters;
import org.paravane.api.cpu.DescriptorTable;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.ModelSpecificRegisters;
import org.paravane.api.cpu.PendingEvents;
import org.paravane.api.cpu.Segment;
import org.paravane.api.cpu.SegmentRegisters;
import org.paravane.api.cpu.VcpuState;
import org.paravane.api.memory.MemoryRegion;
import org.paravane.api.memory.PageSource;

/** The emulated backend bundle in a real Felix: its DS service, a VM running guest code, the async-PF engine coming and going. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class EmulatedBackendIT {

    @Inject
    BundleContext context;

    @Configuration
    public Option[] config() {
        return options(PaxExamSupport.container(), file("bundle.emulated"));
    }

    private ServiceReference<VirtualizationBackend> reference() throws Exception {
        Collection<ServiceReference<VirtualizationBackend>> refs =
                context.getServiceReferences(VirtualizationBackend.class, "(backend.name=emulated)");
        assertEquals(1, refs.size());
        return refs.iterator().next();
    }

    @Test
    public void theBackendIsRegisteredAsUsable() throws Exception {
        ServiceReference<VirtualizationBackend> ref = reference();
        assertEquals(Boolean.TRUE, ref.getProperty(VirtualizationBackend.USABLE));
        VirtualizationBackend backend = context.getService(ref);
        assertEquals("emulated", backend.name());
        assertTrue(backend.capabilities().instructionCounting());
    }

    @Test
    public void aVmRunsLongModeCodeToAPortExitAndAHalt() throws Exception {
        VirtualizationBackend backend = context.getService(reference());
        try (VirtualMachine vm = backend.createVm(new VmSpec("it", 1, List.of(new MemoryRegion("ram", 0, 4 << 20, false)),
                PageSource.ZERO))) {
            MemorySegment low = vm.memory().slice(0, 0x5000);
            low.set(ValueLayout.JAVA_LONG_UNALIGNED, 0x2000, 0x3000 | 3);     // PML4[0]
            low.set(ValueLayout.JAVA_LONG_UNALIGNED, 0x3000, 0x4000 | 3);     // PDPT[0]
            low.set(ValueLayout.JAVA_LONG_UNALIGNED, 0x4000, 0x83);           // PD[0]: 2 MiB at 0
            byte[] code = {(byte) 0xB8, 42, 0, 0, 0, (byte) 0xE7, (byte) 0x80, (byte) 0xF4};   // mov eax,42; out 0x80,eax; hlt
            MemorySegment.copy(MemorySegment.ofArray(code), 0, low, 0x1000, code.length);
            Segment data = Segment.data(0x10, 0);
            VcpuState state = new VcpuState(GeneralRegisters.ZERO.withRip(0x1000).with(GeneralRegisters.RSP, 0x8000),
                    new SegmentRegisters(Segment.code64(8, 0), data, data, data, data, data,
                            Segment.tss64(0x28, 0, 103), Segment.nullSegment()),
                    ControlRegisters.longMode(0x2000), new DescriptorTable(0, 0), new DescriptorTable(0, 0),
                    ModelSpecificRegisters.NONE, PendingEvents.NONE, null);
            Vcpu vcpu = vm.vcpu(0);
            vcpu.setState(state);
            VcpuExit.PortIo out = (VcpuExit.PortIo) vcpu.run();
            assertEquals(0x80, out.port());
            assertEquals(42, out.value());
            assertEquals(new VcpuExit.Halted(0x1008), vcpu.run());
            assertEquals(3, vcpu.stats().instructions());
        }
    }

    @Test
    public void anAsyncPfEngineIsBoundWhenItAppearsAndDroppedWhenItGoes() throws Exception {
        VirtualizationBackend backend = context.getService(reference());
        assertTrue(backend.capabilities().detail(), backend.capabilities().detail().contains("none bound"));
        AsyncPfHost engine = vcpu -> {
            throw new UnsupportedOperationException("not attached in this test");
        };
        ServiceRegistration<AsyncPfHost> reg = context.registerService(AsyncPfHost.class, engine, null);
        try {
            assertTrue(backend.capabilities().detail(), backend.capabilities().detail().contains("Java host engine"));
        } finally {
            reg.unregister();
        }
        assertNotNull(context.getService(reference()));
        assertTrue(backend.capabilities().detail().contains("none bound"));
    }
}
