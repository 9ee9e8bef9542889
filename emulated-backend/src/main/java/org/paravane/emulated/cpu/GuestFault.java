package org.paravane.emulated.cpu;

/** An architectural exception raised by the instruction being executed; delivered through the guest's IDT. */
public final class GuestFault extends CpuSignal {
    private static final long serialVersionUID = 1L;

    /** Exception vector, 0..31. */
    int vector;
    /** Error code pushed with it, or -1 when the vector has none. */
    int errorCode;
    /** For #PF: the linear address (CR2). */
    long address;
    /** A #GP(0) raised by a non-canonical address, which becomes #SS(0) when the stack segment was referenced. */
    boolean nonCanonical;

    public GuestFault set(int vector, int errorCode, long address) {
        this.vector = vector;
        this.errorCode = errorCode;
        this.address = address;
        this.nonCanonical = false;
        return this;
    }

    /** Sets the #PF address. */
    public GuestFault withAddress(long linear) {
        this.address = linear;
        return this;
    }

    /** Marks a #GP(0) as caused by a non-canonical address. */
    public GuestFault nonCanonical() {
        this.nonCanonical = true;
        return this;
    }

    public boolean isNonCanonical() {
        return nonCanonical;
    }

    public int vector() {
        return vector;
    }

    public int errorCode() {
        return errorCode;
    }

    public long address() {
        return address;
    }

    @Override
    public String getMessage() {
        return Vectors.name(vector) + (errorCode >= 0 ? "(0x" + Integer.toHexString(errorCode) + ")" : "")
                + (vector == Vectors.PF ? " at 0x" + Long.toHexString(address) : "");
    }
}
