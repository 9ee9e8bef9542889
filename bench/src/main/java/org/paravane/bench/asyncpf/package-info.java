/**
 * JMH benchmarks of the sleeper table's wait/wake against the obvious alternatives (bare park/unpark, a map of
 * futures, park over a map), with a thread handoff and with the wake first.
 */
package org.paravane.bench.asyncpf;
