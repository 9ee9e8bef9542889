package org.paravane.vmm.linux.fs;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.paravane.vmm.linux.Errno;
import org.paravane.vmm.linux.ErrnoException;

/**
 * A directory whose entries are computed ({@code /proc}, {@code /proc/self}, {@code /proc/self/fd}). Nothing can be
 * created, removed or renamed in it (EACCES, as procfs answers root).
 */
final class SyntheticDirectory implements Node.Directory {
    private final Supplier<List<String>> names;
    private final Function<String, Node> entries;
    private final long dev, ino;

    SyntheticDirectory(Supplier<List<String>> names, Function<String, Node> entries, long dev, long ino) {
        this.names = names;
        this.entries = entries;
        this.dev = dev;
        this.ino = ino;
    }

    @Override
    public Stat stat() {
        return new Stat(dev, ino, Fcntl.S_IFDIR | 0555, 2, 0, 0, 0, 0, 1024, 0, 0, 0, 0);
    }

    @Override
    public Node lookup(String name) {
        return entries.apply(name);
    }

    @Override
    public List<DirEntry> list() throws ErrnoException {
        List<DirEntry> out = new ArrayList<>();
        for (String name : names.get()) {
            Node node = entries.apply(name);
            if (node != null) {
                Stat s = node.stat();
                out.add(new DirEntry(name, s.ino(), Fcntl.dirType(s.mode())));
            }
        }
        return out;
    }

    @Override
    public Node.OpenableFile createFile(String name, int mode) throws ErrnoException {
        throw refused(name);
    }

    @Override
    public Directory createDirectory(String name, int mode) throws ErrnoException {
        throw refused(name);
    }

    @Override
    public void createSymlink(String name, String target) throws ErrnoException {
        throw refused(name);
    }

    @Override
    public void remove(String name, boolean directory) throws ErrnoException {
        throw refused(name);
    }

    @Override
    public void rename(String name, Directory target, String newName) throws ErrnoException {
        throw refused(name);
    }

    private static ErrnoException refused(String name) {
        return new ErrnoException(Errno.EACCES, "cannot change " + name + " in a synthetic directory");
    }
}
