package org.paravane.api.backend;

/**
 * What a backend can do on this host.
 *
 * @param hardwareAccelerated   guest code runs on the real CPU (KVM), not in a software CPU
 * @param kernelAsyncPageFaults the host side of async page faults is provided by the host kernel (KVM's paravirtual
 *                              async PF); otherwise the backend uses the Java host-side engine, if one is available
 * @param lazyMemory            guest memory can have host-absent pages served from a {@link org.paravane.api.memory.PageSource}
 * @param singleStep            {@link Vcpu#setSingleStep} is supported
 * @param instructionCounting   {@link RunBudget#instructions()} is honoured exactly (otherwise only {@link RunBudget#nanos()})
 * @param maxVcpus              largest vCPU count of one VM
 * @param detail                one line on the mechanisms in use ("PVM; async PF: KVM PV (irqchip)")
 */
public record BackendCapabilities(boolean hardwareAccelerated, boolean kernelAsyncPageFaults, boolean lazyMemory,
                                  boolean singleStep, boolean instructionCounting, int maxVcpus, String detail) {
}
