/**
 * The x86-64 instruction decoder for 64-bit mode and its output: the decoded instruction, its operands and
 * mnemonics. Kept apart from execution so that a translator to bytecode can read the same decoded form.
 */
package org.paravane.emulated.cpu.decode;
