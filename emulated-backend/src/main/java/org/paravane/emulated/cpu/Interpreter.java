package org.paravane.emulated.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import org.paravane.emulated.cpu.decode.Mnemonic;
import org.paravane.emulated.cpu.exec.Insn;
import org.paravane.emulated.event.Delivery;

/**
 * The execution loop of one vCPU: delivers pending exceptions and interrupts at instruction boundaries, runs decoded
 * blocks, and turns what they raise into exception delivery (with the double- and triple-fault rules) or into a
 * reason to stop. Counts retired instructions exactly; checks the cross-thread attention word and the deadline every
 * {@link #CHECK_INTERVAL} instructions, so a kick is seen within a bounded number of instructions.
 */
public final class Interpreter {

    /** Why {@link #run} returned. */
    public enum Stop {
        /** {@link Cpu#pendingExit()} holds an exit for the caller (MMIO, port I/O, emulation failure). */
        EXIT,
        /** HLT, and no interrupt can be delivered now. */
        HALTED,
        /** The instruction limit is reached. */
        BUDGET,
        /** The deadline passed. */
        DEADLINE,
        /** Another thread raised the attention word (kick, injected event, code change elsewhere). */
        ATTENTION,
        /** An access found a host-absent page ({@link Cpu#absent}); nothing changed, the instruction restarts. */
        HOST_FAULT,
        /** Single-stepping: one instruction completed, or an exception was delivered. */
        STEP,
        /** Triple fault ({@link Cpu#shutdown}). */
        SHUTDOWN
    }

    public static final int CHECK_INTERVAL = 512;

    private final Cpu c;
    private final CodeCache code;
    private final AtomicInteger attention;

    public Interpreter(Cpu cpu, CodeCache code, AtomicInteger attention) {
        this.c = cpu;
        this.code = code;
        this.attention = attention;
    }

    public CodeCache code() {
        return code;
    }

    /**
     * Runs until something stops it.
     *
     * @param maxInstructions most instructions to retire
     * @param deadline        {@link System#nanoTime()} to stop at, or 0
     * @param singleStep      stop after one instruction (or one delivered exception)
     */
    public Stop run(long maxInstructions, long deadline, boolean singleStep) {
        long limit = maxInstructions >= Long.MAX_VALUE - c.retired ? Long.MAX_VALUE : c.retired + maxInstructions;
        int countdown = CHECK_INTERVAL;
        boolean replay = c.io.replaying();
        if (replay) {
            c.io.rewind();
        }
        Block previous = null;
        for (;;) {
            if (c.shutdown != null) {
                return Stop.SHUTDOWN;
            }
            if (c.eventsPending) {
                boolean exception = c.pendingVector >= 0;
                Stop s = events();
                if (s != null) {
                    return s;
                }
                if (singleStep && exception) {
                    return Stop.STEP;
                }
            }
            long left = limit - c.retired;
            if (left <= 0) {
                return Stop.BUDGET;
            }
            boolean trap = (c.sysFlags & Cpu.TF) != 0;
            boolean shadow = c.interruptShadow;
            // A translated loop may run several passes: up to the next attention check.
            int max = singleStep || trap || shadow || replay ? 1 : Math.max(Block.MAX_INSTRUCTIONS, countdown);
            if (max > left) {
                max = (int) left;
            }
            if (shadow) {
                c.interruptShadow = false;               // it covers exactly this instruction
            }
            c.repChunk = singleStep || trap ? 1 : 4096;  // TF traps after every REP iteration
            int n;
            Block b = null;
            try {
                long rip = c.rip;
                int epoch = c.codeEpoch;
                b = previous == null ? null : previous.linked(rip, epoch);
                if (b == null) {
                    b = code.lookup(rip);
                    if (previous != null) {
                        previous.link(b, epoch);
                    }
                }
                previous = b;
                n = b.execute(c, max);
            } catch (GuestFault f) {
                if (b != null) {
                    c.retired += c.completedBeforeSignal;
                }
                c.io.clear();
                replay = false;
                queue(f, b == null ? null : c.signalled);
                continue;                                 // delivered at the top of the loop

            } catch (HostAbsent a) {
                if (b != null) {
                    c.retired += c.completedBeforeSignal;
                }
                c.io.rewind();
                return Stop.HOST_FAULT;
            } catch (ExitSignal e) {
                if (b != null) {
                    c.retired += c.completedBeforeSignal;
                }
                c.io.rewind();
                return Stop.EXIT;
            }
            c.retired += n;
            if (c.partial) {
                c.partial = false;
                c.retired--;
            }
            if (replay) {
                c.io.clear();
                replay = false;
            }
            if (trap && n == 1 && !softwareInterrupt(b.insn(0))) {
                c.dr[6] |= 0x4000;                       // DR6.BS
                c.queueException(Vectors.DB, -1, 0);
            }
            if (c.stopBlock) {
                c.stopBlock = false;
                c.codeEpoch++;                           // the block stopped early: its code may have changed
                if (c.pendingExit != null) {
                    c.io.clear();
                    return Stop.EXIT;
                }
            }
            if (singleStep) {
                return Stop.STEP;
            }
            countdown -= n;
            if (countdown <= 0) {
                countdown = CHECK_INTERVAL;
                if (attention.getOpaque() != 0) {
                    return Stop.ATTENTION;
                }
                if (deadline != 0 && System.nanoTime() - deadline >= 0) {
                    return Stop.DEADLINE;
                }
            }
        }
    }

    private static boolean softwareInterrupt(Insn insn) {
        Mnemonic m = insn.decoded.mnemonic();
        return m == Mnemonic.INT || m == Mnemonic.INT3 || m == Mnemonic.INT1;
    }

    /** Turns a fault raised by {@code insn} (null: by the instruction fetch) into the pending exception. */
    private void queue(GuestFault f, Insn insn) {
        int v = f.vector;
        int ec = f.errorCode;
        if (v == Vectors.GP && f.nonCanonical && insn != null && insn.stackSegment()) {
            v = Vectors.SS;
        }
        c.queueException(v, Vectors.hasErrorCode(v) ? Math.max(ec, 0) : -1, f.address);
    }

    // ---- events at instruction boundaries -----------------------------------------------------------------------

    /** The highest requested vector above the task priority, or -1. */
    public int deliverableVector() {
        for (int w = 3; w >= 0; w--) {
            long bits = c.irr[w];
            if (bits != 0) {
                int v = w * 64 + 63 - Long.numberOfLeadingZeros(bits);
                return (v >>> 4) > c.cr8 ? v : -1;
            }
        }
        return -1;
    }

    /** Whether an external interrupt would be taken now. */
    public boolean interruptWindow() {
        return (c.sysFlags & Cpu.IF) != 0 && !c.interruptShadow;
    }

    private Stop events() {
        Stop s = deliverEvents();
        c.eventsChanged();
        return s;
    }

    private Stop deliverEvents() {
        if (c.pendingVector >= 0) {
            return deliverException();
        }
        if (c.nmiPending && !c.nmiBlocked && !c.interruptShadow) {
            try {
                Delivery.deliver(c, Vectors.NMI, -1, c.rip, false);
                c.nmiPending = false;
                c.nmiBlocked = true;
                c.halted = false;
                return null;
            } catch (GuestFault f) {
                queue(f, null);
                return deliverException();
            } catch (HostAbsent a) {
                return Stop.HOST_FAULT;
            }
        }
        if (interruptWindow()) {
            int v = deliverableVector();
            if (v >= 0) {
                try {
                    Delivery.deliver(c, v, -1, c.rip, false);
                    c.irr[v >>> 6] &= ~(1L << v);
                    c.halted = false;
                    return null;
                } catch (GuestFault f) {
                    queue(f, null);                      // the interrupt stays requested
                    return deliverException();
                } catch (HostAbsent a) {
                    return Stop.HOST_FAULT;
                }
            }
        }
        return c.halted ? Stop.HALTED : null;
    }

    private Stop deliverException() {
        for (;;) {
            int v = c.pendingVector;
            try {
                if (v == Vectors.PF) {
                    c.cr2 = c.pendingPayload;
                }
                Delivery.deliver(c, v, c.pendingError, c.rip, false);
                c.pendingVector = -1;
                c.pendingError = -1;
                c.halted = false;
                return null;
            } catch (GuestFault f) {
                if (v == Vectors.DF) {
                    c.shutdown = "triple fault: " + f.getMessage() + " while delivering #DF (RIP 0x"
                            + Long.toHexString(c.rip) + ")";
                    c.pendingVector = -1;
                    return Stop.SHUTDOWN;
                }
                if (Vectors.doubleFault(v, f.vector)) {
                    c.pendingVector = Vectors.DF;
                    c.pendingError = 0;
                    c.pendingPayload = 0;
                } else {
                    queue(f, null);
                }
            } catch (HostAbsent a) {
                return Stop.HOST_FAULT;
            }
        }
    }
}
