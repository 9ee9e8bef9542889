/**
 * The guest kernel's side of async page faults: the #PF and "page ready" entry with the decision table that picks
 * the schedule or the halt wait (docs/async-page-faults.md §4, §6), registered as the guest-side
 * {@code PageFaultHandler}, and its counters. Guest kernels call it on the faulting vCPU's thread.
 */
package org.paravane.asyncpf.guest;
