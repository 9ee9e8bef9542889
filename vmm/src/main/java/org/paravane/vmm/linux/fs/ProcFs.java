package org.paravane.vmm.linux.fs;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.paravane.vmm.linux.ErrnoException;

/**
 * One process's {@code /proc}: {@code self/exe} (a link to the executable's path), {@code self/maps} (from the
 * memory map), {@code self/cwd}, {@code self/root} and {@code self/fd/N} (links that land on the directory or the
 * open file itself), and {@code cpuinfo} (from the VM's CPU model).
 */
final class ProcFs {
    private static final long DEV = FileSystem.PROC_DEV;

    private ProcFs() {
    }

    static Node.Directory create(ProcessFiles process, Supplier<String> exePath, Supplier<String> maps, Supplier<String> cpuinfo) {
        GeneratedFile mapsFile = new GeneratedFile(maps, DEV, 11);
        GeneratedFile cpuinfoFile = new GeneratedFile(cpuinfo, DEV, 2);
        MagicLink exe = new MagicLink(exePath, null, DEV, 12);
        MagicLink cwd = new MagicLink(() -> process.cwd().path(), process::cwd, DEV, 13);
        MagicLink root = new MagicLink(() -> "/", process::root, DEV, 14);
        SyntheticDirectory fd = new SyntheticDirectory(() -> fdNames(process), name -> fdLink(process, name), DEV, 15);
        List<String> selfNames = List.of("cwd", "exe", "fd", "maps", "root");
        SyntheticDirectory self = new SyntheticDirectory(() -> selfNames, name -> switch (name) {
            case "cwd" -> cwd;
            case "exe" -> exe;
            case "fd" -> fd;
            case "maps" -> mapsFile;
            case "root" -> root;
            default -> null;
        }, DEV, 10);
        ProcessList processes = process.processes();
        return new SyntheticDirectory(() -> {
            List<String> names = new ArrayList<>(List.of("cpuinfo", "self"));
            processes.pids().forEach(pid -> names.add(Integer.toString(pid)));
            return names;
        }, name -> switch (name) {
            case "cpuinfo" -> cpuinfoFile;
            case "self" -> self;
            default -> pidFolder(processes, name);
        }, DEV, 1);
    }

    /** {@code /proc/PID}: cmdline, comm, exe and stat of the process as it is when read. */
    private static Node pidFolder(ProcessList processes, String name) {
        int pid;
        try {
            pid = Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return null;
        }
        if (!name.equals(Integer.toString(pid)) || processes.entry(pid) == null) {
            return null;
        }
        long ino = 0x10000L + ((long) pid << 4);
        Supplier<ProcessList.Entry> now = () -> {
            ProcessList.Entry e = processes.entry(pid);
            return e != null ? e : new ProcessList.Entry(pid, 0, 0, 0, 'X', "", "", List.of());   // gone meanwhile
        };
        GeneratedFile cmdline = new GeneratedFile(() -> now.get().cmdline(), DEV, ino + 1);
        GeneratedFile comm = new GeneratedFile(() -> now.get().comm() + "\n", DEV, ino + 2);
        MagicLink exe = new MagicLink(() -> now.get().exePath(), null, DEV, ino + 3);
        GeneratedFile stat = new GeneratedFile(() -> now.get().stat(), DEV, ino + 4);
        List<String> names = List.of("cmdline", "comm", "exe", "stat");
        return new SyntheticDirectory(() -> names, n -> switch (n) {
            case "cmdline" -> cmdline;
            case "comm" -> comm;
            case "exe" -> exe;
            case "stat" -> stat;
            default -> null;
        }, DEV, ino);
    }

    private static List<String> fdNames(ProcessFiles process) {
        List<String> names = new ArrayList<>();
        for (int fd : process.fds().descriptors()) {
            names.add(Integer.toString(fd));
        }
        return names;
    }

    private static Node fdLink(ProcessFiles process, String name) {
        int fd;
        try {
            fd = Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return null;
        }
        if (!name.equals(Integer.toString(fd))) {
            return null;
        }
        OpenFile file;
        try {
            file = process.fds().get(fd);
        } catch (ErrnoException e) {
            return null;
        }
        return new MagicLink(file::displayPath, file::location, DEV, 0x1000L + fd);
    }
}
