package org.paravane.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.paravane.itest.PaxExamSupport.file;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.cm.ConfigurationAdmin;
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
import org.paravane.api.memory.GuestMemory;
import org.paravane.api.memory.MemoryRegion;

/** The KVM backend bundle in Felix: it resolves, registers with its usability, follows its configuration, runs a VM. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KvmBackendIT {

    @Inject
    BundleContext context;

    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        return options(PaxExamSupport.container(), file("bundle.kvm"));
    }

    private ServiceReference<VirtualizationBackend> kvm() throws Exception {
        Collection<ServiceReference<VirtualizationBackend>> refs = context.getServiceReferences(VirtualizationBackend.class,
                "(" + VirtualizationBackend.NAME + "=kvm)");
        assertEquals("one kvm backend service", 1, refs.size());
        return refs.iterator().next();
    }

    @Test
    public void bundleIsActiveExportsNothingAndRegistersTheBackendWithItsUsability() throws Exception {
        Bundle b = Arrays.stream(context.getBundles()).filter(x -> "org.paravane.kvm-backend".equals(x.getSymbolicName()))
                .findFirst().orElseThrow();
        assertEquals(Bundle.ACTIVE, b.getState());
        assertTrue("private packages only", b.adapt(BundleRevision.class).getDeclaredCapabilities("osgi.wiring.package").isEmpty());
        ServiceReference<VirtualizationBackend> ref = kvm();
        Object usable = ref.getProperty(VirtualizationBackend.USABLE);
        assertTrue("backend.usable is a Boolean: " + usable, usable instanceof Boolean);
        if (!(Boolean) usable) {
            String reason = (String) ref.getProperty(VirtualizationBackend.UNUSABLE_REASON);
            assertNotNull("an unusable backend says why", reason);
            assertEquals("one line", 1, reason.lines().count());
            System.out.println("KVM backend unusable here: " + reason);
        }
        VirtualizationBackend backend = context.getService(ref);
        try {
            assertEquals("kvm", backend.name());
            System.out.println("KVM backend in Felix: " + backend.capabilities());
        } finally {
            context.ungetService(ref);
        }
    }

    @Test
    public void createsRunsAndDestroysAVm() throws Exception {
        ServiceReference<VirtualizationBackend> ref = kvm();
        Assume.assumeTrue("KVM is not usable here: " + ref.getProperty(VirtualizationBackend.UNUSABLE_REASON),
                Boolean.TRUE.equals(ref.getProperty(VirtualizationBackend.USABLE)));
        VirtualizationBackend backend = context.getService(ref);
        try (VirtualMachine vm = backend.createVm(new VmSpec("itest", 1,
                List.of(new MemoryRegion("ram", 0, 2 << 20, false), new MemoryRegion("lazy", 2 << 20, 2 << 20, true)),
                (gpa, dst) -> dst.fill((byte) 0x5A)))) {
            GuestMemory m = vm.memory();
            // identity map of the first 4 MiB (2 MiB pages): PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000
            m.slice(0x1000, 8).set(ValueLayout.JAVA_LONG, 0, 0x2000 | 3);
            m.slice(0x2000, 8).set(ValueLayout.JAVA_LONG, 0, 0x3000 | 3);
            m.slice(0x3000, 16).set(ValueLayout.JAVA_LONG, 0, 0x83);
            m.slice(0x3000, 16).set(ValueLayout.JAVA_LONG, 8, (2 << 20) | 0x83);
            // mov al, [0x200000] (a lazily served page); out 0x10, al; hlt
            byte[] code = {(byte) 0x8A, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00, (byte) 0xE6, 0x10, (byte) 0xF4};
            m.slice(0x100000, code.length).copyFrom(MemorySegment.ofArray(code));
            Segment cs = Segment.code64(0x08, 0);
            Segment ds = Segment.data(0x10, 0);
            VcpuState s = new VcpuState(GeneralRegisters.ZERO.withRip(0x100000).with(GeneralRegisters.RSP, 0x8000),
                    new SegmentRegisters(cs, ds, ds, ds, ds, ds, Segment.tss64(0x18, 0x4000, 103), Segment.nullSegment()),
                    ControlRegisters.longMode(0x1000), new DescriptorTable(0x500, 31), new DescriptorTable(0, 0),
                    ModelSpecificRegisters.NONE, PendingEvents.NONE, null);
            vm.vcpu(0).setState(s);
            VcpuExit e = vm.vcpu(0).run();
            assertTrue("port I/O exit: " + e, e instanceof VcpuExit.PortIo io && io.port() == 0x10 && io.value() == 0x5A);
            assertTrue(m.isPresent(2 << 20));
        }
    }

    @Test
    public void anInvalidConfigurationIsRefusedAndThePreviousOneStaysInForce() throws Exception {
        Object usableBefore = kvm().getProperty(VirtualizationBackend.USABLE);
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration("org.paravane.kvm", "?");
        try (LogCapture logs = new LogCapture()) {
            Dictionary<String, Object> bad = new Hashtable<>();
            bad.put("uffdChunkSize", 12345L);
            c.update(bad);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && !logs.contains("invalid configuration org.paravane.kvm")) {
                Thread.sleep(20);
            }
            assertTrue(logs.lines().toString(), logs.contains("invalid configuration org.paravane.kvm",
                    "uffdChunkSize = '12345' (allowed: a power of two from 4096 to 2097152)", "keeping the previous configuration"));
            assertEquals("a bad value does not take the backend away", usableBefore, kvm().getProperty(VirtualizationBackend.USABLE));
        } finally {
            c.delete();
        }
    }
}
