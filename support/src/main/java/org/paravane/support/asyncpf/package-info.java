/**
 * The wait both async page fault waiters share: the table's one enqueue path, then block until woken, with the waits
 * in progress remembered so that a waiter whose bundle goes away can end them released instead of leaving threads in
 * its code. Here because the two waiters live in different bundles; each inlines it privately.
 */
package org.paravane.support.asyncpf;
