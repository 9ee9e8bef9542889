/**
 * The guest's sleeper table: 256 buckets keyed by token, each under its own lock, holding waiters and the dummies of
 * wakes that came before their waits; its enqueue path is the one both waits share (docs/async-page-faults.md §2, §3,
 * §5). Offered through the {@code SleeperTableFactory} service, which closes its tables when it goes.
 */
package org.paravane.asyncpf.table;
