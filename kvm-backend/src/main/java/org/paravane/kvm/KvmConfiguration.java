package org.paravane.kvm;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.paravane.kvm.host.KvmSettings;
import org.paravane.kvm.vstate.memory.MemoryMode;

/** Configuration of the KVM backend (PID {@value KvmBackendComponent#PID}); applies to VMs created afterwards. */
@ObjectClassDefinition(name = "Paravane KVM backend",
        description = "How the KVM backend backs lazy guest memory and delivers async page faults")
public @interface KvmConfiguration {

    @AttributeDefinition(name = "Lazy memory mode", description = "USERFAULTFD: every absent page is served from the "
            + "page source through userfaultfd. FILE_MAPPING: lazy regions whose page source is a local file are mapped "
            + "private (copy-on-write) and paged in by the kernel; the rest use userfaultfd.")
    MemoryMode memoryMode() default MemoryMode.USERFAULTFD;

    @AttributeDefinition(name = "userfaultfd chunk size", description = "Bytes resolved around each fault with one "
            + "UFFDIO_COPY: a power of two from 4096 to 2097152", min = "4096", max = "2097152")
    long uffdChunkSize() default 65536;

    @AttributeDefinition(name = "Fetch threads", description = "Threads per VM reading the page source", min = "1", max = "256")
    int fetchThreads() default 8;

    @AttributeDefinition(name = "Working set", description = "OFF; RECORD: save the pages each VM faults in, in order, "
            + "when it closes; PREFETCH: fetch a recorded working set in the background when a VM of that name starts")
    KvmSettings.WorkingSetMode workingSet() default KvmSettings.WorkingSetMode.OFF;

    @AttributeDefinition(name = "Working set directory", description = "Where working sets are kept as <vm name>.pages; "
            + "empty: the bundle's data area")
    String workingSetDirectory() default "";

    @AttributeDefinition(name = "Async page faults", description = "AUTO: KVM's paravirtual async page faults (in-kernel "
            + "irqchip, the guest enables them with MSR_KVM_ASYNC_PF_EN) when the host supports them; OFF: no irqchip, "
            + "all faults synchronous")
    KvmSettings.AsyncPfMode asyncPageFaults() default KvmSettings.AsyncPfMode.AUTO;

    @AttributeDefinition(name = "Kick signal", description = "Signal number that kicks vCPU threads out of KVM_RUN "
            + "(10 = SIGUSR1); it must have no other handler in this process", min = "1", max = "64")
    int kickSignal() default 10;

    @AttributeDefinition(name = "Fetch retry, first (ms)", description = "Backoff before retrying a failed fetch that an "
            + "async page fault waits for; doubles up to the maximum", min = "1")
    long fetchRetryMinMillis() default 1;

    @AttributeDefinition(name = "Fetch retry, maximum (ms)", min = "1")
    long fetchRetryMaxMillis() default 1000;
}
