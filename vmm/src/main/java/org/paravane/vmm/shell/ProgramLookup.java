package org.paravane.vmm.shell;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.paravane.vmm.kernel.ElfImage;
import org.paravane.vmm.kernel.InvalidImageException;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.fs.FileSystem;
import org.paravane.vmm.linux.fs.MountSpec;
import org.paravane.vmm.manager.GuestImages;

/**
 * Finds the program {@code paravane:run} names and decides how it runs: a Paravane image (a bundled name, or an ELF
 * file carrying the Paravane note) as a Paravane task, any other static ELF as a Linux process.
 *
 * <p>Where it is looked for, first match wins: a bundled name (when no file of that name is in the working
 * directory); with {@code --root}, an absolute path in the guest's view; a host path; for a name without a slash,
 * the guest's PATH directories in its view, then the host's PATH. A Linux program found on the host is seen by the
 * guest at its real path: inside the root or an explicit mount it is already there, otherwise that one file is
 * mounted read-only at the same absolute path ({@code /proc/self/exe} names it, and the program can re-execute it).
 */
final class ProgramLookup {

    /** Where a guest looks for a name without a slash (Debian's default for root, as execvp would). */
    static final String GUEST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** What runs. */
    sealed interface Program {
    }

    /** A Paravane image and its task argument. */
    record ParavaneImage(ElfImage image, long argument) implements Program {
    }

    /** A Linux executable at {@code guestPath} in the view {@code files} describe (the lookup's mount included). */
    record LinuxProgram(String guestPath, byte[] executable, FileSystem.Options files) implements Program {
    }

    /** A file found: in the guest's view, or on the host. */
    private sealed interface Found {
    }

    private record InGuest(String path) implements Found {
    }

    private record OnHost(Path path) implements Found {
    }

    private final FileSystem.Options files;
    private final GuestView view;
    private final String guestPath;
    private final String hostPath;

    /**
     * @param guestPath the guest's PATH
     * @param hostPath  the host's PATH (may be null)
     */
    ProgramLookup(FileSystem.Options files, String guestPath, String hostPath) {
        this.files = files;
        this.view = new GuestView(files);
        this.guestPath = guestPath;
        this.hostPath = hostPath == null ? "" : hostPath;
    }

    /** @throws CommandStatus 127 when nothing is found, 126 when what is found cannot run */
    Program find(String text, long defaultArgument) {
        if (text.isEmpty() || text.indexOf('\0') >= 0) {
            throw CommandStatus.notFound("no program '" + text.replace("\0", "\\0") + "'");
        }
        if (!text.contains("/") && !Files.exists(Path.of(text))) {
            ImageArgument bundled = ImageArgument.parse(text, defaultArgument);
            if (GuestImages.BUNDLED.contains(bundled.image().replaceFirst("\\.elf$", ""))) {
                return paravane(bundled.image(), () -> load(bundled.image()), bundled.argument());
            }
        }
        Found found = locate(text);
        if (found == null) {
            ImageArgument split = ImageArgument.parse(text, defaultArgument);   // prog.elf:7, a Paravane file with its argument
            Found image = split.image().equals(text) ? null : locate(split.image());
            if (image instanceof OnHost h && ElfImage.hasParavaneNote(bytes(split.image(), h))) {
                return paravane(split.image(), () -> GuestImages.load(h.path().toString()), split.argument());
            }
            throw CommandStatus.notFound("no program '" + text + "': not a file" + (text.contains("/") ? "" : ", not on the"
                    + " PATH of the guest or the host,") + " and not one of the bundled programs " + String.join(", ", GuestImages.BUNDLED));
        }
        byte[] executable = bytes(text, found);
        if (executable.length < 4 || executable[0] != 0x7f || executable[1] != 'E' || executable[2] != 'L' || executable[3] != 'F') {
            throw CommandStatus.cannotRun(text + ": not an ELF executable" + (executable.length > 1 && executable[0] == '#'
                    && executable[1] == '!' ? " (a #! script: run its interpreter with the script as its argument)" : ""));
        }
        if (ElfImage.hasParavaneNote(executable)) {
            String name = found instanceof OnHost h ? h.path().getFileName().toString() : text;
            return paravane(text, () -> ElfImage.parse(name, executable), defaultArgument);
        }
        return switch (found) {
            case InGuest g -> new LinuxProgram(g.path(), executable, files);
            case OnHost h -> visibleInGuest(h.path(), executable);
        };
    }

    private interface ImageLoader {
        ElfImage load() throws IOException, InvalidImageException;
    }

    private static ParavaneImage paravane(String text, ImageLoader loader, long argument) {
        try {
            return new ParavaneImage(loader.load(), argument);
        } catch (InvalidImageException e) {
            throw CommandStatus.cannotRun(e.getMessage());
        } catch (IOException e) {
            throw CommandStatus.cannotRun(text + ": " + e.getMessage());
        }
    }

    private static ElfImage load(String bundled) throws IOException, InvalidImageException {
        return GuestImages.load(bundled);
    }

    private Found locate(String text) {
        if (text.startsWith("/") && files.hostRoot() != null && view.isRegularFile(text)) {
            return new InGuest(text);
        }
        Path host;
        try {
            host = Path.of(text);
        } catch (InvalidPathException e) {
            return null;
        }
        if (Files.isDirectory(host)) {
            throw CommandStatus.cannotRun(text + " is a directory");
        }
        if (Files.exists(host) || text.contains("/")) {
            return Files.exists(host) ? new OnHost(host) : null;
        }
        for (String dir : guestPath.split(":")) {
            String candidate = (dir.endsWith("/") ? dir : dir + "/") + text;
            if (dir.startsWith("/") && view.isRegularFile(candidate)) {
                return new InGuest(candidate);
            }
        }
        for (String dir : hostPath.split(":")) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir).resolve(text);
                if (Files.isRegularFile(candidate)) {
                    return new OnHost(candidate);
                }
            }
        }
        return null;
    }

    private byte[] bytes(String text, Found found) {
        try {
            return switch (found) {
                case InGuest g -> view.read(g.path());
                case OnHost h -> {
                    if (Files.size(h.path()) > GuestView.MAX_EXECUTABLE) {
                        throw CommandStatus.cannotRun(text + ": larger than " + (GuestView.MAX_EXECUTABLE >> 20) + " MiB");
                    }
                    yield Files.readAllBytes(h.path());
                }
            };
        } catch (AccessDeniedException e) {
            throw CommandStatus.cannotRun(text + ": cannot read it: permission denied");
        } catch (NoSuchFileException e) {
            throw CommandStatus.notFound(text + ": no such file");
        } catch (IOException e) {
            throw CommandStatus.cannotRun(text + ": cannot read it: " + e.getMessage());
        } catch (ErrnoException e) {
            throw CommandStatus.cannotRun(text + ": cannot read it in the guest's view: " + e.getMessage());
        }
    }

    /** Where the guest sees a host file: inside the root or a mount as it is, else mounted read-only at its real path. */
    private LinuxProgram visibleInGuest(Path file, byte[] executable) {
        Path real;
        try {
            real = file.toRealPath();
            if (files.hostRoot() != null) {
                Path root = files.hostRoot().toRealPath();
                if (real.startsWith(root)) {
                    return new LinuxProgram(guestPath("/", root.relativize(real)), executable, files);
                }
            }
            for (MountSpec m : files.mounts()) {
                Path host = m.host().toRealPath();
                if (real.equals(host)) {
                    return new LinuxProgram(m.guestPath(), executable, files);
                }
                if (Files.isDirectory(host) && real.startsWith(host)) {
                    return new LinuxProgram(guestPath(m.guestPath() + "/", host.relativize(real)), executable, files);
                }
            }
        } catch (IOException e) {
            throw CommandStatus.cannotRun(file + ": " + e.getMessage());
        }
        List<MountSpec> mounts = new ArrayList<>(files.mounts());
        mounts.add(new MountSpec(real, real.toString(), true));
        return new LinuxProgram(real.toString(), executable,
                new FileSystem.Options(files.hostRoot(), files.readOnlyRoot(), mounts, files.tmpfsBytes()));
    }

    private static String guestPath(String base, Path relative) {
        List<String> parts = new ArrayList<>();
        relative.forEach(p -> parts.add(p.toString()));
        return base + String.join("/", parts);
    }
}
