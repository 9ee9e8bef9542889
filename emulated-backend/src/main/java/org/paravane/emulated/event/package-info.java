/**
 * Control transfers through the system structures, as the SDM's pseudocode does them: exception and interrupt
 * delivery through the IDT, IRET, far returns, SYSCALL/SYSRET, and segment-register loads with their descriptor
 * checks.
 */
package org.paravane.emulated.event;
