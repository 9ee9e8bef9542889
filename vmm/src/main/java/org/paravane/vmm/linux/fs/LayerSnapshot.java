package org.paravane.vmm.linux.fs;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Map;
import org.paravane.vmm.linux.ErrnoException;

/**
 * The in-memory layer as bytes: directories with their whiteouts, files with their data, symbolic links, and the
 * host directories the layer had wrapped (by name: their host contents are not copied, they are looked up again).
 */
final class LayerSnapshot {
    static final int FORMAT = 1;
    private static final byte DIRECTORY = 1, FILE = 2, SYMLINK = 3;

    private LayerSnapshot() {
    }

    static void write(MemoryDirectory dir, DataOutput out) throws IOException {
        writeAttributes(dir, out);
        var whiteouts = dir.whiteouts();
        out.writeInt(whiteouts.size());
        for (String name : whiteouts) {
            out.writeUTF(name);
        }
        Map<String, Node> entries = dir.upperEntries();
        out.writeInt(entries.size());
        for (Map.Entry<String, Node> e : entries.entrySet()) {
            out.writeUTF(e.getKey());
            switch (e.getValue()) {
                case MemoryDirectory d -> {
                    out.writeByte(DIRECTORY);
                    write(d, out);
                }
                case MemoryFile f -> {
                    out.writeByte(FILE);
                    writeAttributes(f, out);
                    byte[] data = f.contents();
                    out.writeInt(data.length);
                    out.write(data);
                }
                case MemorySymlink l -> {
                    out.writeByte(SYMLINK);
                    writeAttributes(l, out);
                    out.writeUTF(l.target());
                }
                default -> throw new IOException(e.getKey() + " is not an in-memory node");
            }
        }
        Map<String, MemoryDirectory> merged = dir.mergedDirectories();
        out.writeInt(merged.size());
        for (Map.Entry<String, MemoryDirectory> e : merged.entrySet()) {
            out.writeUTF(e.getKey());
            write(e.getValue(), out);
        }
    }

    private static void writeAttributes(MemoryNode node, DataOutput out) throws IOException {
        out.writeLong(node.ino);
        out.writeInt(node.permissions);
        out.writeLong(node.atime);
        out.writeLong(node.mtime);
        out.writeLong(node.ctime);
    }

    private record Attributes(long ino, int permissions, long atime, long mtime, long ctime) {
        <T extends MemoryNode> T applyTo(T node) {
            node.atime = atime;
            node.mtime = mtime;
            node.ctime = ctime;
            return node;
        }
    }

    private static Attributes readAttributes(DataInput in, Tmpfs fs) throws IOException {
        Attributes a = new Attributes(in.readLong(), in.readInt(), in.readLong(), in.readLong(), in.readLong());
        fs.reserve(a.ino());
        return a;
    }

    static MemoryDirectory read(DataInput in, Tmpfs fs, HostDirectory lower) throws IOException {
        Attributes a = readAttributes(in, fs);
        MemoryDirectory dir = a.applyTo(new MemoryDirectory(fs, a.ino(), a.permissions(), lower));
        int whiteouts = in.readInt();
        for (int i = 0; i < whiteouts; i++) {
            dir.restoreWhiteout(in.readUTF());
        }
        int entries = in.readInt();
        for (int i = 0; i < entries; i++) {
            String name = in.readUTF();
            byte kind = in.readByte();
            Node node = switch (kind) {
                case DIRECTORY -> read(in, fs, null);
                case FILE -> {
                    Attributes f = readAttributes(in, fs);
                    byte[] data = new byte[in.readInt()];
                    in.readFully(data);
                    try {
                        yield f.applyTo(new MemoryFile(fs, f.ino(), f.permissions(), data));
                    } catch (ErrnoException e) {
                        throw new IOException("the snapshot holds more than this file system's size: " + e.getMessage(), e);
                    }
                }
                case SYMLINK -> {
                    Attributes l = readAttributes(in, fs);
                    yield l.applyTo(new MemorySymlink(fs, l.ino(), in.readUTF()));
                }
                default -> throw new IOException("unknown node kind " + kind + " for " + name);
            };
            dir.restoreEntry(name, node);
        }
        int merged = in.readInt();
        for (int i = 0; i < merged; i++) {
            String name = in.readUTF();
            HostDirectory hostDir = lowerDirectory(lower, name);
            MemoryDirectory sub = read(in, fs, hostDir);
            if (hostDir != null) {
                dir.restoreMerged(name, sub);
            } else {
                // The host directory is gone: what the guest put in it stays, as an ordinary directory.
                dir.restoreEntry(name, sub);
            }
        }
        return dir;
    }

    private static HostDirectory lowerDirectory(HostDirectory lower, String name) throws IOException {
        if (lower == null) {
            return null;
        }
        try {
            return lower.lookup(name) instanceof HostDirectory d ? d : null;
        } catch (ErrnoException e) {
            throw new IOException("looking up " + name + " in the host root: " + e.getMessage(), e);
        }
    }
}
