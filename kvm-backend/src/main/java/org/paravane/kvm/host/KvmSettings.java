package org.paravane.kvm.host;

import java.nio.file.Path;
import org.paravane.kvm.vstate.memory.MemoryMode;

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
