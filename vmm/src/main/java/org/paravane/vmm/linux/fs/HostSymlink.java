package org.paravane.vmm.linux.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.paravane.vmm.linux.ErrnoException;

/** A host symbolic link: its text is read, never followed by the host; the resolver follows it in the guest. */
final class HostSymlink extends HostNode implements Node.Symlink {
    HostSymlink(Path path, long dev) {
        super(path, dev);
    }

    @Override
    public String target() throws ErrnoException {
        try {
            return Files.readSymbolicLink(path).toString();
        } catch (IOException e) {
            throw HostErrors.of(e, path.toString());
        }
    }
}
