package org.paravane.vmm.linux.fs;

/**
 * Where a resolved path ended: the node, the mount it lives on, and the chain of names from the guest root that
 * reached it. {@code ..} walks this chain, never the host's, so no lookup can climb above the guest root.
 */
public record Location(Location parent, String name, Node node, Mount mount) {

    static Location root(Mount rootMount) {
        return new Location(null, "", rootMount.root(), rootMount);
    }

    public boolean isRoot() {
        return parent == null;
    }

    /** {@code ..}: the parent, or this at the root. */
    Location up() {
        return parent == null ? this : parent;
    }

    /** The absolute guest path. */
    public String path() {
        if (parent == null) {
            return "/";
        }
        StringBuilder out = new StringBuilder();
        for (Location l = this; l.parent != null; l = l.parent) {
            out.insert(0, l.name).insert(0, '/');
        }
        return out.toString();
    }

    /** Whether {@code other} is this or lies below it. */
    boolean contains(Location other) {
        String mine = path(), theirs = other.path();
        return theirs.equals(mine) || theirs.startsWith(isRoot() ? mine : mine + "/");
    }
}
