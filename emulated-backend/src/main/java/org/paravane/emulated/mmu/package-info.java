/**
 * Address translation of the software CPU: the 4-level page walk with permissions and accessed/dirty bits, the TLB
 * that caches it, and guest-physical memory as the CPU sees it (regions, host presence of pages, which bytes hold
 * decoded code). An access to a page absent on the host is detected here.
 */
package org.paravane.emulated.mmu;
