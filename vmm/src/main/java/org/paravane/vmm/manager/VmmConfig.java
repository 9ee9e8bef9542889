package org.paravane.vmm.manager;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Configuration of the VM manager (PID {@code org.paravane.vmm}); applies to VMs created afterwards. */
@ObjectClassDefinition(name = "Paravane VMM", description = "Defaults for new VMs")
public @interface VmmConfig {

    String PID = "org.paravane.vmm";

    @AttributeDefinition(description = "Backend for new VMs: a backend name (kvm, emulated) or auto (KVM when usable)")
    String defaultBackend() default "auto";

    @AttributeDefinition(description = "How guests use async page faults", options = {
            @Option(value = "table", label = "decision table"), @Option(value = "halt", label = "halt wait everywhere"),
            @Option(value = "off", label = "off (synchronous faults)")})
    String waitPolicy() default "table";

    @AttributeDefinition(description = "Where a data region's pages come from: kind[:arg][,latency=..][,bandwidth=..]")
    String pageSource() default "pattern,latency=100us";

    @AttributeDefinition(description = "Guest kernel preemption model", options = {
            @Option(value = "preemptible", label = "preemptible"), @Option(value = "non-preemptible", label = "non-preemptible")})
    String preemption() default "preemptible";

    @AttributeDefinition(description = "Preemption tick in microseconds (10..1000000)")
    long timeSliceMicros() default 2000;

    @AttributeDefinition(description = "CPU model new VMs' guests see (paravane:run --cpu overrides it): paravane-1 runs"
            + " on every backend and moves between them; host is KVM's view of the host CPU (KVM only, moves only to"
            + " backends with all its features); paravane-0 is the software CPU before models", options = {
            @Option(value = "paravane-1", label = "paravane-1 (portable default)"),
            @Option(value = "host", label = "host (KVM only)"),
            @Option(value = "paravane-0", label = "paravane-0 (legacy software CPU)")})
    String cpuModel() default "paravane-1";

    @AttributeDefinition(description = "Guest RAM of a new VM in MiB (4..65536)")
    int memoryMiB() default 64;

    @AttributeDefinition(description = "Most VMs the manager runs at once (1..1024)")
    int maxVms() default 64;

    @AttributeDefinition(description = "Per-VM limit: most vCPUs one VM may have (1..256)")
    int maxVcpus() default 16;

    @AttributeDefinition(description = "Per-VM limit: most guest RAM one VM may have, in MiB (4..65536; at least memoryMiB)")
    int maxMemoryMiB() default 16384;

    @AttributeDefinition(description = "Ended VMs paravane:vms keeps listing, with their output and stats (0..10000);"
            + " older ones are forgotten, paravane:vms --clear forgets them all")
    int historySize() default 20;

    @AttributeDefinition(description = "Per-VM limit: most Linux processes one VM may hold, zombies included (1..65536);"
            + " beyond it fork fails with EAGAIN and the VM's log names the limit")
    int maxProcesses() default 512;
}
