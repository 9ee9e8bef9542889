package org.paravane.emulated.cpu;

/**
 * The instruction needs the caller before it can complete (an MMIO read, a port read) or cannot continue at all; the
 * exit to return is in {@link Cpu#pendingExit()}. The instruction has not changed anything and restarts on the next
 * run, replaying the data the caller supplied.
 */
public final class ExitSignal extends CpuSignal {
    private static final long serialVersionUID = 1L;
}
