/**
 * One software vCPU's execution: its architectural state and fast paths, the interpreter loop that delivers events
 * at instruction boundaries, the cache of decoded blocks, MMIO and port exits with precise restarts, atomics, MSRs and
 * CPUID, and the preallocated signals an instruction raises instead of completing (a guest exception, a host-absent
 * page, an exit).
 */
package org.paravane.emulated.cpu;
