package org.paravane.kvm.vstate.vcpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.paravane.api.backend.BackendException;
import org.paravane.kvm.ioctls.KvmLayouts;
import org.paravane.kvm.ioctls.VcpuFd;
import org.paravane.support.linux.NativeException;

/**
 * A vCPU's FXSAVE image through KVM_GET/SET_XSAVE (its legacy area), or the FPU ioctls where the host has no XSAVE,
 * with the image the vCPU is known to hold so an unchanged one is not written again.
 */
final class FpuState {
    private final VcpuHost host;
    private final VcpuFd fd;
    private final String where;
    private final MemorySegment xsaveBuf, fpuBuf;
    /** The image known to be current (read or written since the guest last ran), or null. */
    private byte[] known;

    FpuState(VcpuHost host, VcpuFd fd, Arena arena, String where) {
        this.host = host;
        this.fd = fd;
        this.where = where;
        this.xsaveBuf = arena.allocate(KvmLayouts.KVM_XSAVE.byteSize(), 64);
        this.fpuBuf = arena.allocate(KvmLayouts.KVM_FPU);
    }

    void forget() {
        known = null;
    }

    byte[] read() {
        if (known != null) {
            return known.clone();
        }
        byte[] image;
        if (host.xsave()) {
            fd.getXsave(xsaveBuf);
            image = xsaveBuf.asSlice(0, 512).toArray(JAVA_BYTE);
        } else {
            fd.getFpu(fpuBuf);
            image = StateCodec.fxsaveFromFpu(fpuBuf);
        }
        known = image;
        return image.clone();
    }

    void write(byte[] image) {
        if (known != null && Arrays.equals(known, image)) {
            return;
        }
        if (host.xsave()) {
            fd.getXsave(xsaveBuf);
            xsaveBuf.asSlice(0, 512).copyFrom(MemorySegment.ofArray(image));
            xsaveBuf.set(JAVA_LONG, StateCodec.XSTATE_BV, xsaveBuf.get(JAVA_LONG, StateCodec.XSTATE_BV) | StateCodec.XSTATE_LEGACY);
            try {
                fd.setXsave(xsaveBuf);
            } catch (NativeException e) {
                throw new BackendException(BackendException.Reason.INVALID_REQUEST, where + ": KVM refused the FXSAVE image "
                        + "(MXCSR 0x" + Integer.toHexString(MemorySegment.ofArray(image).get(JAVA_INT_UNALIGNED, 24))
                        + ", reserved bits?)", e.getMessage(), e);
            }
        } else {
            StateCodec.fpuFromFxsave(image, fpuBuf);
            fd.setFpu(fpuBuf);
        }
        known = image.clone();
    }
}
