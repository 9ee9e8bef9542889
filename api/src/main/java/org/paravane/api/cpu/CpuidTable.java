package org.paravane.api.cpu;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds a model's leaves: registers by leaf, feature bits by name, vendor and brand strings. */
final class CpuidTable {
    private final Map<Long, int[]> registers = new TreeMap<>((a, b) -> Long.compareUnsigned(a, b));
    private final Map<Long, Boolean> indexed = new TreeMap<>((a, b) -> Long.compareUnsigned(a, b));

    /** Sets the four registers of leaf {@code function} (any ECX). */
    CpuidTable leaf(int function, int eax, int ebx, int ecx, int edx) {
        return put(function, 0, false, eax, ebx, ecx, edx);
    }

    /** Sets the four registers of subleaf {@code index} of leaf {@code function}. */
    CpuidTable subleaf(int function, int index, int eax, int ebx, int ecx, int edx) {
        return put(function, index, true, eax, ebx, ecx, edx);
    }

    /** Sets {@code feature}'s bit; its leaf must be there already. */
    CpuidTable feature(CpuFeature feature) {
        int[] r = registers.get(key(feature.function(), feature.index()));
        if (r == null) {
            throw new IllegalStateException("feature " + feature + " needs leaf 0x" + Integer.toHexString(feature.function())
                    + " index " + feature.index() + " in the table first");
        }
        r[feature.register().ordinal()] |= feature.mask();
        return this;
    }

    /** Leaf {@code function} with EAX = {@code max} and the 12-character vendor in EBX, EDX, ECX. */
    CpuidTable vendor(int function, int max, String vendor) {
        byte[] b = ascii(vendor, 12);
        return leaf(function, max, word(b, 0), word(b, 8), word(b, 4));
    }

    /** Leaf {@code function} with EAX = {@code max} and a hypervisor's signature in EBX, ECX, EDX. */
    CpuidTable hypervisor(int function, int max, String signature) {
        byte[] b = ascii(signature, 12);
        return leaf(function, max, word(b, 0), word(b, 4), word(b, 8));
    }

    /** Leaves 0x80000002..4: the brand string, NUL-padded to 48 bytes. */
    CpuidTable brand(String brand) {
        byte[] b = ascii(brand, 48);
        for (int part = 0; part < 3; part++) {
            int at = part * 16;
            leaf(0x8000_0002 + part, word(b, at), word(b, at + 4), word(b, at + 8), word(b, at + 12));
        }
        return this;
    }

    CpuModel build(String name, long supportedXcr0) {
        List<CpuidLeaf> leaves = new ArrayList<>(registers.size());
        registers.forEach((k, r) -> leaves.add(new CpuidLeaf((int) (k >>> 32), (int) (long) k,
                indexed.get(k), r[0], r[1], r[2], r[3])));
        return new CpuModel(name, leaves, supportedXcr0);
    }

    private CpuidTable put(int function, int index, boolean isIndexed, int eax, int ebx, int ecx, int edx) {
        long k = key(function, index);
        registers.put(k, new int[] {eax, ebx, ecx, edx});
        indexed.put(k, isIndexed);
        return this;
    }

    private static long key(int function, int index) {
        return ((long) function << 32) | (index & 0xFFFF_FFFFL);
    }

    private static byte[] ascii(String s, int length) {
        byte[] text = s.getBytes(StandardCharsets.US_ASCII);
        if (text.length > length) {
            throw new IllegalArgumentException("'" + s + "' is longer than " + length + " characters");
        }
        byte[] b = new byte[length];
        System.arraycopy(text, 0, b, 0, text.length);
        return b;
    }

    private static int word(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }
}
