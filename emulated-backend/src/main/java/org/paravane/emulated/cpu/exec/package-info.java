/**
 * The implementations of the instructions, one class per family (ALU, shifts, multiply/divide, moves, stack,
 * branches, bits, strings, atomics, system), and the binder that turns a decoded instruction into its executable form,
 * picking specialised forms where the operands allow.
 */
package org.paravane.emulated.cpu.exec;
