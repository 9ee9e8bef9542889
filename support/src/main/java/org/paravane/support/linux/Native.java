package org.paravane.support.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Downcall plumbing: libc symbol lookup, handles that capture errno, and the per-thread segment errno is captured in
 * (the capture segment is the first argument of such a handle; reading errno later from libc is unreliable because the
 * JVM may run code in between).
 */
public final class Native {
    private Native() {
    }

    static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(StructLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> CAPTURE_SEGMENT =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    /** A handle for libc's {@code name} without errno capture. */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(symbol(name), descriptor, options);
    }

    /** A handle for libc's {@code name} whose first argument is the errno capture segment ({@link #errnoSegment()}). */
    public static MethodHandle downcallWithErrno(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(options, 0, all, 1, options.length);
        return downcall(name, descriptor, all);
    }

    /** This thread's errno capture segment. */
    public static MemorySegment errnoSegment() {
        return CAPTURE_SEGMENT.get();
    }

    /** The errno the last call through {@code segment} captured. */
    public static int errno(MemorySegment segment) {
        return (int) ERRNO.get(segment, 0L);
    }

    /** The address of libc's {@code name} (e.g. a native function used as a signal handler). */
    public static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol '" + name + "'"));
    }

    /**
     * What to throw when a downcall handle itself failed (not the native call): runtime exceptions and errors as they
     * are, anything else wrapped; {@code invokeExact} declares Throwable.
     */
    public static RuntimeException unexpected(String call, Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(call + " downcall failed", t);
    }
}
