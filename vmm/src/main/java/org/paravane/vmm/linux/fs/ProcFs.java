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
        List<String> procNames = List.of("cpuinfo", "self");
        return new SyntheticDirectory(() -> procNames, name -> switch (name) {
            case "cpuinfo" -> cpuinfoFile;
            case "self" -> self;
            default -> null;
        }, DEV, 1);
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
