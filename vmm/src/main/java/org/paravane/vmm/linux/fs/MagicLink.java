package org.paravane.vmm.linux.fs;

import java.util.function.Supplier;

/**
 * A {@code /proc} link that does not go through its text: following it lands on {@code destination} directly, as
 * Linux's proc "magic links" do ({@code /proc/self/fd/N}, {@code /proc/self/cwd}, {@code /proc/self/root}).
 * readlink shows the text. Without a destination ({@code /proc/self/exe}) the text is resolved as usual.
 */
final class MagicLink implements Node.Symlink {
    private final Supplier<String> text;
    private final Supplier<Location> destination;
    private final long dev, ino;

    MagicLink(Supplier<String> text, Supplier<Location> destination, long dev, long ino) {
        this.text = text;
        this.destination = destination;
        this.dev = dev;
        this.ino = ino;
    }

    /** Whether following lands on a location directly; otherwise the text is resolved like any link's. */
    boolean jumps() {
        return destination != null;
    }

    Location destination() {
        return destination.get();
    }

    @Override
    public String target() {
        return text.get();
    }

    @Override
    public Stat stat() {
        return new Stat(dev, ino, Fcntl.S_IFLNK | 0777, 1, 0, 0, 0, 64, 1024, 0, 0, 0, 0);
    }
}
