package org.paravane.vmm.linux.fs;

import static org.paravane.vmm.linux.Errno.EISDIR;
import static org.paravane.vmm.linux.Errno.ENOENT;
import static org.paravane.vmm.linux.Errno.ENOTDIR;
import static org.paravane.vmm.linux.Errno.EXDEV;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.paravane.vmm.linux.ErrnoException;

/**
 * A host directory. Names are single components checked by the resolver, so {@code path.resolve(name)} stays inside
 * it. Writes reach the host only through a read-write mount; the root's host directory is only ever a lower layer.
 */
final class HostDirectory extends HostNode implements Node.Directory {
    HostDirectory(Path path, long dev) {
        super(path, dev);
    }

    /** The host path of one guest name; anything that is not a single plain component never gets near the host. */
    private Path child(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a single path component: '" + name + "'");
        }
        return path.resolve(name);
    }

    @Override
    public Node lookup(String name) throws ErrnoException {
        return (Node) HostNode.at(child(name), dev);
    }

    @Override
    public List<DirEntry> list() throws ErrnoException {
        List<DirEntry> out = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(path)) {
            for (Path p : stream) {
                HostNode node = HostNode.at(p, dev);
                if (node != null) {
                    Stat s = node.stat();
                    out.add(new DirEntry(p.getFileName().toString(), s.ino(), Fcntl.dirType(s.mode())));
                }
            }
        } catch (IOException e) {
            throw HostErrors.of(e, path.toString());
        }
        return out;                                  // the host's readdir order, as a native run sees it
    }

    @Override
    public Node.OpenableFile createFile(String name, int mode) throws ErrnoException {
        try {
            Files.createFile(child(name), PosixFilePermissions.asFileAttribute(Permissions.of(mode)));
            return new HostFile(child(name), dev);
        } catch (IOException e) {
            throw HostErrors.of(e, child(name).toString());
        }
    }

    @Override
    public Directory createDirectory(String name, int mode) throws ErrnoException {
        try {
            Files.createDirectory(child(name), PosixFilePermissions.asFileAttribute(Permissions.of(mode)));
            return new HostDirectory(child(name), dev);
        } catch (IOException e) {
            throw HostErrors.of(e, child(name).toString());
        }
    }

    @Override
    public void createSymlink(String name, String target) throws ErrnoException {
        try {
            Files.createSymbolicLink(child(name), Path.of(target));
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw e instanceof IOException io ? HostErrors.of(io, child(name).toString())
                    : new ErrnoException(org.paravane.vmm.linux.Errno.EINVAL, "bad symlink target " + target);
        }
    }

    @Override
    public void link(String name, Node node) throws ErrnoException {
        if (!(node instanceof HostNode host) || host.dev != dev || node instanceof Directory) {
            throw new ErrnoException(node instanceof Directory ? org.paravane.vmm.linux.Errno.EPERM : EXDEV,
                    name + ": a hard link needs a file of the same file system");
        }
        try {
            Files.createLink(child(name), host.path);
        } catch (IOException e) {
            throw HostErrors.of(e, child(name).toString());
        }
    }

    @Override
    public void remove(String name, boolean directory) throws ErrnoException {
        Node node = lookup(name);
        if (node == null) {
            throw new ErrnoException(ENOENT, name + " does not exist");
        }
        if (directory && !(node instanceof Directory)) {
            throw new ErrnoException(ENOTDIR, name + " is not a directory");
        }
        if (!directory && node instanceof Directory) {
            throw new ErrnoException(EISDIR, name + " is a directory");
        }
        try {
            Files.delete(child(name));
        } catch (IOException e) {
            throw HostErrors.of(e, child(name).toString());
        }
    }

    @Override
    public void rename(String name, Directory target, String newName) throws ErrnoException {
        if (!(target instanceof HostDirectory to)) {
            throw new ErrnoException(EXDEV, "rename across file systems");
        }
        Node node = lookup(name);
        if (node == null) {
            throw new ErrnoException(ENOENT, name + " does not exist");
        }
        Node existing = to.lookup(newName);
        if (existing != null) {
            if (node instanceof Directory && !(existing instanceof Directory)) {
                throw new ErrnoException(ENOTDIR, newName + " is not a directory");
            }
            if (!(node instanceof Directory) && existing instanceof Directory) {
                throw new ErrnoException(EISDIR, newName + " is a directory");
            }
        }
        try {
            // ATOMIC_MOVE is rename(2): it replaces a file or an empty directory, never follows links.
            Files.move(child(name), to.child(newName), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw HostErrors.of(e, child(name).toString());
        }
    }
}
