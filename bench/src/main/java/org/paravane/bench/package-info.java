/**
 * JMH benchmarks of the software CPU (guest MIPS on the four CPU-bound kernels) and the kernel iteration counts the
 * bench build assembles them with. Built only with {@code -Pbench}; figures belong here, never in timed unit tests.
 */
package org.paravane.bench;
