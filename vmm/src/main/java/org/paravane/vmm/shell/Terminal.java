package org.paravane.vmm.shell;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/** Whether a descriptor of this process is a terminal, and its window size: ioctl TIOCGWINSZ through FFM. */
final class Terminal {
    private static final long TIOCGWINSZ = 0x5413;
    private static final MethodHandle IOCTL = ioctl();

    /** A terminal window of {@code rows} x {@code columns} (0 when the terminal does not say). */
    record Size(int rows, int columns) {
    }

    private Terminal() {
    }

    private static MethodHandle ioctl() {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("ioctl").map(address -> linker.downcallHandle(address,
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2)))
                    .orElse(null);
        } catch (RuntimeException e) {   // no native access granted: nothing is a terminal
            return null;
        }
    }

    /** The window size of {@code fd} when it is a terminal (only terminals answer TIOCGWINSZ). */
    static Optional<Size> size(int fd) {
        if (IOCTL == null) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment winsize = arena.allocate(8, 2);   // struct winsize: rows, columns, x and y pixels
            int result = (int) IOCTL.invokeExact(fd, TIOCGWINSZ, winsize);
            return result != 0 ? Optional.empty() : Optional.of(new Size(
                    Short.toUnsignedInt(winsize.get(JAVA_SHORT, 0)), Short.toUnsignedInt(winsize.get(JAVA_SHORT, 2))));
        } catch (Throwable e) {
            return Optional.empty();
        }
    }
}
