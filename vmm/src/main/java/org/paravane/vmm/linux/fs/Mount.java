package org.paravane.vmm.linux.fs;

/**
 * A file system mounted at {@code path} (absolute, canonical): its root node and whether it refuses writes (EROFS).
 * Renames never cross mounts (EXDEV).
 */
public record Mount(String path, Node root, boolean readOnly) {
}
