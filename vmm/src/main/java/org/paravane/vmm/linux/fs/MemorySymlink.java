package org.paravane.vmm.linux.fs;

/** A tmpfs symbolic link. */
final class MemorySymlink extends MemoryNode implements Node.Symlink {
    private final String target;

    MemorySymlink(Tmpfs fs, long ino, String target) {
        super(fs, ino, 0777);
        this.target = target;
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public Stat stat() {
        return stat(Fcntl.S_IFLNK, target.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, nlink);
    }
}
