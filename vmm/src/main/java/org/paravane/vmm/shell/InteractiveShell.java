package org.paravane.vmm.shell;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.paravane.vmm.demo.DemoCommand;

/**
 * The launcher's interactive shell ({@code ./paravane} without arguments). Gogo's own shell prints its prompt as soon
 * as the Gogo bundles start, before SCR has registered the {@code paravane:*} commands, so the first command a user
 * types could be "not found". The launcher therefore keeps Gogo's shell non-interactive and sets {@value #PROPERTY};
 * this component holds static references to the command components, so it activates only once they are all
 * registered, and then opens the same login shell Gogo would have opened.
 */
@Component(immediate = true)
public class InteractiveShell {
    private static final Logger LOG = Logger.getLogger(InteractiveShell.class.getName());

    /** Framework (or system) property the launcher sets to {@code true} for the interactive shell. */
    public static final String PROPERTY = "paravane.shell";

    private final BundleContext context;
    private final CommandProcessor processor;
    private final OnceStarted started;
    /** One shell per JVM: this component comes back when the bundle is updated, its shell is still open. */
    private static final String OPENED = "paravane.shell.opened";

    @Activate
    public InteractiveShell(BundleContext context, @Reference CommandProcessor processor,
                            @Reference VmCommands vmCommands, @Reference WiringCommands wiringCommands,
                            @Reference ConsoleCommand consoleCommand, @Reference DemoCommand demoCommand) {
        this.context = context;
        this.processor = processor;
        this.started = Boolean.parseBoolean(context.getProperty(PROPERTY))
                ? new OnceStarted(context, "paravane-shell", this::open) : null;
    }

    @Deactivate
    void deactivate() {
        if (started != null) {
            started.close();
        }
    }

    private void open() {
        if (System.getProperties().putIfAbsent(OPENED, "true") == null) {
            loginShell();
        }
    }

    /** Gogo's login shell: the profile, the prompt, and at Ctrl-D the framework stops as Gogo's own shell does. */
    private void loginShell() {
        // The process's own descriptors: Gogo redirects System.out per thread, and a session writing to that loops.
        try (CommandSession session = processor.createSession(new FileInputStream(FileDescriptor.in),
                new PrintStream(new FileOutputStream(FileDescriptor.out), true),
                new PrintStream(new FileOutputStream(FileDescriptor.err), true))) {
            session.execute("gosh --login");
        } catch (Exception e) {
            LOG.log(Level.SEVERE, "the interactive shell ended: " + CommandLineRunner.describe(e), e);
        }
    }
}
