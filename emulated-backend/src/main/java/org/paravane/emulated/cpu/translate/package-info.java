/**
 * The translator of hot decoded blocks to JVM bytecode: each hot block and its successors on the same page (a
 * {@link org.paravane.emulated.cpu.translate.Region}) become a hidden class (ClassFile API) whose one method runs them,
 * jumping between them, with the guest registers and the lazy flags in JVM locals, inlining the common integer
 * instructions and calling the interpreter's {@code Insn} for the rest, and stops with the state exact at every
 * instruction that can raise a signal and at every exit.
 */
package org.paravane.emulated.cpu.translate;
