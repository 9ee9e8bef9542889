package org.paravane.kvm.host;

import java.nio.file.Path;
import java.util.Map;
import org.paravane.kvm.vstate.memory.MemoryMode;
import org.paravane.support.config.ConfigProperties;

/**
 * The backend's configuration, validated.
 *
 * @param memoryMode       how lazy regions of local snapshot files are backed
 * @param chunkBytes       bytes one userfaultfd fetch resolves around a fault (power of two, 4 KiB..2 MiB)
 * @param fetchThreads     threads per VM reading the page source
 * @param workingSet       whether to record faulted pages, or prefetch a recorded set
 * @param workingSetDir    where working sets are kept ({@code <vm name>.pages})
 * @param asyncPageFaults  whether to set up KVM's paravirtual async page faults
 * @param kickSignal       the signal that kicks vCPU threads
 * @param retryMinNanos    first backoff after a failed fetch that a kernel worker waits for
 * @param retryMaxNanos    longest backoff
 */
public record KvmSettings(MemoryMode memoryMode, long chunkBytes, int fetchThreads, WorkingSetMode workingSet,
                          Path workingSetDir, AsyncPfMode asyncPageFaults, int kickSignal, long retryMinNanos,
                          long retryMaxNanos) {

    /** What happens to the pages a VM touches. */
    public enum WorkingSetMode { OFF, RECORD, PREFETCH }

    /** Whether VMs get KVM's paravirtual async page faults. */
    public enum AsyncPfMode {
        /** In-kernel irqchip and the async-PF MSRs when the host supports them; synchronous faults otherwise. */
        AUTO,
        /** No in-kernel irqchip; every fault is synchronous in its vCPU thread. */
        OFF
    }

    public static final KvmSettings DEFAULTS = new KvmSettings(MemoryMode.USERFAULTFD, 65536, 8, WorkingSetMode.OFF,
            Path.of(System.getProperty("java.io.tmpdir"), "paravane-working-sets"), AsyncPfMode.AUTO, 10,
            1_000_000, 1_000_000_000);

    /** The backend's configuration PID. */
    public static final String PID = "org.paravane.kvm";

    /**
     * The settings of PID {@value #PID} from its raw properties (the keys and defaults of the backend's configuration
     * type), every key checked.
     *
     * @param dataArea where working sets go when {@code workingSetDirectory} is empty
     * @throws IllegalArgumentException naming every invalid key with its value and what is allowed
     */
    public static KvmSettings of(Map<String, ?> properties, Path dataArea) {
        ConfigProperties c = new ConfigProperties(PID, properties);
        KvmSettings d = DEFAULTS;
        MemoryMode mode = c.choice("memoryMode", MemoryMode.class, d.memoryMode());
        long chunk = c.number("uffdChunkSize", d.chunkBytes(), 4096, 2 << 20);
        if (Long.bitCount(chunk) != 1) {
            chunk = c.reject("uffdChunkSize", chunk, "a power of two from 4096 to 2097152", d.chunkBytes());
        }
        int threads = c.intNumber("fetchThreads", d.fetchThreads(), 1, 256);
        WorkingSetMode workingSet = c.choice("workingSet", WorkingSetMode.class, d.workingSet());
        String dir = c.string("workingSetDirectory", "");
        AsyncPfMode asyncPf = c.choice("asyncPageFaults", AsyncPfMode.class, d.asyncPageFaults());
        int signal = c.intNumber("kickSignal", d.kickSignal(), 1, 64);
        if (signal == 9 || signal == 19) {
            signal = c.reject("kickSignal", signal, "a signal number 1..64 that can be caught (not 9 or 19)", d.kickSignal());
        }
        long maxMillis = Long.MAX_VALUE / 1_000_000;
        long retryMin = c.number("fetchRetryMinMillis", d.retryMinNanos() / 1_000_000, 1, maxMillis);
        long retryMax = c.number("fetchRetryMaxMillis", d.retryMaxNanos() / 1_000_000, 1, maxMillis);
        if (retryMax < retryMin) {
            retryMax = c.reject("fetchRetryMaxMillis", retryMax, "at least fetchRetryMinMillis (" + retryMin + ")", retryMin);
        }
        c.validate();
        return new KvmSettings(mode, chunk, threads, workingSet, dir.isEmpty() ? dataArea : Path.of(dir), asyncPf, signal,
                retryMin * 1_000_000, retryMax * 1_000_000);
    }

    public KvmSettings {
        if (chunkBytes < 4096 || chunkBytes > (2 << 20) || Long.bitCount(chunkBytes) != 1) {
            throw new IllegalArgumentException("uffdChunkSize must be a power of two from 4096 to 2097152 bytes, got " + chunkBytes);
        }
        if (fetchThreads < 1 || fetchThreads > 256) {
            throw new IllegalArgumentException("fetchThreads must be 1..256, got " + fetchThreads);
        }
        if (kickSignal < 1 || kickSignal > 64 || kickSignal == 9 || kickSignal == 19) {
            throw new IllegalArgumentException("kickSignal must be a catchable signal number 1..64, got " + kickSignal);
        }
        if (retryMinNanos <= 0 || retryMaxNanos < retryMinNanos) {
            throw new IllegalArgumentException("fetch retry backoff must be positive with max >= min: " + retryMinNanos
                    + ".." + retryMaxNanos + " ns");
        }
    }
}
