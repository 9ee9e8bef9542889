package org.paravane.vmm.linux.fs;

/**
 * Linux's {@code fs_struct}: the working directory and the umask, shared by the tasks made with CLONE_FS (a chdir or
 * umask of one is seen by all) and copied for the others (fork). The root is the VM's file system root for every
 * process (there is no chroot), so it is not kept here.
 */
final class FsContext {
    private volatile Location cwd;
    private volatile int umask;

    FsContext(Location cwd, int umask) {
        this.cwd = cwd;
        this.umask = umask;
    }

    /** A fork's own copy. */
    FsContext copy() {
        return new FsContext(cwd, umask);
    }

    Location cwd() {
        return cwd;
    }

    void setCwd(Location directory) {
        cwd = directory;
    }

    int umask() {
        return umask;
    }

    /** Sets the umask (its permission bits only) and answers the old one. */
    synchronized int setUmask(int mask) {
        int old = umask;
        umask = mask & 0777;
        return old;
    }
}
