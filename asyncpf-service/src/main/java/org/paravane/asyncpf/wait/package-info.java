/**
 * The schedule-based async page fault wait (cases #1, #2a, #2b of docs/async-page-faults.md), registered as the
 * {@code AsyncPfWaiter} with {@code wait.mode=schedule}, and the host thread as a sleeper, which the host engine's
 * vCPU threads and the tests and benchmarks wait as.
 */
package org.paravane.asyncpf.wait;
