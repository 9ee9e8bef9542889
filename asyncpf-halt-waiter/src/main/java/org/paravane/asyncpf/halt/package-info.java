/**
 * The halt-based async page fault wait (case #2c of docs/async-page-faults.md): the vCPU runs no other task until
 * the token is woken, still taking "page ready" for other tokens. It is a bundle of its own so that it can be stopped
 * or updated while vCPUs wait in it; its waits then end released and the guest retries synchronously. It reaches the
 * sleeper table only through the API, so the enqueue path stays the one both waits share.
 */
package org.paravane.asyncpf.halt;
