package org.paravane.vmm.linux.fs;

import static org.paravane.vmm.linux.Errno.ELOOP;
import static org.paravane.vmm.linux.Errno.ENAMETOOLONG;
import static org.paravane.vmm.linux.Errno.ENOENT;
import static org.paravane.vmm.linux.Errno.ENOTDIR;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.paravane.vmm.linux.ErrnoException;

/**
 * Linux path lookup (fs/namei.c) over guest nodes, one component at a time: {@code .} and {@code ..} (which stops at
 * the guest root), mount points, symbolic links followed in the guest namespace (at most 40 per lookup, then ELOOP),
 * trailing slashes that demand a directory, ENAMETOOLONG for paths of 4096 bytes or names over 255.
 */
final class PathResolver {
    private final Location root;
    private final Function<String, Mount> mounts;

    /** @param mounts the mount at an absolute guest path, or null */
    PathResolver(Location root, Function<String, Mount> mounts) {
        this.root = root;
        this.mounts = mounts;
    }

    Location root() {
        return root;
    }

    /** The last component of a path and the directory it is to be looked up (or created) in. */
    record Parent(Location directory, String name, boolean trailingSlash) {
        /** "/" alone has no last name. */
        boolean isRoot() {
            return name.equals("/");
        }

        boolean isDotOrDotDot() {
            return name.equals(".") || name.equals("..");
        }
    }

    /** Resolves {@code path} from {@code start}, following a final symbolic link when {@code followLast}. */
    Location resolve(Location start, String path, boolean followLast) throws ErrnoException {
        checkPath(path);
        return walk(start, path, followLast, new int[1]);
    }

    /** Resolves all but the last component of {@code path}. */
    Parent resolveParent(Location start, String path) throws ErrnoException {
        checkPath(path);
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        boolean trailing = end < path.length();
        if (end == 0) {
            return new Parent(root, "/", trailing);
        }
        int slash = path.lastIndexOf('/', end - 1);
        String name = path.substring(slash + 1, end);
        checkName(name);
        Location dir = slash < 0 ? start : walk(start, path.substring(0, slash + 1), true, new int[1]);
        if (!(dir.node() instanceof Node.Directory)) {
            throw new ErrnoException(ENOTDIR, dir.path() + " is not a directory");
        }
        return new Parent(dir, name, trailing);
    }

    /** The entry {@code name} of {@code parent} (its mount applied, links not followed), or null. */
    Location child(Location parent, String name) throws ErrnoException {
        if (name.equals(".") || name.equals("/")) {
            return name.equals("/") ? root : parent;
        }
        if (name.equals("..")) {
            return parent.up();
        }
        String path = parent.isRoot() ? "/" + name : parent.path() + "/" + name;
        Mount mount = mounts.apply(path);
        if (mount != null) {
            return new Location(parent, name, mount.root(), mount);
        }
        Node node = ((Node.Directory) parent.node()).lookup(name);
        return node == null ? null : new Location(parent, name, node, parent.mount());
    }

    /** Follows the symbolic link at {@code link} (whose directory is {@code link.parent()}). */
    Location follow(Location link, int[] links) throws ErrnoException {
        if (++links[0] > Fcntl.MAXSYMLINKS) {
            throw new ErrnoException(ELOOP, "more than " + Fcntl.MAXSYMLINKS + " symbolic links");
        }
        Node.Symlink symlink = (Node.Symlink) link.node();
        if (symlink instanceof MagicLink magic && magic.jumps()) {
            return magic.destination();
        }
        String target = symlink.target();
        if (target.isEmpty()) {
            throw new ErrnoException(ENOENT, link.path() + " is an empty symbolic link");
        }
        return walk(link.up(), target, true, links);
    }

    private Location walk(Location start, String path, boolean followLast, int[] links) throws ErrnoException {
        Location current = path.startsWith("/") ? root : start;
        String[] parts = path.split("/+");
        boolean trailing = path.endsWith("/");
        int last = parts.length - 1;
        for (int i = 0; i <= last; i++) {
            String name = parts[i];
            if (name.isEmpty()) {
                continue;
            }
            if (!(current.node() instanceof Node.Directory)) {
                throw new ErrnoException(ENOTDIR, current.path() + " is not a directory");
            }
            checkName(name);
            Location next = child(current, name);
            if (next == null) {
                throw new ErrnoException(ENOENT, (current.isRoot() ? "/" : current.path() + "/") + name
                        + " does not exist");
            }
            if (next.node() instanceof Node.Symlink && (i < last || followLast || trailing)) {
                next = follow(next, links);
            }
            current = next;
        }
        if (trailing && !(current.node() instanceof Node.Directory)) {
            throw new ErrnoException(ENOTDIR, current.path() + " is not a directory");
        }
        return current;
    }

    private static void checkPath(String path) throws ErrnoException {
        if (path.isEmpty()) {
            throw new ErrnoException(ENOENT, "empty path");
        }
        if (path.getBytes(StandardCharsets.UTF_8).length >= Fcntl.PATH_MAX) {
            throw new ErrnoException(ENAMETOOLONG, "path of " + path.length() + " characters");
        }
    }

    private static void checkName(String name) throws ErrnoException {
        if (name.getBytes(StandardCharsets.UTF_8).length > Fcntl.NAME_MAX) {
            throw new ErrnoException(ENAMETOOLONG, "name " + name.substring(0, 16) + "... is longer than "
                    + Fcntl.NAME_MAX + " bytes");
        }
    }
}
