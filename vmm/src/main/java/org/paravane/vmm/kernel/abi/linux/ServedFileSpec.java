package org.paravane.vmm.kernel.abi.linux;

import java.io.IOException;
import java.util.Locale;
import org.paravane.api.memory.GuestMemory;
import org.paravane.vmm.linux.fs.MountSpec;
import org.paravane.vmm.source.SourceSpec;

/**
 * A read-only file at {@code guestPath} whose bytes a page source serves lazily, with that source's latency: the
 * {@code --lazy-file <guest path>=<source>} option ({@link #parse}). The VM's builder places its pages in the lazy
 * data region ({@link #placedAt}); the processes then see a regular file there, and touching a page of it that has not
 * arrived (through a mapping, or a read) takes the async page fault path instead of stalling the vCPU.
 *
 * @param guestPath    absolute, canonical, not {@code /}
 * @param source       where the bytes come from ({@code file:/host/data,latency=200us}); null when the caller placed
 *                     the file in a region it serves itself
 * @param size         the file's length in bytes; 0 before placement means the source's own length (a file)
 * @param guestAddress guest-physical address of the first byte (page aligned), or -1 while not placed
 */
public record ServedFileSpec(String guestPath, SourceSpec source, long size, long guestAddress) {

    public ServedFileSpec {
        new MountSpec(java.nio.file.Path.of("/"), guestPath, true);   // the same rules as a mount point
        if (size < 0) {
            throw new IllegalArgumentException("lazy file " + guestPath + ": size " + size + " is negative");
        }
        if (guestAddress < -1 || guestAddress >= 0 && guestAddress % GuestMemory.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("lazy file " + guestPath + ": guest-physical address 0x"
                    + Long.toHexString(guestAddress) + " is not page aligned");
        }
        if (source == null && guestAddress < 0) {
            throw new IllegalArgumentException("lazy file " + guestPath + " needs a page source");
        }
    }

    /**
     * Parses {@code <guest path>=<source>[,size=<bytes>[K|M|G]]}: the source as {@link SourceSpec#parse} takes it
     * ({@code file:/srv/data.bin,latency=200us}, {@code pattern:7,latency=1ms,size=16M}); the size is needed when the
     * source has no length of its own.
     */
    public static ServedFileSpec parse(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0 || eq == text.length() - 1) {
            throw new IllegalArgumentException("lazy file '" + text + "' is not <guest path>=<source>");
        }
        String path = text.substring(0, eq);
        StringBuilder source = new StringBuilder();
        long size = 0;
        for (String part : text.substring(eq + 1).split(",")) {
            if (part.strip().toLowerCase(Locale.ROOT).startsWith("size=")) {
                size = bytes(text, part.strip().substring(5));
            } else {
                source.append(source.isEmpty() ? "" : ",").append(part);
            }
        }
        return new ServedFileSpec(path, SourceSpec.parse(source.toString()), size, -1);
    }

    private static long bytes(String text, String value) {
        String v = value.strip().toUpperCase(Locale.ROOT);
        long unit = switch (v.isEmpty() ? ' ' : v.charAt(v.length() - 1)) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            default -> 1;
        };
        try {
            long n = Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1));
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("lazy file '" + text + "': size '" + value
                    + "' is not a positive number of bytes (K, M, G allowed)");
        }
    }

    /** The file's length: its own, or its source's ({@code file:}, {@code snapshot:}); an error when neither has one. */
    public long resolvedSize() throws IOException {
        if (size > 0) {
            return size;
        }
        long own = source == null ? -1 : source.contentLength();
        if (own < 0) {
            throw new IllegalArgumentException("lazy file " + guestPath + ": source " + source
                    + " has no length of its own; give one (,size=16M)");
        }
        return own;
    }

    /** Pages the file takes in guest-physical memory. */
    public long pageBytes() throws IOException {
        return (resolvedSize() + GuestMemory.PAGE_SIZE - 1) & -(long) GuestMemory.PAGE_SIZE;
    }

    /** This file placed at guest-physical {@code address}, its size resolved. */
    public ServedFileSpec placedAt(long address) throws IOException {
        return new ServedFileSpec(guestPath, source, resolvedSize(), address);
    }

    public boolean placed() {
        return guestAddress >= 0;
    }
}
