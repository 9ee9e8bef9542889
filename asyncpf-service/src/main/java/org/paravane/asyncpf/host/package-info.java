/**
 * The host side of async page faults for backends whose kernel does not provide it (the software CPU): per-vCPU
 * tokens, the table of pages in flight, background fetches on a bounded pool, "page ready" delivery one at a time and
 * cancellation, after the Linux host code (docs/async-page-faults.md §7). Offered as the {@code AsyncPfHost} service,
 * configured through Config Admin.
 */
package org.paravane.asyncpf.host;
