/**
 * The VM and vCPU objects of the software CPU backend: guest RAM in anonymous mappings, the {@code Vcpu} with its
 * run loop, HLT sleep, kicks, budgets and host faults (through the async page fault engine or fetched on the vCPU
 * thread), the exclusive section for split locks, and the mapping to and from the backend-neutral vCPU state.
 */
package org.paravane.emulated.vstate;
