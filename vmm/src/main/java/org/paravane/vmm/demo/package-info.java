/**
 * The {@code paravane:demo} command: the 2010 async page fault experiment (async PF off, the halt wait everywhere,
 * the decision table) on every usable backend, and guest MIPS on CPU-bound kernels natively and on the software CPU.
 */
package org.paravane.vmm.demo;
