package org.paravane.vmm.shell;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.paravane.vmm.demo.DemoCommand;

/**
 * The launcher's one-shot mode ({@code ./paravane demo}, {@code ./paravane run ...}): when the framework property
 * {@value #COMMAND} holds a command line, runs it once every bundle has started, prints the result and exits with 0
 * (1 when the command failed, 2 for a usage error, a Linux program's own status for {@code run}); the launcher's
 * shutdown hook stops the framework. Without the property it does nothing.
 */
@Component(immediate = true)
public class CommandLineRunner {

    /** Framework (or system) property with the Gogo command line to run, e.g. {@code paravane:demo}. */
    public static final String COMMAND = "paravane.command";

    private final BundleContext context;
    private final CommandProcessor processor;
    private final String commandLine;
    private final OnceStarted started;

    /** The command components of this bundle are references: they are all registered before a command runs. */
    @Activate
    public CommandLineRunner(BundleContext context, @Reference CommandProcessor processor,
                             @Reference VmCommands vmCommands, @Reference WiringCommands wiringCommands,
                             @Reference ConsoleCommand consoleCommand, @Reference DemoCommand demoCommand) {
        this.context = context;
        this.processor = processor;
        this.commandLine = context.getProperty(COMMAND);
        this.started = commandLine != null && !commandLine.isBlank()
                ? new OnceStarted(context, "paravane-command", this::runAndExit) : null;
    }

    @Deactivate
    void deactivate() {
        if (started != null) {
            started.close();
        }
    }

    private void runAndExit() {
        awaitCommand(commandLine.strip().split("\\s+", 2)[0], 10_000);
        // The process's own descriptors: Gogo redirects System.out per thread, and a session writing to that loops.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        int status = run(commandLine, out, err);
        out.flush();
        // The launcher's shutdown hook stops the framework; exiting here keeps the command's status.
        System.exit(status);
    }

    /**
     * SCR registers components asynchronously after the framework started, and Gogo adds a command only once its
     * tracker has got the service (activating a delayed component): wait until Gogo's own command set has the
     * command, giving up after two seconds once other paravane commands are there (the name is then simply unknown),
     * or after ten. A service already in the registry is not enough: Gogo may not have added it yet.
     */
    private void awaitCommand(String name, long timeoutMillis) {
        String wanted = name.toLowerCase(Locale.ROOT);
        long start = System.nanoTime();
        try (CommandSession session = processor.createSession(InputStream.nullInputStream(),
                OutputStream.nullOutputStream(), OutputStream.nullOutputStream())) {
            while (true) {
                Set<String> known = knownCommands(session);
                if (known.stream().anyMatch(c -> c.equals(wanted) || c.endsWith(":" + wanted))) {
                    return;
                }
                long waited = (System.nanoTime() - start) / 1_000_000;
                boolean shellUp = known.stream().anyMatch(c -> c.startsWith("paravane:"));
                if (waited > timeoutMillis || (shellUp && waited > 2_000)) {
                    return;
                }
                Thread.sleep(10);
            }
        } catch (InterruptedException | RuntimeException e) {
            // run anyway: the command reports what is missing
        }
    }

    /** Gogo's commands as {@code scope:function}, lower case (its session variable {@code .commands}). */
    private static Set<String> knownCommands(CommandSession session) {
        if (session.get(".commands") instanceof Collection<?> names) {
            return names.stream().map(n -> String.valueOf(n).toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        }
        return Set.of();
    }

    /**
     * Runs {@code line}: 0, or the status a Linux program ended with ({@link ExitStatus}), or for a failure the
     * status its {@link CommandStatus} asks for (2 for a usage error), else 1.
     */
    int run(String line, PrintStream out, PrintStream err) {
        try (CommandSession session = processor.createSession(new FileInputStream(FileDescriptor.in), out, err)) {
            Object result = session.execute(line);
            if (result instanceof ExitStatus exit) {
                return exit.status();
            }
            if (result != null) {
                out.println(result instanceof CharSequence s ? s : session.format(result, Converter.INSPECT));
            }
            return 0;
        } catch (Exception e) {
            err.println("paravane: " + line + ": " + describe(e));
            if (Boolean.getBoolean("paravane.trace")) {
                e.printStackTrace(err);
            }
            return CommandStatus.of(e);
        }
    }

    /** The cause a user can act on: reflection and Gogo wrappers removed; the type named when it is not a user error. */
    static String describe(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.lang.reflect.InvocationTargetException || t.getMessage() == null
                || t.getMessage().equals(String.valueOf(t.getCause()))) && t.getCause() != null) {
            t = t.getCause();
        }
        boolean userError = !(t instanceof RuntimeException || t instanceof Error)   // checked: an expected failure
                || t instanceof IllegalArgumentException || t instanceof IllegalStateException || t instanceof CommandStatus
                || t instanceof org.paravane.api.backend.BackendException;
        String message = t.getMessage() == null ? t.toString() : t.getMessage();
        return userError ? message : t.getClass().getSimpleName() + ": " + message + " (run with PARAVANE_JAVA_OPTS=-Dparavane.trace=true for the trace)";
    }
}
