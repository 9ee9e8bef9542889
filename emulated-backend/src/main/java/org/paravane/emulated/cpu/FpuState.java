package org.paravane.emulated.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The x87/SSE state: the 16 XMM registers and MXCSR, the x87 registers (by physical number; ST(i) is physical
 * {@code (TOP + i) & 7}), control, status (TOP in bits 11-13) and abridged tag word (bit i: physical register i
 * holds a value), the last instruction's opcode and pointers, and the rest of the FXSAVE image kept as loaded. Moves
 * in and out as a 512-byte FXSAVE image (64-bit layout).
 */
public final class FpuState {
    public static final int MXCSR_RESET = 0x1F80;
    /** The MXCSR bits this CPU implements (flags, DAZ, masks, rounding, FTZ): others are reserved (#GP). */
    public static final int MXCSR_MASK = 0xFFFF;
    public static final int FCW_RESET = 0x037F;
    public static final int IMAGE_SIZE = 512;
    static final int FCW = 0, FSW = 2, FTW = 4, FOP = 6, FIP = 8, FDP = 16, MXCSR = 24, MXCSR_MASK_AT = 28, ST = 32,
            XMM = 160;

    /** XMM{@code n} is {@code xmm[2n]} (bits 0-63) and {@code xmm[2n+1]} (bits 64-127). */
    public final long[] xmm = new long[32];
    public int mxcsr = MXCSR_RESET;
    public int fcw = FCW_RESET;
    public int fsw;
    /** Abridged tag word: bit i set when physical register i is not empty. */
    public int ftw;
    /** The last non-control x87 instruction: opcode (11 bits), address, memory operand's address. */
    public int fop;
    public long fip, fdp;
    /** Physical x87 registers: significand and sign/exponent. */
    public final long[] stSig = new long[8];
    public final int[] stSe = new int[8];
    /** The FXSAVE image's other bytes; FCW, MXCSR, MXCSR_MASK and the XMM area are taken from the fields. */
    private final byte[] rest = new byte[IMAGE_SIZE];

    /** The power-on state (also what a null FXSAVE image in a {@code VcpuState} means). */
    public void reset() {
        java.util.Arrays.fill(xmm, 0);
        java.util.Arrays.fill(rest, (byte) 0);
        java.util.Arrays.fill(stSig, 0);
        java.util.Arrays.fill(stSe, 0);
        mxcsr = MXCSR_RESET;
        initX87();
    }

    /** FNINIT: the x87 control, status and tag words and the pointers to their initial values; SSE untouched. */
    public void initX87() {
        fcw = FCW_RESET;
        fsw = 0;
        ftw = 0;
        fop = 0;
        fip = 0;
        fdp = 0;
    }

    public int top() {
        return (fsw >>> 11) & 7;
    }

    /** The FXSAVE image (64-bit layout: FIP and FDP as 64-bit offsets; with FSW.ES clear they read zero, as on AMD). */
    public byte[] image() {
        ByteBuffer b = ByteBuffer.wrap(rest.clone()).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(FCW, (short) fcw);
        b.putShort(FSW, (short) fsw);
        b.put(FTW, (byte) ftw);
        b.put(FTW + 1, (byte) 0);
        if ((fsw & 0x80) != 0) {
            // As AMD processors save them: FOP, FIP and FDP only while an unmasked exception is pending (ES).
            b.putShort(FOP, (short) fop);
            b.putLong(FIP, fip);
            b.putLong(FDP, fdp);
        } else {
            b.putShort(FOP, (short) 0);
            b.putLong(FIP, 0);
            b.putLong(FDP, 0);
        }
        for (int i = 0; i < 8; i++) {
            int p = (top() + i) & 7;
            b.putLong(ST + 16 * i, stSig[p]);
            b.putLong(ST + 16 * i + 8, stSe[p] & 0xFFFF);
        }
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
        fsw = b.getShort(FSW) & 0xFFFF;
        ftw = b.get(FTW) & 0xFF;
        fop = b.getShort(FOP) & 0x7FF;
        fip = b.getLong(FIP);
        fdp = b.getLong(FDP);
        for (int i = 0; i < 8; i++) {
            int p = (top() + i) & 7;
            stSig[p] = b.getLong(ST + 16 * i);
            stSe[p] = b.getShort(ST + 16 * i + 8) & 0xFFFF;
        }
        mxcsr = b.getInt(MXCSR);
        for (int i = 0; i < 32; i++) {
            xmm[i] = b.getLong(XMM + 8 * i);
        }
    }
}
