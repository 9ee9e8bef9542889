package org.paravane.asyncpf.shell;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.paravane.api.asyncpf.AsyncPfHost;
import org.paravane.api.asyncpf.AsyncPfWaiter;
import org.paravane.api.asyncpf.HostAsyncPf;
import org.paravane.api.asyncpf.PageFaultHandler;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.asyncpf.SleeperTableFactory;
import org.paravane.asyncpf.guest.GuestFaultCounters;
import org.paravane.asyncpf.guest.GuestFaultHandler;
import org.paravane.asyncpf.host.AsyncPfHostService;
import org.paravane.asyncpf.table.BucketedSleeperTable;
import org.paravane.asyncpf.table.SleeperTables;

/** {@code paravane:asyncpf}: the waiters bound, the guest-side counters, every sleeper table and host vCPU state. */
@Component(service = AsyncPfCommands.class, property = {
        "osgi.command.scope=paravane",
        "osgi.command.function=asyncpf"})
public final class AsyncPfCommands {

    private static final String NL = System.lineSeparator();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    final List<AsyncPfWaiter> waiters = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile PageFaultHandler guestHandler;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile SleeperTableFactory tables;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile AsyncPfHost host;

    /** Gogo entry point: the async page fault services and their counters. */
    public String asyncpf() {
        StringBuilder out = new StringBuilder();
        out.append("waiters:").append(waiters.isEmpty() ? " none" : "").append(NL);
        waiters.forEach(w -> out.append("  ").append(w.mode().property()).append(": ").append(w).append(NL));

        PageFaultHandler handler = guestHandler;
        if (handler instanceof GuestFaultHandler g) {
            GuestFaultCounters.Snapshot c = g.counters();
            out.append("guest fault handler: ").append(g.waiters()).append(NL)
                    .append("  ordinary ").append(c.ordinaryFaults())
                    .append(", schedule waits ").append(c.scheduleWaits())
                    .append(", halt waits ").append(c.haltWaits())
                    .append(", schedule->halt ").append(c.scheduleFallbacks())
                    .append(", halt->synchronous ").append(c.synchronousFallbacks()).append(NL)
                    .append("  page ready ").append(c.pagesReady())
                    .append(", wake-alls ").append(c.wakeAlls())
                    .append(", spurious ").append(c.spurious())
                    .append(", panics ").append(c.panics()).append(NL);
        } else {
            out.append("guest fault handler: ").append(handler == null ? "none" : handler).append(NL);
        }

        if (tables instanceof SleeperTables factory) {
            List<BucketedSleeperTable> list = factory.tables();
            out.append("sleeper tables:").append(list.isEmpty() ? " none" : "").append(NL);
            for (BucketedSleeperTable t : list) {
                SleeperTable.Stats s = t.stats();
                out.append("  ").append(t).append(": schedule ").append(s.scheduleWaits())
                        .append(", halt ").append(s.haltWaits())
                        .append(", woken ").append(s.wakes()).append(" + ").append(s.wakeAllWoken()).append(" by wake-all")
                        .append(", dummies ").append(s.dummiesCreated()).append(" made / ").append(s.dummiesConsumed())
                        .append(" consumed / ").append(s.dummiesDiscarded()).append(" discarded")
                        .append(", released ").append(s.released()).append(NL);
            }
        }

        AsyncPfHost engine = host;
        if (engine instanceof AsyncPfHostService service) {
            List<HostAsyncPf> vcpus = service.attached();
            out.append("host engine: ").append(service.fetchThreads()).append(" fetch threads, ")
                    .append(service.pendingFetches()).append(" fetches pending, ").append(vcpus.size()).append(" vCPUs attached").append(NL);
            for (HostAsyncPf v : vcpus) {
                HostAsyncPf.Stats s = v.stats();
                out.append("  ").append(v).append(NL)
                        .append("    async ").append(s.asyncFaults()).append(", host waits ").append(s.syncFaults())
                        .append(", repeated ").append(s.repeatedFaults()).append(", page ready ").append(s.pagesReady())
                        .append(" (").append(s.wakeAlls()).append(" wake-all), cancelled ").append(s.cancelled())
                        .append(", fetch errors ").append(s.fetchErrors()).append(NL);
            }
        } else {
            out.append("host engine: ").append(engine == null ? "none" : engine).append(NL);
        }
        return out.toString();
    }
}
