package org.paravane.vmm.linux.fs;

import static org.paravane.vmm.linux.Errno.EEXIST;
import static org.paravane.vmm.linux.Errno.EISDIR;
import static org.paravane.vmm.linux.Errno.ENOENT;
import static org.paravane.vmm.linux.Errno.ENOTDIR;
import static org.paravane.vmm.linux.Errno.ENOTEMPTY;
import static org.paravane.vmm.linux.Errno.EXDEV;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.paravane.vmm.linux.ErrnoException;

/**
 * A tmpfs directory, optionally the upper layer over a host directory ({@code lower}): names it holds hide the
 * host's, whiteouts hide host names that were removed, and the host directories below it are wrapped in upper
 * directories of their own as they are looked up. The host is never written: a host file opened for writing is
 * copied up first ({@link #copyUp}), and renaming a host directory fails with EXDEV, as overlayfs does without
 * redirect_dir (mv falls back to copying).
 */
final class MemoryDirectory extends MemoryNode implements Node.Directory {
    private final Map<String, Node> entries = new TreeMap<>();
    private final Map<String, MemoryDirectory> merged = new TreeMap<>();
    private final Set<String> whiteouts = new HashSet<>();
    private final HostDirectory lower;

    MemoryDirectory(Tmpfs fs, long ino, int permissions, HostDirectory lower) {
        super(fs, ino, permissions);
        this.lower = lower;
        if (lower != null) {
            atime = mtime = ctime = 0;               // the host's times show until the layer itself changes
        }
    }

    @Override
    public synchronized Stat stat() throws ErrnoException {
        long subdirs = entries.values().stream().filter(n -> n instanceof Directory).count();
        if (lower != null) {
            // The host's link count stands for its subdirectories (listing the host on every stat would cost too much).
            Stat host = lower.stat();
            return new Stat(fs.dev(), host.ino(), Fcntl.S_IFDIR | permissions, host.nlink() + subdirs, host.uid(),
                    host.gid(), 0, 4096, 4096, 8, host.atimeNanos(), Math.max(host.mtimeNanos(), mtime),
                    Math.max(host.ctimeNanos(), ctime));
        }
        return stat(Fcntl.S_IFDIR, 4096, 2 + subdirs);
    }

    @Override
    public synchronized Node lookup(String name) throws ErrnoException {
        Node upper = entries.get(name);
        if (upper != null) {
            return upper;
        }
        if (lower == null || whiteouts.contains(name)) {
            return null;
        }
        MemoryDirectory wrapped = merged.get(name);
        if (wrapped != null) {
            return wrapped;
        }
        Node host = lower.lookup(name);
        if (host instanceof HostDirectory hostDir) {
            wrapped = new MemoryDirectory(fs, fs.newIno(), hostDir.stat().mode(), hostDir);
            merged.put(name, wrapped);
            return wrapped;
        }
        return host;
    }

    @Override
    public synchronized List<DirEntry> list() throws ErrnoException {
        // The host's entries in its own order (what a native run lists), then the layer's own by name.
        Map<String, DirEntry> all = new java.util.LinkedHashMap<>();
        if (lower != null) {
            for (DirEntry e : lower.list()) {
                if (!whiteouts.contains(e.name())) {
                    all.put(e.name(), e);
                }
            }
        }
        for (Map.Entry<String, Node> e : entries.entrySet()) {
            Stat s = e.getValue().stat();
            all.put(e.getKey(), new DirEntry(e.getKey(), s.ino(), Fcntl.dirType(s.mode())));
        }
        return new ArrayList<>(all.values());
    }

    @Override
    public synchronized Node.OpenableFile createFile(String name, int mode) throws ErrnoException {
        requireAbsent(name);
        MemoryFile file = new MemoryFile(fs, fs.newIno(), mode, new byte[0]);
        put(name, file);
        return file;
    }

    @Override
    public synchronized Directory createDirectory(String name, int mode) throws ErrnoException {
        requireAbsent(name);
        MemoryDirectory dir = new MemoryDirectory(fs, fs.newIno(), mode, null);
        put(name, dir);
        return dir;
    }

    @Override
    public synchronized void createSymlink(String name, String target) throws ErrnoException {
        requireAbsent(name);
        put(name, new MemorySymlink(fs, fs.newIno(), target));
    }

    @Override
    public synchronized void link(String name, Node node) throws ErrnoException {
        if (!(node instanceof MemoryNode m) || m.fs != fs || node instanceof Directory) {
            throw new ErrnoException(node instanceof Directory ? org.paravane.vmm.linux.Errno.EPERM : EXDEV,
                    name + ": a hard link needs a file of the same file system");
        }
        requireAbsent(name);
        switch (m) {
            case MemoryFile f -> f.linked();
            default -> m.nlink++;
        }
        m.ctime = Stat.nowNanos();
        put(name, node);
        whiteouts.remove(name);
    }

    private void requireAbsent(String name) throws ErrnoException {
        if (lookup(name) != null) {
            throw new ErrnoException(EEXIST, name + " exists");
        }
    }

    private void put(String name, Node node) {
        entries.put(name, node);
        touch();
    }

    @Override
    public synchronized void remove(String name, boolean directory) throws ErrnoException {
        Node node = lookup(name);
        if (node == null) {
            throw new ErrnoException(ENOENT, name + " does not exist");
        }
        checkRemovable(node, directory, name);
        detach(name);
        unlinked(node);
    }

    private static void unlinked(Node node) {
        switch (node) {
            case MemoryFile f -> f.unlinked();
            case MemoryDirectory d -> d.nlink = 0;
            case MemoryNode m -> m.nlink = Math.max(0, m.nlink - 1);   // a symbolic link may have hard links too
            default -> { }
        }
    }

    private static void checkRemovable(Node node, boolean directory, String name) throws ErrnoException {
        boolean isDir = node instanceof Directory;
        if (directory && !isDir) {
            throw new ErrnoException(ENOTDIR, name + " is not a directory");
        }
        if (!directory && isDir) {
            throw new ErrnoException(EISDIR, name + " is a directory");
        }
        if (isDir && !((Directory) node).list().isEmpty()) {
            throw new ErrnoException(ENOTEMPTY, name + " is not empty");
        }
    }

    /** Drops {@code name} from this directory, hiding the host's entry of that name with a whiteout. */
    private void detach(String name) throws ErrnoException {
        entries.remove(name);
        merged.remove(name);
        if (lower != null && lower.lookup(name) != null) {
            whiteouts.add(name);
        }
        touch();
    }

    @Override
    public void rename(String name, Directory target, String newName) throws ErrnoException {
        if (!(target instanceof MemoryDirectory to)) {
            throw new ErrnoException(EXDEV, "rename across file systems");
        }
        // One lock order for every pair: the tmpfs holds both, so lock on it.
        synchronized (fs) {
            Node node = lookup(name);
            if (node == null) {
                throw new ErrnoException(ENOENT, name + " does not exist");
            }
            Node existing = to.lookup(newName);
            if (existing == node) {
                return;
            }
            if (existing != null) {
                boolean isDir = node instanceof Directory;
                if (isDir && !(existing instanceof Directory)) {
                    throw new ErrnoException(ENOTDIR, newName + " is not a directory");
                }
                if (!isDir && existing instanceof Directory) {
                    throw new ErrnoException(EISDIR, newName + " is a directory");
                }
                if (isDir && !((Directory) existing).list().isEmpty()) {
                    throw new ErrnoException(ENOTEMPTY, newName + " is not empty");
                }
            }
            Node moved = switch (node) {
                case MemoryDirectory d when d.lower != null ->
                        throw new ErrnoException(EXDEV, name + " is a directory of the host root");
                case HostFile f -> copyOf(f);
                case HostSymlink l -> new MemorySymlink(fs, fs.newIno(), l.target());
                default -> node;
            };
            if (existing != null) {
                to.detach(newName);
                unlinked(existing);
            }
            detach(name);
            to.put(newName, moved);
            to.whiteouts.remove(newName);
        }
    }

    /** Replaces the host file {@code name} by an in-memory copy, so writing it never writes the host. */
    synchronized MemoryFile copyUp(String name) throws ErrnoException {
        Node node = lookup(name);
        if (node instanceof MemoryFile f) {
            return f;
        }
        if (!(node instanceof HostFile host)) {
            throw new ErrnoException(ENOENT, name + " is not a file of this directory");
        }
        MemoryFile copy = copyOf(host);
        entries.put(name, copy);
        return copy;
    }

    private MemoryFile copyOf(HostFile host) throws ErrnoException {
        Stat s = host.stat();
        if (s.size() > MemoryFile.MAX_SIZE) {
            throw new ErrnoException(org.paravane.vmm.linux.Errno.EFBIG, "host file too big to copy up");
        }
        byte[] bytes = new byte[(int) s.size()];
        FileContents in = host.open(Fcntl.O_RDONLY);
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining() && in.read(buffer, buffer.position()) > 0) {
                // read until the whole file is in
            }
        } finally {
            in.close();
        }
        return new MemoryFile(fs, fs.newIno(), s.mode(), bytes);
    }

    // -------- snapshot support: the upper layer's contents, written and read by LayerSnapshot

    synchronized Map<String, Node> upperEntries() {
        return new TreeMap<>(entries);
    }

    synchronized Map<String, MemoryDirectory> mergedDirectories() {
        return new TreeMap<>(merged);
    }

    synchronized Set<String> whiteouts() {
        return Set.copyOf(whiteouts);
    }

    synchronized void restoreEntry(String name, Node node) {
        entries.put(name, node);
    }

    synchronized void restoreMerged(String name, MemoryDirectory dir) {
        merged.put(name, dir);
    }

    synchronized void restoreWhiteout(String name) {
        whiteouts.add(name);
    }
}
