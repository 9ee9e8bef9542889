package org.paravane.vmm.kernel.abi.linux;

import static org.paravane.vmm.kernel.abi.linux.InitialStack.*;

import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.vmm.kernel.InvalidImageException;
import org.paravane.vmm.kernel.abi.SyscallAbi;
import org.paravane.vmm.kernel.mm.AddressSpace;
import org.paravane.vmm.kernel.mm.GuestAccessException;
import org.paravane.vmm.linux.ErrnoException;
import org.paravane.vmm.linux.fs.Console;
import org.paravane.vmm.linux.fs.ProcessFiles;
import org.paravane.vmm.linux.mm.Backing;
import org.paravane.vmm.linux.mm.Layout;
import org.paravane.vmm.linux.mm.MapsFile;
import org.paravane.vmm.linux.mm.Mman;
import org.paravane.vmm.linux.mm.MemoryMap;

/**
 * Starts a Linux process as execve does for a static executable: validates the ELF file, lays the address space out
 * as Linux x86-64 does (the image, static-PIE at ELF_ET_DYN_BASE; brk after it; the mmap area below the stack), maps
 * the segments from the file (pages come on first touch), and writes the initial stack.
 */
public final class LinuxLoader {
    /** The guest kernel's own area at the bottom of every address space: nothing of a process may go there. */
    private final long kernelAreaEnd;

    public LinuxLoader(long kernelAreaEnd) {
        this.kernelAreaEnd = kernelAreaEnd;
    }

    /** A process ready to run: the ABI bound to it and its first registers. */
    public record Start(SyscallAbi abi, GeneralRegisters registers) {
    }

    /**
     * Loads {@code spec} into the empty user address space {@code space} as process {@code pid}.
     *
     * @param console where the process's fds 0, 1 and 2 go when the VM has no Linux options of its own
     */
    public Start load(AddressSpace space, LinuxProcessSpec spec, LinuxHost host,
                      int pid, Console console) throws InvalidImageException {
        String path = spec.executablePath();
        LinuxElf.parse(path, spec.executable());   // a bad file is refused before anything is made
        java.util.concurrent.atomic.AtomicReference<LinuxProcess> self = new java.util.concurrent.atomic.AtomicReference<>();
        ProcessFiles processFiles = new ProcessFiles(host.fileSystem(console), path,
                () -> MapsFile.render(self.get().memory().map().vmas()), host::cpuinfo, ProcessFiles.DEFAULT_NOFILE);
        Limits limits = new Limits(processFiles);
        Image image = image(space, path, spec.executable(), spec.argv(), spec.envp(), host,
                limits.getUnchecked(Limits.RLIMIT_STACK));
        LinuxProcess process = new LinuxProcess(pid, path, image.memory(), processFiles, host);
        process.setExecutable(spec.executable());
        process.setArgv(spec.argv());
        host.launched(path, spec.executable(), kernelAreaEnd);
        self.set(process);
        LinuxThread thread = new LinuxThread(pid, process, LinuxThread.commOf(path));
        ProcessTable table = host.processes();
        synchronized (table) {
            table.add(process);
            process.addThread(thread);
        }
        return new Start(new LinuxAbi(thread), image.registers());
    }

    /** A process image: its memory (map and page tables) and the registers it starts with. */
    record Image(ProcessMemory memory, GeneralRegisters registers) {
    }

    /**
     * Lays out the static executable {@code executable} in the empty user address space {@code space} as execve does:
     * segments mapped from the file, the stack with argv, envp and the auxiliary vector.
     */
    Image image(AddressSpace space, String path, byte[] executable, java.util.List<String> argv,
                java.util.List<String> envp, LinuxHost host, long stackLimit) throws InvalidImageException {
        LinuxElf elf = LinuxElf.parse(path, executable);
        long base = elf.pie() ? Layout.ELF_ET_DYN_BASE - (elf.segments().getFirst().virtualAddress() & Mman.PAGE_MASK) : 0;
        if (base + (elf.segments().getFirst().virtualAddress() & Mman.PAGE_MASK) < kernelAreaEnd) {
            throw new InvalidImageException(path, "segment at 0x" + Long.toHexString(elf.segments().getFirst().virtualAddress())
                    + " lies in the guest kernel's area below 0x" + Long.toHexString(kernelAreaEnd) + " (link at 0x400000)");
        }
        ProcessMemory memory = new ProcessMemory(space);
        Layout fixed = Layout.fixed(base + elf.end(), stackLimit);
        Layout layout = new Layout(fixed.stackTop(), fixed.stackSize(), fixed.mmapBase(), fixed.brkStart(),
                fixed.guardGap(), Math.max(fixed.minAddress(), kernelAreaEnd));
        MemoryMap map = new MemoryMap(layout, memory::apply);
        memory.attach(map);
        try {
            for (LinuxElf.Segment s : elf.segments()) {
                mapSegment(map, path, executable, s, base);
            }
        } catch (ErrnoException e) {
            throw new InvalidImageException(path, "cannot map its segments: " + e.getMessage());
        }
        byte[] random = new byte[16];
        host.random().nextBytes(random);
        long[] auxv = {
                AT_HWCAP, host.hwcap(), AT_PAGESZ, Mman.PAGE_SIZE, AT_CLKTCK, 100,
                AT_PHDR, elf.phdrAddress() == 0 ? 0 : base + elf.phdrAddress(), AT_PHENT, elf.phentsize(),
                AT_PHNUM, elf.phnum(), AT_BASE, 0, AT_FLAGS, 0, AT_ENTRY, base + elf.entry(),
                AT_UID, 0, AT_EUID, 0, AT_GID, 0, AT_EGID, 0, AT_SECURE, 0, AT_HWCAP2, 0,
                AT_MINSIGSTKSZ, MIN_SIGNAL_STACK};
        InitialStack.Image stack = InitialStack.build(path, layout.stackTop(), argv, envp, path, auxv, random);
        try {
            memory.write(stack.rsp(), stack.bytes());
        } catch (GuestAccessException | RuntimeException e) {
            throw new InvalidImageException(path, "cannot write the initial stack: " + e.getMessage());
        }
        GeneralRegisters regs = GeneralRegisters.ZERO
                .with(GeneralRegisters.RSP, stack.rsp())
                .withRip(base + elf.entry())
                .withRflags(GeneralRegisters.RFLAGS_IF | GeneralRegisters.RFLAGS_RESET);
        return new Image(memory, regs);
    }

    private static void mapSegment(MemoryMap map, String path, byte[] file, LinuxElf.Segment s, long base)
            throws ErrnoException {
        int prot = (s.readable() ? Mman.PROT_READ : 0) | (s.writable() ? Mman.PROT_WRITE : 0)
                | (s.executable() ? Mman.PROT_EXEC : 0);
        long start = (base + s.virtualAddress()) & Mman.PAGE_MASK;
        long fileEnd = base + s.virtualAddress() + s.fileSize();
        long memEnd = base + s.end();
        long fileMapEnd = pageUp(fileEnd);
        int fixed = Mman.MAP_PRIVATE | Mman.MAP_FIXED;
        if (s.fileSize() > 0) {
            long offset = s.offset() & Mman.PAGE_MASK;
            map.mmap(start, fileMapEnd - start, prot, fixed,
                    new Backing.File(new SegmentFile(path, file, s.offset() + s.fileSize()), true, false), offset);
        } else {
            fileMapEnd = start;
        }
        if (pageUp(memEnd) > fileMapEnd) {
            map.mmap(fileMapEnd, pageUp(memEnd) - fileMapEnd, prot, fixed | Mman.MAP_ANONYMOUS, Backing.ANONYMOUS, 0);
        }
    }

    private static long pageUp(long v) {
        return (v + Mman.PAGE_SIZE - 1) & Mman.PAGE_MASK;
    }
}
