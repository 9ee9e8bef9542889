package org.paravane.vmm.linux.fs;

import java.nio.file.Path;

/**
 * A host directory or file bind-mounted at a guest path: the {@code --mount host:guest[:ro]} option.
 *
 * @param guestPath absolute and canonical: no {@code .}, {@code ..} or empty components, not {@code /}
 */
public record MountSpec(Path host, String guestPath, boolean readOnly) {

    public MountSpec {
        if (!guestPath.startsWith("/") || guestPath.equals("/") || guestPath.endsWith("/")) {
            throw new IllegalArgumentException("mount point " + guestPath + " must be an absolute path below /");
        }
        for (String part : guestPath.substring(1).split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("mount point " + guestPath + " is not canonical");
            }
        }
    }

    /** Parses {@code host:guest}, {@code host:guest:ro} or {@code host:guest:rw}. */
    public static MountSpec parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new IllegalArgumentException("mount '" + text + "' is not host:guest[:ro]");
        }
        boolean readOnly = false;
        if (parts.length == 3) {
            readOnly = switch (parts[2]) {
                case "ro" -> true;
                case "rw" -> false;
                default -> throw new IllegalArgumentException("mount '" + text + "': option '" + parts[2]
                        + "' is neither ro nor rw");
            };
        }
        return new MountSpec(Path.of(parts[0]), parts[1], readOnly);
    }
}
