package org.paravane.emulated.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The x87/SSE state: the 16 XMM registers and MXCSR, which the SSE instructions use, the x87 control word, and the
 * rest of the FXSAVE image (x87 status, tags, last-instruction pointers, the ST registers) kept exactly as it was
 * loaded, since no x87 arithmetic runs here. Moves in and out as a 512-byte FXSAVE image (64-bit layout).
 */
public final class FpuState {
    public static final int MXCSR_RESET = 0x1F80;
    /** The MXCSR bits this CPU implements (flags, DAZ, masks, rounding, FTZ): others are reserved (#GP). */
    public static final int MXCSR_MASK = 0xFFFF;
    public static final int FCW_RESET = 0x037F;
    public static final int IMAGE_SIZE = 512;
    static final int FCW = 0, FSW = 2, FTW = 4, MXCSR = 24, MXCSR_MASK_AT = 28, XMM = 160;

    /** XMM{@code n} is {@code xmm[2n]} (bits 0-63) and {@code xmm[2n+1]} (bits 64-127). */
    public final long[] xmm = new long[32];
    public int mxcsr = MXCSR_RESET;
    public int fcw = FCW_RESET;
    /** The FXSAVE image's other bytes; FCW, MXCSR, MXCSR_MASK and the XMM area are taken from the fields. */
    private final byte[] rest = new byte[IMAGE_SIZE];

    /** The power-on state (also what a null FXSAVE image in a {@code VcpuState} means). */
    public void reset() {
        java.util.Arrays.fill(xmm, 0);
        java.util.Arrays.fill(rest, (byte) 0);
        mxcsr = MXCSR_RESET;
        fcw = FCW_RESET;
    }

    /** FNINIT: the x87 control, status and tag words and the pointers to their initial values; SSE untouched. */
    public void initX87() {
        fcw = FCW_RESET;
        java.util.Arrays.fill(rest, FSW, MXCSR, (byte) 0);
    }

    /** The FXSAVE image (64-bit layout: FIP and FDP as 64-bit offsets). */
    public byte[] image() {
        ByteBuffer b = ByteBuffer.wrap(rest.clone()).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(FCW, (short) fcw);
        b.putInt(MXCSR, mxcsr);
        b.putInt(MXCSR_MASK_AT, MXCSR_MASK);
        for (int i = 0; i < 32; i++) {
            b.putLong(XMM + 8 * i, xmm[i]);
        }
        return b.array();
    }

    /** Loads an FXSAVE image (null: the reset state); MXCSR must not set bits this CPU reserves. */
    public void load(byte[] image) {
        if (image == null) {
            reset();
            return;
        }
        if (image.length != IMAGE_SIZE) {
            throw new IllegalArgumentException("FXSAVE image must be " + IMAGE_SIZE + " bytes, got " + image.length);
        }
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if ((b.getInt(MXCSR) & ~MXCSR_MASK) != 0) {
            throw new IllegalArgumentException(String.format("MXCSR 0x%x sets bits this CPU reserves (mask 0x%x)",
                    b.getInt(MXCSR), MXCSR_MASK));
        }
        System.arraycopy(image, 0, rest, 0, IMAGE_SIZE);
        fcw = b.getShort(FCW) & 0xFFFF;
        mxcsr = b.getInt(MXCSR);
        for (int i = 0; i < 32; i++) {
            xmm[i] = b.getLong(XMM + 8 * i);
        }
    }
}
