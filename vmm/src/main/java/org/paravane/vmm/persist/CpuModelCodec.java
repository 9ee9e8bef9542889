package org.paravane.vmm.persist;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.paravane.api.cpu.CpuModel;
import org.paravane.api.cpu.CpuidLeaf;

/**
 * A CPU model in a snapshot's metadata: u16 length + name | u64 supported XCR0 | u32 leaves | per leaf: u32 function,
 * u32 index, u8 indexed, u32 EAX, EBX, ECX, EDX.
 */
final class CpuModelCodec {
    private CpuModelCodec() {
    }

    private static final int LEAF_BYTES = 25;

    static int size(CpuModel model) {
        return 2 + model.name().getBytes(StandardCharsets.UTF_8).length + 8 + 4 + LEAF_BYTES * model.leaves().size();
    }

    static void put(ByteBuffer b, CpuModel model) {
        Snapshot.putString(b, model.name().getBytes(StandardCharsets.UTF_8));
        b.putLong(model.supportedXcr0()).putInt(model.leaves().size());
        for (CpuidLeaf l : model.leaves()) {
            b.putInt(l.function()).putInt(l.index()).put((byte) (l.indexed() ? 1 : 0))
                    .putInt(l.eax()).putInt(l.ebx()).putInt(l.ecx()).putInt(l.edx());
        }
    }

    /** Reads a model; inconsistent bytes throw IllegalArgumentException or a buffer exception, which the reader reports. */
    static CpuModel get(ByteBuffer b) {
        String name = Snapshot.getString(b);
        long xcr0 = b.getLong();
        int count = b.getInt();
        if (count < 0 || (long) count * LEAF_BYTES > b.remaining()) {
            throw new IllegalArgumentException("CPU model " + name + " claims " + count + " leaves");
        }
        List<CpuidLeaf> leaves = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int function = b.getInt(), index = b.getInt();
            boolean indexed = b.get() != 0;
            leaves.add(new CpuidLeaf(function, index, indexed, b.getInt(), b.getInt(), b.getInt(), b.getInt()));
        }
        return new CpuModel(name, leaves, xcr0);
    }
}
