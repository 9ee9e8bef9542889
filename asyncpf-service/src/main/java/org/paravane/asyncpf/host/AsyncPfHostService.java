package org.paravane.asyncpf.host;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.paravane.api.asyncpf.AsyncPfHost;
import org.paravane.api.asyncpf.HostAsyncPf;
import org.paravane.api.asyncpf.HostVcpuPort;
import org.paravane.support.config.ConfigProperties;

/**
 * The {@link AsyncPfHost} service: gives each vCPU of a backend without kernel async page faults its
 * {@link HostAsyncPf}, all sharing one bounded pool of fetch threads (configured through Config Admin, PID
 * {@value #PID}).
 *
 * <p>When the service goes away every attached vCPU state is closed: outstanding work is dropped, a vCPU thread waiting
 * for the host returns {@code RELEASED}, and from then on that state serves faults synchronously on the caller's thread
 * with async PF off, so running VMs go on (slower) until their backend attaches to the next engine. The tokens it
 * injected are never completed: the backend owes its guest the wake-all ({@link HostAsyncPf#close()}).
 */
@Component(name = AsyncPfHostService.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = AsyncPfHostService.Config.class)
public final class AsyncPfHostService implements AsyncPfHost {

    public static final String PID = "org.paravane.asyncpf.host";
    private static final System.Logger LOG = System.getLogger(PID);

    @ObjectClassDefinition(name = "Paravane async page faults: host engine",
            description = "Background fetching of absent guest pages for backends without kernel async page faults")
    public @interface Config {
        @AttributeDefinition(name = "Fetch threads", min = "1", max = "1024",
                description = "Threads reading absent pages from the page sources, shared by every vCPU (1..1024)")
        int fetch_threads() default DEFAULT_THREADS;
    }

    private static final int DEFAULT_THREADS = 4;

    private final FetchPool pool;
    private final Set<VcpuAsyncPf> attached = ConcurrentHashMap.newKeySet();
    private boolean active = true;

    /**
     * Takes the raw properties, not a {@link Config}: Declarative Services would convert {@code fetch.threads=many} to
     * an int before this code runs and fail with a stack trace instead of a message.
     */
    @Activate
    public AsyncPfHostService(Map<String, Object> properties) {
        this.pool = new FetchPool("paravane-apf-fetch", fetchThreads(properties, DEFAULT_THREADS));
    }

    @Modified
    void modified(Map<String, Object> properties) {
        pool.resize(fetchThreads(properties, pool.threads()));
    }

    /** A bad configuration is reported and ignored: the engine keeps running with what it had. */
    static int fetchThreads(Map<String, ?> properties, int current) {
        ConfigProperties c = new ConfigProperties(PID, properties);
        int threads = c.intNumber("fetch.threads", DEFAULT_THREADS, 1, 1024);
        try {
            c.validate();
            return threads;
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, e.getMessage() + "; keeping " + current + " fetch threads");
            return current;
        }
    }

    @Override
    public synchronized HostAsyncPf attach(HostVcpuPort vcpu) {
        if (!active) {
            throw new IllegalStateException("the async PF host engine is stopping; vCPU " + vcpu.vcpuId() + " was not attached");
        }
        VcpuAsyncPf state = new VcpuAsyncPf(vcpu, pool, attached::remove);
        attached.add(state);
        return state;
    }

    /** vCPUs attached now (closed ones leave). */
    public List<HostAsyncPf> attached() {
        return new ArrayList<>(attached);
    }

    public int fetchThreads() {
        return pool.threads();
    }

    public int pendingFetches() {
        return pool.pending();
    }

    @Deactivate
    public void deactivate() {
        synchronized (this) {
            active = false;
        }
        for (VcpuAsyncPf state : List.copyOf(attached)) {
            state.close();
        }
        pool.shutdown();
    }
}
