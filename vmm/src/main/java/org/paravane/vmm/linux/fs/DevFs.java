package org.paravane.vmm.linux.fs;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;

/**
 * {@code /dev}: null, zero, random, urandom, tty (the caller's terminal; ENXIO when the caller has none) and the
 * stdin/stdout/stderr/fd links into {@code /proc/self/fd}.
 */
final class DevFs {
    private DevFs() {
    }

    static Node.Directory create(Console console, ConsoleInput input, RandomGenerator random, long dev) {
        Node tty = console.terminal()
                ? new StreamFile(input, console.out(), true, dev, 6, Stat.makedev(5, 0))
                : new NoTerminal(dev);
        Map<String, Node> nodes = Map.of(
                "null", new DeviceFile(DeviceFile.Kind.NULL, random, dev, 1),
                "zero", new DeviceFile(DeviceFile.Kind.ZERO, random, dev, 2),
                "random", new DeviceFile(DeviceFile.Kind.RANDOM, random, dev, 3),
                "urandom", new DeviceFile(DeviceFile.Kind.URANDOM, random, dev, 4),
                "tty", tty,
                "stdin", link("/proc/self/fd/0", dev, 7),
                "stdout", link("/proc/self/fd/1", dev, 8),
                "stderr", link("/proc/self/fd/2", dev, 9),
                "fd", link("/proc/self/fd", dev, 10));
        List<String> names = List.of("fd", "null", "random", "stderr", "stdin", "stdout", "tty", "urandom", "zero");
        Function<String, Node> lookup = nodes::get;
        return new SyntheticDirectory(() -> names, lookup, dev, 0x100);
    }

    private static Node link(String target, long dev, long ino) {
        return new MagicLink(() -> target, null, dev, ino);
    }

    /** {@code /dev/tty} when the caller is not a terminal: the process has no controlling terminal. */
    private record NoTerminal(long dev) implements Node.OpenableFile {
        @Override
        public Stat stat() {
            return new Stat(dev, 6, Fcntl.S_IFCHR | 0666, 1, 0, 0, Stat.makedev(5, 0), 0, 4096, 0, 0, 0, 0);
        }

        @Override
        public FileContents open(int flags) throws ErrnoException {
            throw new ErrnoException(Errno.ENXIO, "no controlling terminal");
        }
    }
}
