/**
 * The x87 FPU: the instruction families on the register stack and the 80-bit extended-precision library they use
 * ({@link org.paravane.emulated.cpu.exec.x87.F80}, {@link org.paravane.emulated.cpu.exec.x87.X87Math}), rounding as
 * the hardware does under every rounding and precision control.
 */
package org.paravane.emulated.cpu.exec.x87;
