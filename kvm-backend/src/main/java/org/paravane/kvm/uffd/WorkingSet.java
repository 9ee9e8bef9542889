package org.paravane.kvm.uffd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The pages a VM touched, in first-touch order (REAP-style): recorded from the faults of one run, saved as a text
 * file of hexadecimal guest-physical page addresses, and prefetched in that order when a VM of the same name starts.
 */
public final class WorkingSet {
    private final LinkedHashSet<Long> pages = new LinkedHashSet<>();

    public synchronized void record(long page) {
        pages.add(page);
    }

    public synchronized List<Long> pages() {
        return List.copyOf(pages);
    }

    public synchronized int size() {
        return pages.size();
    }

    /** Writes the pages to {@code file} (atomically replaced). */
    public void save(Path file) throws IOException {
        List<Long> snapshot = pages();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        StringBuilder b = new StringBuilder(snapshot.size() * 10);
        for (long p : snapshot) {
            b.append(Long.toHexString(p)).append('\n');
        }
        Files.writeString(tmp, b, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The pages saved in {@code file}, in order; a line that is not a hexadecimal page address is an error. */
    public static List<Long> load(Path file) throws IOException {
        List<Long> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            lineNo++;
            String t = line.strip();
            if (t.isEmpty()) {
                continue;
            }
            try {
                long page = Long.parseUnsignedLong(t, 16);
                if ((page & 0xFFF) != 0) {
                    throw new NumberFormatException("not page aligned");
                }
                out.add(page);
            } catch (NumberFormatException e) {
                throw new IOException(file + " line " + lineNo + ": '" + t + "' is not a page address (" + e.getMessage() + ")");
            }
        }
        return out;
    }
}
