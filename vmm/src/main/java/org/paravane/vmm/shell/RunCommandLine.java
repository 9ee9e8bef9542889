package org.paravane.vmm.shell;

import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.paravane.vmm.kernel.WaitPolicy;
import org.paravane.vmm.kernel.abi.linux.ServedFileSpec;
import org.paravane.vmm.linux.fs.MountSpec;
import org.paravane.vmm.source.SourceSpec;

/**
 * The command line of {@code paravane:run}: Paravane's options, then the program, then what follows it. For a Linux
 * program everything after it is its argv, taken as it is (so {@code ls -n} is ls's {@code -n}, not Paravane's
 * {@code --name}). Paravane images take no argv: after one, options and further images may be mixed as before.
 * A bad option or value is a {@link CommandStatus#usage} error naming it.
 */
final class RunCommandLine {

    /** The options, each with its short and long name and whether it takes a value. */
    enum Option {
        BACKEND("-b", "--backend", true), MEMORY("-m", "--memory", true), VCPUS("-c", "--vcpus", true),
        SOURCE("-s", "--source", true), DATA_SIZE("-d", "--data-size", true), ARG("-a", "--arg", true),
        POLICY("-p", "--policy", true), NAME("-n", "--name", true), DETACH(null, "--detach", false),
        TIMEOUT("-t", "--timeout", true), ROOT("-r", "--root", true), RW("-w", "--rw", false),
        MOUNT("-v", "--mount", true), CPU(null, "--cpu", true), ENV("-e", "--env", true),
        LAZY_FILE(null, "--lazy-file", true), OPTION("-o", "--option", true);

        final String shortName, longName;
        final boolean takesValue;

        Option(String shortName, String longName, boolean takesValue) {
            this.shortName = shortName;
            this.longName = longName;
            this.takesValue = takesValue;
        }

        static Optional<Option> named(String name) {
            return Arrays.stream(values()).filter(o -> name.equals(o.longName) || name.equals(o.shortName)).findFirst();
        }
    }

    static final String USAGE = "paravane:run [options] <program> [program args...]  or  paravane:run [options] <image[:arg]>..."
            + " (options: --backend, --memory, --vcpus, --timeout, --name, --detach, --cpu, --option backend.key=value"
            + " (a backend's setting for this VM, e.g. emulated.translation=false); for Linux programs --root DIR,"
            + " --rw, --mount host:guest[:ro], --env NAME[=VALUE], --lazy-file guest=source[,size=N] (a read-only file"
            + " served lazily, e.g. /data/x=file:/srv/x,latency=200us); for Paravane images --arg, --source, --data-size, --policy)";

    String backend;
    Integer memoryMiB;
    int vcpus = 1;
    SourceSpec source;
    long dataSize;
    long argument;
    WaitPolicy policy;
    String name;
    boolean detach;
    Duration timeout;
    Path root;
    boolean writableRoot;
    final List<MountSpec> mounts = new ArrayList<>();
    final List<ServedFileSpec> lazyFiles = new ArrayList<>();
    String cpuModel;
    /** --option settings: the backends' per-VM options, by key (a later one replaces an earlier one). */
    final Map<String, String> backendOptions = new LinkedHashMap<>();
    /** --env settings in order; a null value takes the host's. */
    final Map<String, String> env = new LinkedHashMap<>();
    /** The program as given. */
    String program;
    /** What followed the program, not yet read as options. */
    List<String> rest = List.of();

    /**
     * Reads the options before the program, the program and keeps what follows in {@link #rest}.
     *
     * @param hostEnv the host's environment, for {@code --env NAME}
     */
    static RunCommandLine parse(List<String> args, UnaryOperator<String> hostEnv) {
        RunCommandLine line = new RunCommandLine();
        int i = line.options(args, 0, hostEnv);
        if (i == args.size()) {
            throw CommandStatus.usage("no program to run; usage: " + USAGE);
        }
        line.program = args.get(i);
        line.rest = List.copyOf(args.subList(i + 1, args.size()));
        return line;
    }

    /** Paravane images after the first: options and images mixed in {@link #rest}, as {@code paravane:run} always took them. */
    List<String> imagesAndOptions(UnaryOperator<String> hostEnv) {
        List<String> images = new ArrayList<>();
        images.add(program);
        int i = 0;
        while (i < rest.size()) {
            i = options(rest, i, hostEnv);
            if (i < rest.size()) {
                images.add(rest.get(i++));
            }
        }
        return images;
    }

    /** Reads options from {@code at} up to the first argument that is not one; returns its index. */
    private int options(List<String> args, int at, UnaryOperator<String> hostEnv) {
        int i = at;
        while (i < args.size()) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                return i + 1;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                return i;
            }
            int eq = arg.indexOf('=');
            String optionName = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
            Option option = Option.named(optionName).orElseThrow(() -> CommandStatus.usage("unknown option " + optionName
                    + " (a program's own options go after the program); usage: " + USAGE));
            String value = null;
            if (option.takesValue) {
                if (optionName.length() < arg.length()) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw CommandStatus.usage(option.longName + " needs a value");
                }
            } else if (optionName.length() < arg.length()) {
                throw CommandStatus.usage(option.longName + " takes no value, got '" + arg + "'");
            }
            apply(option, value, hostEnv);
            i++;
        }
        return i;
    }

    private void apply(Option option, String value, UnaryOperator<String> hostEnv) {
        try {
            switch (option) {
                case BACKEND -> backend = value;
                case MEMORY -> memoryMiB = (int) (Sizes.parse(value, "--memory") >> 20);
                case VCPUS -> vcpus = positive(value, "--vcpus");
                case SOURCE -> source = SourceSpec.parse(value);
                case DATA_SIZE -> dataSize = Sizes.parse(value, "--data-size");
                case ARG -> argument = whole(value, "--arg");
                case POLICY -> policy = WaitPolicy.of(value);
                case NAME -> name = value;
                case DETACH -> detach = true;
                case TIMEOUT -> timeout = Durations.parse(value, "--timeout", ChronoUnit.SECONDS);
                case ROOT -> root = Path.of(value);
                case RW -> writableRoot = true;
                case MOUNT -> mounts.add(MountSpec.parse(value));
                case LAZY_FILE -> lazyFiles.add(ServedFileSpec.parse(value));
                case CPU -> cpuModel = value;
                case ENV -> env(value, hostEnv);
                case OPTION -> backendOption(value);
            }
        } catch (CommandStatus e) {
            throw e;
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw CommandStatus.usage(message.startsWith(option.longName) ? message : option.longName + ": " + message);
        }
    }

    /** {@code backend.key=value}; whether the backend knows the key is its own business, when it makes the VM. */
    private void backendOption(String value) {
        int eq = value.indexOf('=');
        String key = eq < 0 ? value : value.substring(0, eq);
        int dot = key.indexOf('.');
        if (eq < 0 || dot <= 0 || dot == key.length() - 1) {
            throw new IllegalArgumentException("'" + value + "' is not backend.key=value (e.g. emulated.translation=false)");
        }
        backendOptions.put(key, value.substring(eq + 1));
    }

    private void env(String value, UnaryOperator<String> hostEnv) {
        int eq = value.indexOf('=');
        String key = eq < 0 ? value : value.substring(0, eq);
        if (key.isEmpty() || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("'" + value + "' is not NAME=VALUE or NAME");
        }
        String setting = eq >= 0 ? value.substring(eq + 1) : hostEnv.apply(key);
        if (setting == null) {
            throw new IllegalArgumentException(key + " is not set here, so it cannot be passed on (give NAME=VALUE)");
        }
        env.put(key, setting);
    }

    private static int positive(String value, String option) {
        long n = whole(value, option);
        if (n < 1 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + value + "' must be at least 1");
        }
        return (int) n;
    }

    private static long whole(String value, String option) {
        try {
            return Long.decode(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a whole number");
        }
    }
}
