/**
 * x86-64 structures every Paravane guest uses, written into guest memory: 4-level page tables, the GDT and IDT
 * layout, the trap stubs that reduce guest CPL0 code to exits, long-mode vCPU states, and a minimal flat platform for
 * backend tests and benchmarks. Inlined privately by the bundles that use it.
 */
package org.paravane.support.x86;
