package org.paravane.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.paravane.itest.PaxExamSupport.file;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;

/** The foundation in a real Felix: bundle manifests, DS components, and the paravane shell commands. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WiringIT {

    @Inject
    BundleContext context;

    @Inject
    ServiceComponentRuntime scr;

    @Inject
    CommandProcessor shell;

    @Configuration
    public Option[] config() {
        return options(PaxExamSupport.container(), file("bundle.vmm"));
    }

    @Test
    public void apiExportsOnlyItsVersionedApiPackages() {
        Bundle api = bundle("org.paravane.api");
        List<BundleCapability> exports = api.adapt(BundleRevision.class).getDeclaredCapabilities("osgi.wiring.package");
        List<String> names = exports.stream().map(c -> (String) c.getAttributes().get("osgi.wiring.package")).sorted().toList();
        assertEquals(List.of("org.paravane.api.asyncpf", "org.paravane.api.backend", "org.paravane.api.cpu",
                "org.paravane.api.memory"), names);
        // asyncpf 2.0.0: one contract per side replaced the shared PageFaultHandler/FaultDecision (a major change);
        // backend 1.2.0: VmSpec's per-VM backend options (an addition)
        Map<String, Version> versions = Map.of("org.paravane.api.asyncpf", new Version(2, 0, 0),
                "org.paravane.api.backend", new Version(1, 2, 0), "org.paravane.api.cpu", new Version(1, 1, 0),
                "org.paravane.api.memory", new Version(1, 0, 0));
        for (BundleCapability c : exports) {
            Version expected = versions.get((String) c.getAttributes().get("osgi.wiring.package"));
            assertEquals(c.getAttributes() + " must carry version " + expected, expected, c.getAttributes().get("version"));
        }
    }

    @Test
    public void implementationBundlesExportNothingAndDeclareComponents() {
        Bundle vmm = bundle("org.paravane.vmm");
        assertTrue("vmm must keep its packages private",
                vmm.adapt(BundleRevision.class).getDeclaredCapabilities("osgi.wiring.package").isEmpty());
        String components = vmm.getHeaders().get("Service-Component");
        assertNotNull("bnd must generate DS component descriptions", components);
        assertTrue(components, components.contains("OSGI-INF/org.paravane.vmm.shell.WiringCommands.xml"));
        List<ComponentConfigurationDTO> configs = scr.getComponentDescriptionDTOs(vmm).stream()
                .flatMap(d -> scr.getComponentConfigurationDTOs(d).stream()).toList();
        assertFalse("vmm components must be known to SCR", configs.isEmpty());
        for (ComponentConfigurationDTO c : configs) {
            assertTrue(c.description.name + " is in state " + c.state,
                    c.state == ComponentConfigurationDTO.ACTIVE || c.state == ComponentConfigurationDTO.SATISFIED);
        }
    }

    @Test
    public void backendsCommandAnswersInTheShell() throws Exception {
        String out = execute("paravane:backends");
        assertTrue(out, out.contains("no virtualization backend is registered"));
        String wiring = execute("paravane:wiring");
        for (String type : List.of("VirtualizationBackend", "AsyncPfWaiter", "PageFaultHandler", "AsyncPfHost",
                "SleeperTableFactory", "PageSource")) {
            assertTrue(wiring, wiring.contains(type));
        }
    }

    private String execute(String command) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
             CommandSession session = shell.createSession(System.in, out, out)) {
            Object result = session.execute(command);
            return bytes.toString(StandardCharsets.UTF_8) + result;
        }
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst()
                .orElseThrow(() -> new AssertionError(symbolicName + " not installed; have: " + Arrays.stream(context.getBundles())
                        .map(Bundle::getSymbolicName).collect(Collectors.joining(", "))));
    }
}
