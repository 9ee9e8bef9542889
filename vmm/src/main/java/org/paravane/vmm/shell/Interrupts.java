package org.paravane.vmm.shell;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * What Ctrl-C (SIGINT) means in the container. The JVM's own handler exits, which in the shell would take every
 * detached VM with it. Here it stops the command running in the foreground (the latest one registered with
 * {@link #foreground}); with none, the interactive shell stays as it is and says how to leave it, and a one-shot
 * {@code ./paravane <command>} exits with 130 as a command line tool does.
 */
@Component(service = Interrupts.class, immediate = true)
public class Interrupts {
    private static final Logger LOG = Logger.getLogger(Interrupts.class.getName());
    private static final String SIGINT = "INT";

    /** A foreground command Ctrl-C can stop; close it when the command is done. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private record Foreground(Runnable onInterrupt, boolean repeats) {
    }

    private final Deque<Foreground> foreground = new ConcurrentLinkedDeque<>();
    private final boolean oneShot;
    private final PrintStream terminal = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
    private SignalHandler previous;

    @Activate
    public Interrupts(BundleContext context) {
        String command = context.getProperty(CommandLineRunner.COMMAND);
        this.oneShot = command != null && !command.isBlank();
        try {
            previous = Signal.handle(new Signal(SIGINT), signal -> interrupt());
        } catch (LinkageError | IllegalArgumentException e) {
            // sun.misc not visible (no boot delegation) or the JVM runs with -Xrs: Ctrl-C keeps the JVM's meaning
            LOG.warning("Ctrl-C cannot be handled here (" + e + "); it ends the container");
        }
    }

    @Deactivate
    void deactivate() {
        if (previous != null) {
            Signal.handle(new Signal(SIGINT), previous);
        }
    }

    /**
     * Registers a command that Ctrl-C should stop: {@code onInterrupt} runs once, on the signal's thread, and must
     * only make the command end (stop its VM, complete what it waits for), not wait itself.
     */
    public Registration foreground(Runnable onInterrupt) {
        return register(new Foreground(onInterrupt, false));
    }

    /**
     * Registers a foreground command that takes every Ctrl-C until it is closed, as a terminal's foreground process
     * group takes each SIGINT (a Linux program in a VM): {@code onInterrupt} runs on each, on the signal's thread.
     */
    public Registration foregroundEveryTime(Runnable onInterrupt) {
        return register(new Foreground(onInterrupt, true));
    }

    private Registration register(Foreground f) {
        foreground.addLast(f);
        return () -> foreground.remove(f);
    }

    /** Ctrl-C: the latest foreground command ends (or is interrupted again); nothing else does. */
    void interrupt() {
        Foreground f = foreground.peekLast();
        if (f != null && !f.repeats()) {
            foreground.remove(f);
        }
        if (f != null) {
            try {
                f.onInterrupt().run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "interrupting the foreground command", e);
            }
        } else if (oneShot) {
            Runtime.getRuntime().exit(130);
        } else {
            terminal.println();
            terminal.println("(Ctrl-C stops the command running in the foreground; nothing runs now."
                    + " Detached VMs keep running. Leave the shell with Ctrl-D.)");
        }
    }
}
