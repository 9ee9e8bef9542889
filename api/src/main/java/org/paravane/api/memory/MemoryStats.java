package org.paravane.api.memory;

/**
 * Counters of a VM's guest memory.
 *
 * @param presentPages pages the host has now
 * @param absentPages  pages of lazy regions not yet fetched
 * @param faults       guest accesses that found a page absent (each starts or joins a fetch)
 * @param fetchedPages pages read from the page source
 * @param zeroPages    pages served as zero without reading the source
 * @param fetchErrors  fetches that failed
 */
public record MemoryStats(long presentPages, long absentPages, long faults, long fetchedPages, long zeroPages,
                          long fetchErrors) {
}
