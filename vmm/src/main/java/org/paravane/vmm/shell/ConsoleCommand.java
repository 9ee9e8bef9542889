package org.paravane.vmm.shell;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.paravane.vmm.manager.ConsoleLog;
import org.paravane.vmm.manager.ManagedVm;
import org.paravane.vmm.manager.VmManager;

/** {@code paravane:console}: what a VM's tasks wrote, also for detached VMs; {@code --follow} like {@code tail -f}. */
@Component(service = ConsoleCommand.class, property = {"osgi.command.scope=paravane", "osgi.command.function=console"})
public class ConsoleCommand {

    private final VmManager manager;
    private final Interrupts interrupts;

    @Activate
    public ConsoleCommand(@Reference VmManager manager, @Reference Interrupts interrupts) {
        this.manager = manager;
        this.interrupts = interrupts;
    }

    @Descriptor("print what a VM's tasks wrote (the last 1000 lines are kept per VM)")
    public String console(CommandSession session,
                          @Descriptor("keep printing new output until the VM ends (Ctrl-C stops following, not the VM)")
                          @Parameter(names = {"-f", "--follow"}, presentValue = "true", absentValue = "false") boolean follow,
                          @Descriptor("VM name") String name) throws InterruptedException {
        ManagedVm vm = manager.vm(name);
        ConsoleLog log = vm.console();
        PrintStream out = session.getConsole();
        ConsoleLog.Lines lines = log.since(0);
        print(out, lines);
        if (!follow) {
            return null;
        }
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread reader = Thread.currentThread();
        try (Interrupts.Registration ctrlC = interrupts.foreground(() -> {
            interrupted.set(true);
            reader.interrupt();
        })) {
            while (!lines.closed()) {
                lines = log.await(lines.next(), Duration.ofSeconds(1));
                print(out, lines);
            }
        } catch (InterruptedException e) {
            if (!interrupted.get()) {
                throw e;
            }
        }
        if (interrupted.get()) {
            Thread.interrupted();   // Ctrl-C may come after the last wait: the shell's next command must not see it
        }
        return interrupted.get() ? "stopped following VM " + name + "; it is " + state(vm)
                : "VM " + name + " " + state(vm);
    }

    @Descriptor("print what a VM's tasks wrote")
    public String console() {
        throw VmCommands.usage("paravane:console [--follow] <vm> (paravane:vms lists the VMs)");
    }

    private static String state(ManagedVm vm) {
        return vm.state().name().toLowerCase(Locale.ROOT);
    }

    private static void print(PrintStream out, ConsoleLog.Lines lines) {
        if (lines.dropped() > 0) {
            out.println("(" + lines.dropped() + " earlier lines were dropped)");
        }
        lines.lines().forEach(out::println);
        out.flush();
    }
}
