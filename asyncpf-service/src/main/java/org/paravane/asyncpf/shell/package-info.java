/**
 * The {@code paravane:asyncpf} Gogo command: which waiters and handler are bound, the guest-side counters, every
 * sleeper table and every host vCPU state, for looking at the mechanism while VMs run.
 */
package org.paravane.asyncpf.shell;
