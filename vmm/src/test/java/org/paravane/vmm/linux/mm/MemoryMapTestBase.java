package org.paravane.vmm.linux.mm;

import static org.paravane.vmm.linux.mm.Mman.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.paravane.vmm.linux.ErrnoException;

/** A fresh fixed-layout map that records the page-table changes it reports. */
abstract class MemoryMapTestBase {
    final List<MapChange> changes = new ArrayList<>();
    MemoryMap map;

    @BeforeEach
    void createMap() {
        map = new MemoryMap(Layout.fixed(MemoryMapTest.IMAGE_END, Layout.DEFAULT_RLIMIT_STACK), changes::add);
        changes.clear();
    }

    long anon(long length) throws ErrnoException {
        return map.mmap(0, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    }
}
