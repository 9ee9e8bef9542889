/**
 * The translator of hot decoded blocks to JVM bytecode: each block becomes a hidden class (ClassFile API) whose one
 * method runs the block with the guest registers and the lazy flags in JVM locals, inlining the common integer
 * instructions and calling the interpreter's {@code Insn} for the rest, and stops with the state exact at every
 * instruction that can raise a signal.
 */
package org.paravane.emulated.cpu.translate;
