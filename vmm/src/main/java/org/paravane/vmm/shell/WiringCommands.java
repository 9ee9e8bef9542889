package org.paravane.vmm.shell;

import static org.paravane.vmm.shell.ServiceDescriptions.PREFERENCE;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.paravane.api.asyncpf.AsyncPfHost;
import org.paravane.api.asyncpf.AsyncPfWaiter;
import org.paravane.api.asyncpf.PageFaultHandler;
import org.paravane.api.asyncpf.SleeperTableFactory;
import org.paravane.api.backend.BackendCapabilities;
import org.paravane.api.backend.VirtualizationBackend;
import org.paravane.api.memory.PageSource;

/** {@code paravane:backends}, {@code paravane:wiring}: what is registered, how it ranks, who uses it. */
@Component(service = WiringCommands.class, property = {
        "osgi.command.scope=paravane",
        "osgi.command.function=backends",
        "osgi.command.function=wiring"})
public class WiringCommands {

    /** The Paravane service types, in the order the wiring listing shows them. */
    static final List<Class<?>> SERVICE_TYPES = List.of(VirtualizationBackend.class, AsyncPfWaiter.class,
            PageFaultHandler.class, AsyncPfHost.class, SleeperTableFactory.class, PageSource.class);

    private final BundleContext context;

    @Activate
    public WiringCommands(BundleContext context) {
        this.context = context;
    }

    @Descriptor("list the virtualization backends: usability, ranking, capabilities, properties and users")
    public String backends() {
        List<ServiceReference<VirtualizationBackend>> refs = references(VirtualizationBackend.class);
        if (refs.isEmpty()) {
            return "no virtualization backend is registered (install/start a backend bundle: kvm-backend, emulated-backend)";
        }
        TextTable table = new TextTable("BACKEND", "USABLE", "RANKING", "PROVIDER", "CAPABILITIES", "USED BY");
        List<String> details = new ArrayList<>();
        boolean anyUsable = false;
        for (ServiceReference<VirtualizationBackend> ref : refs) {
            VirtualizationBackend backend = context.getService(ref);
            try {
                String name = String.valueOf(ref.getProperty(VirtualizationBackend.NAME));
                boolean usable = Boolean.TRUE.equals(ref.getProperty(VirtualizationBackend.USABLE));
                anyUsable |= usable;
                table.row(name, usable ? "yes" : "no", ServiceDescriptions.ranking(ref),
                        ServiceDescriptions.bundle(ref.getBundle()),
                        backend == null ? "(gone)" : describe(backend.capabilities()), ServiceDescriptions.users(ref));
                StringBuilder d = new StringBuilder("  ").append(name).append(": ").append(ServiceDescriptions.properties(ref));
                if (backend != null && !backend.capabilities().detail().isEmpty()) {
                    d.append(System.lineSeparator()).append("    ").append(backend.capabilities().detail());
                }
                details.add(d.toString());
            } finally {
                if (backend != null) {
                    context.ungetService(ref);
                }
            }
        }
        String listing = table + "properties:" + System.lineSeparator() + String.join(System.lineSeparator(), details);
        return anyUsable ? listing : listing + System.lineSeparator()
                + "no usable virtualization backend: VMs cannot start until one is (start emulated-backend, or make /dev/kvm usable)";
    }

    @Descriptor("list every Paravane service: type, provider, ranking, properties and the bundles using it")
    public String wiring() {
        StringBuilder out = new StringBuilder();
        for (Class<?> type : SERVICE_TYPES) {
            List<? extends ServiceReference<?>> refs = references(type);
            out.append(type.getSimpleName()).append(refs.isEmpty() ? ": none" : ":").append(System.lineSeparator());
            for (ServiceReference<?> ref : refs) {
                out.append("  ranking ").append(ServiceDescriptions.ranking(ref))
                        .append("  ").append(ServiceDescriptions.bundle(ref.getBundle()))
                        .append(System.lineSeparator())
                        .append("    properties: ").append(ServiceDescriptions.properties(ref)).append(System.lineSeparator())
                        .append("    used by:    ").append(ServiceDescriptions.users(ref)).append(System.lineSeparator());
            }
        }
        return out.toString();
    }

    private <S> List<ServiceReference<S>> references(Class<S> type) {
        try {
            Collection<ServiceReference<S>> found = context.getServiceReferences(type, null);
            List<ServiceReference<S>> sorted = new ArrayList<>(found);
            sorted.sort(PREFERENCE);
            return sorted;
        } catch (InvalidSyntaxException e) {
            throw new AssertionError("null filter", e);
        }
    }

    static String describe(BackendCapabilities c) {
        List<String> parts = new ArrayList<>();
        parts.add(c.hardwareAccelerated() ? "hardware" : "software CPU");
        if (c.kernelAsyncPageFaults()) {
            parts.add("kernel async PF");
        }
        if (c.lazyMemory()) {
            parts.add("lazy memory");
        }
        if (c.singleStep()) {
            parts.add("single-step");
        }
        if (c.instructionCounting()) {
            parts.add("instruction budget");
        }
        parts.add("max " + c.maxVcpus() + " vCPUs");
        return String.join(", ", parts);
    }
}
