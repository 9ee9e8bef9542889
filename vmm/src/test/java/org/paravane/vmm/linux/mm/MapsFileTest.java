package org.paravane.vmm.linux.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.paravane.vmm.linux.mm.MemoryMapTest.PAGE;
import static org.paravane.vmm.linux.mm.Mman.*;

import org.junit.jupiter.api.Test;

class MapsFileTest extends MemoryMapTestBase {

    @Test
    void linesHaveLinuxsColumnsAndPadding() throws Exception {
        map.mmap(0x400000, 2 * PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, MemoryMapTest.READ_ONLY_FILE, 0);
        map.brk(map.brk() + PAGE);
        long anon = map.mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        String maps = MapsFile.render(map.vmas());
        String stackStart = Long.toHexString(Layout.TASK_SIZE - Layout.DEFAULT_RLIMIT_STACK);
        assertThat(maps).isEqualTo(
                named("00400000-00402000 r-xp 00000000 08:03 1234 ", "/bin/prog")
                + named("00452000-00453000 rw-p 00000000 00:00 0 ", "[heap]")
                + Long.toHexString(anon) + "-" + Long.toHexString(anon + PAGE) + " rw-s 00000000 00:00 0 \n"
                + named(stackStart + "-7ffffffff000 rw-p 00000000 00:00 0 ", "[stack]"));
    }

    /** A named line as Linux prints it: the name starts at the 74th column. */
    private static String named(String header, String name) {
        return header + " ".repeat(73 - header.length()) + name + "\n";
    }

    @Test
    void theNameStartsInColumn74() throws Exception {
        map.mmap(0x400000, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, MemoryMapTest.READ_ONLY_FILE, 0);
        String line = MapsFile.render(map.vmas()).lines().findFirst().orElseThrow();
        assertThat(line.indexOf("/bin/prog")).isEqualTo(73);
    }

    @Test
    void fileOffsetsAndLargeDeviceNumbersRenderInHex() throws Exception {
        // Linux's new_encode_dev: minor bits 0..7, major bits 8..19, the rest of the minor from bit 20
        MappedFile big = new MemoryMapTest.TestFile("/f", 0x34 | (0x103L << 8) | (0x12L << 20), 7);
        map.mmap(0x400000, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, new Backing.File(big, true, false), 0x123000);
        String line = MapsFile.render(map.vmas()).lines().findFirst().orElseThrow();
        assertThat(line).startsWith("00400000-00401000 r--p 00123000 103:1234 7 ");
    }
}
