package org.paravane.vmm.linux.fs;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import org.paravane.vmm.linux.ErrnoException;

/**
 * The file system a VM's Linux processes share: {@code /} is a writable in-memory layer over an optional host
 * directory (the host is never written through it; a read-only root refuses every write with EROFS), {@code /tmp}
 * is an in-memory file system that is always writable, {@code /dev} holds the memory devices and the console, and
 * host directories or files are bind-mounted where the options say. {@code /proc} belongs to each process
 * ({@link ProcessFiles}). The in-memory contents are the VM's: {@link #write} and {@link #read} carry them across a
 * snapshot or a move.
 */
public final class FileSystem {
    /**
     * @param hostRoot     the host directory seen as {@code /}, or null for an empty root
     * @param readOnlyRoot whether {@code /} refuses writes (EROFS); {@code /tmp} stays writable
     */
    public record Options(Path hostRoot, boolean readOnlyRoot, List<MountSpec> mounts, long tmpfsBytes) {
        /** What each in-memory file system (the root's layer, {@code /tmp}) may hold by default. */
        public static final long DEFAULT_TMPFS_BYTES = 64L << 20;

        public Options {
            mounts = List.copyOf(mounts);
            if (tmpfsBytes <= 0) {
                throw new IllegalArgumentException("tmpfs size must be positive: " + tmpfsBytes);
            }
        }

        public Options(Path hostRoot, boolean readOnlyRoot, List<MountSpec> mounts) {
            this(hostRoot, readOnlyRoot, mounts, DEFAULT_TMPFS_BYTES);
        }

        public static Options emptyRoot() {
            return new Options(null, false, List.of());
        }
    }

    static final long ROOT_DEV = Stat.makedev(0, 0x20), TMP_DEV = Stat.makedev(0, 0x21), DEV_DEV = Stat.makedev(0, 5),
            PROC_DEV = Stat.makedev(0, 0x16), FIRST_MOUNT_DEV_MINOR = 0x30;

    private final Options options;
    private final Console console;
    private Tmpfs rootFs;
    private Tmpfs tmpFs;
    private final HostDirectory lower;
    private MemoryDirectory root;
    private MemoryDirectory tmp;
    /** Replaced whole, never changed in place: lookups read it without a lock while a snapshot is read. */
    private volatile Map<String, Mount> mounts = Map.of();
    private volatile Mount rootMount;
    /** The processes {@code /proc} lists (the kernel that runs them sets it). */
    private volatile ProcessList processes = ProcessList.NONE;
    private final Node.Directory devices;
    /** Inode numbers of pipes and anonymous files (eventfd, epoll), unique in the VM as Linux's pipefs gives them. */
    private final java.util.concurrent.atomic.AtomicLong anonymousIno = new java.util.concurrent.atomic.AtomicLong(0x1000);
    /** Mounts the VM adds beside the options' host mounts (lazily served files). */
    private final List<Mount> extraMounts;
    /** The console's input, read ahead by one reader for every process and {@code /dev/tty}; null without input. */
    private final ConsoleInput consoleInput;

    private FileSystem(Options options, Console console, RandomGenerator random, List<Mount> extraMounts) {
        this.options = options;
        this.extraMounts = List.copyOf(extraMounts);
        this.console = console;
        this.consoleInput = console.in() == null ? null : new ConsoleInput(console.in());
        this.lower = options.hostRoot() == null ? null : new HostDirectory(realDirectory(options.hostRoot()), ROOT_DEV);
        this.devices = DevFs.create(console, consoleInput, random, DEV_DEV);
        this.rootFs = new Tmpfs(ROOT_DEV, options.tmpfsBytes());
        this.tmpFs = new Tmpfs(TMP_DEV, options.tmpfsBytes());
        installLayers(new MemoryDirectory(rootFs, rootFs.newIno(), 0755, lower),
                new MemoryDirectory(tmpFs, tmpFs.newIno(), 01777, null));
    }

    /**
     * The view {@code options} describe, with the console behind the devices and {@code random} behind
     * {@code /dev/urandom}. Bad options (a host path that is missing or neither directory nor file, two mounts at
     * one place) are an IllegalArgumentException naming them.
     */
    public static FileSystem create(Options options, Console console, RandomGenerator random) {
        return new FileSystem(options, console, random, List.of());
    }

    /** The same, with {@code extraMounts} (files or directories the VM provides, e.g. lazily served files) mounted too. */
    public static FileSystem create(Options options, Console console, RandomGenerator random, List<Mount> extraMounts) {
        return new FileSystem(options, console, random, extraMounts);
    }

    private void installLayers(MemoryDirectory newRoot, MemoryDirectory newTmp) {
        root = newRoot;
        tmp = newTmp;
        Map<String, Mount> building = new TreeMap<>();
        mount(building, new Mount("/tmp", tmp, false));
        mount(building, new Mount("/dev", devices, false));
        createMountPoint(building, "/proc", true); // each process mounts its own /proc here (ProcessFiles)
        int minor = (int) FIRST_MOUNT_DEV_MINOR;
        for (MountSpec spec : options.mounts()) {
            Path host = spec.host().toAbsolutePath().normalize();
            HostNode node;
            try {
                node = HostNode.at(host.toRealPath(), Stat.makedev(0, minor++));
            } catch (ErrnoException | IOException e) {
                throw new IllegalArgumentException("mount " + spec.host() + ": " + e.getMessage(), e);
            }
            if (!(node instanceof HostDirectory) && !(node instanceof HostFile)) {
                throw new IllegalArgumentException("mount " + spec.host() + " is neither a directory nor a file");
            }
            if (building.containsKey(spec.guestPath())) {
                throw new IllegalArgumentException("two mounts at " + spec.guestPath());
            }
            mount(building, new Mount(spec.guestPath(), (Node) node, spec.readOnly()));
        }
        for (Mount extra : extraMounts) {
            if (building.containsKey(extra.path())) {
                throw new IllegalArgumentException("two mounts at " + extra.path());
            }
            mount(building, extra);
        }
        mounts = Map.copyOf(building);
        rootMount = new Mount("/", root, options.readOnlyRoot());
    }

    private static Path realDirectory(Path host) {
        try {
            Path real = host.toRealPath();
            if (!Files.isDirectory(real)) {
                throw new IllegalArgumentException("root " + host + " is not a directory");
            }
            return real;
        } catch (IOException e) {
            throw new IllegalArgumentException("root " + host + " cannot be used: " + e.getMessage(), e);
        }
    }

    private void mount(Map<String, Mount> into, Mount mount) {
        createMountPoint(into, mount.path(), mount.root() instanceof Node.Directory);
        into.put(mount.path(), mount);
    }

    /**
     * Creates the mount point at {@code path} (and the directories above it) in the in-memory root, or in the
     * in-memory file system mounted above it ({@code /tmp/x} is made in {@code /tmp}'s, where lookups will look).
     */
    private void createMountPoint(Map<String, Mount> mounted, String path, boolean directory) {
        Node.Directory dir = root;
        String[] parts = path.substring(1).split("/");
        StringBuilder prefix = new StringBuilder();
        try {
            for (int i = 0; i < parts.length; i++) {
                boolean last = i == parts.length - 1;
                prefix.append('/').append(parts[i]);
                Mount above = last ? null : mounted.get(prefix.toString());
                if (above != null && above.root() instanceof Node.Directory mountRoot) {
                    dir = mountRoot;
                    continue;
                }
                Node existing = dir.lookup(parts[i]);
                if (existing == null && dir instanceof MemoryDirectory memory) {
                    existing = last && !directory ? memory.createFile(parts[i], 0644) : memory.createDirectory(parts[i], 0755);
                }
                if (last || !(existing instanceof Node.Directory next)) {
                    return;
                }
                dir = next;
            }
        } catch (ErrnoException e) {
            // The mount point's parent is a host file: the mount stays reachable by its path only.
        }
    }

    Mount rootMount() {
        return rootMount;
    }

    /** The mount at {@code path} (absolute, canonical), or null. */
    Mount mountAt(String path) {
        return mounts.get(path);
    }

    long newAnonymousIno() {
        return anonymousIno.incrementAndGet();
    }

    /** {@code /proc} of every process on this file system lists {@code list}'s processes. */
    public void showProcesses(ProcessList list) {
        processes = list;
    }

    ProcessList processes() {
        return processes;
    }

    Console console() {
        return console;
    }

    ConsoleInput consoleInput() {
        return consoleInput;
    }

    // ---------------------------------------------------------------- the VM's contents

    /** Writes the in-memory layer of {@code /} and the contents of {@code /tmp}. */
    public synchronized void write(DataOutput out) throws IOException {
        out.writeInt(LayerSnapshot.FORMAT);
        LayerSnapshot.write(root, out);
        LayerSnapshot.write(tmp, out);
    }

    /**
     * Replaces the in-memory layer and {@code /tmp} with what {@link #write} wrote (the host root and mounts come
     * from this view's options). Descriptors opened before keep the old nodes, as after a restore they are reopened.
     */
    public synchronized void read(DataInput in) throws IOException {
        int format = in.readInt();
        if (format != LayerSnapshot.FORMAT) {
            throw new IOException("file system snapshot format " + format + ", expected " + LayerSnapshot.FORMAT);
        }
        Tmpfs newRootFs = new Tmpfs(ROOT_DEV, options.tmpfsBytes()), newTmpFs = new Tmpfs(TMP_DEV, options.tmpfsBytes());
        MemoryDirectory newRoot = LayerSnapshot.read(in, newRootFs, lower);
        MemoryDirectory newTmp = LayerSnapshot.read(in, newTmpFs, null);
        rootFs = newRootFs;
        tmpFs = newTmpFs;
        installLayers(newRoot, newTmp);
    }
}
