/**
 * Lazy guest memory served through userfaultfd: the descriptor, the handler thread and fetch pool that read page
 * sources and resolve faults in chunks, and the working-set recording and prefetching.
 */
package org.paravane.kvm.uffd;
