package org.paravane.vmm.kernel.abi.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.paravane.vmm.kernel.InvalidImageException;

class LinuxElfTest {
    static byte[] program(String name) throws Exception {
        try (InputStream in = LinuxElfTest.class.getResourceAsStream("/guests/linux/" + name)) {
            if (in == null) {
                throw new IllegalStateException("guests/linux/" + name + " is not on the test class path");
            }
            return in.readAllBytes();
        }
    }

    @Test
    void aStaticExecutableIsLinkedWhereItRuns() throws Exception {
        LinuxElf elf = LinuxElf.parse("hello", program("hello"));
        assertThat(elf.pie()).isFalse();
        assertThat(elf.segments()).isNotEmpty().allSatisfy(s -> assertThat(s.virtualAddress()).isGreaterThanOrEqualTo(0x400000));
        assertThat(elf.phdrAddress()).as("the headers are mapped, for AT_PHDR").isNotZero();
        assertThat(elf.phentsize()).isEqualTo(56);
        assertThat(elf.entry()).isBetween(elf.segments().getFirst().virtualAddress(), elf.end());
    }

    @Test
    void aStaticPieIsPositionIndependent() throws Exception {
        LinuxElf elf = LinuxElf.parse("hello-pie", program("hello-pie"));
        assertThat(elf.pie()).isTrue();
        assertThat(elf.segments().getFirst().virtualAddress()).isZero();
    }

    @Test
    void badFilesAreRefusedSayingWhy() throws Exception {
        byte[] hello = program("hello");
        assertThatThrownBy(() -> LinuxElf.parse("dyn", program("hello-dynamic")))
                .isInstanceOf(InvalidImageException.class)
                .hasMessage("dyn: dynamic executables need an interpreter: not supported yet (link with -static)");
        byte[] elf32 = hello.clone();
        elf32[4] = 1;
        assertThatThrownBy(() -> LinuxElf.parse("x", elf32)).hasMessageContaining("32-bit ELF executable");
        assertThatThrownBy(() -> LinuxElf.parse("x", new byte[10])).hasMessageContaining("shorter than an ELF header");
        assertThatThrownBy(() -> LinuxElf.parse("x", Arrays.copyOf(hello, 100))).hasMessageContaining("outside the file");
        byte[] relocatable = hello.clone();
        relocatable[16] = 1;
        assertThatThrownBy(() -> LinuxElf.parse("x", relocatable)).hasMessageContaining("not an executable (ELF type 1)");
        byte[] wildEntry = hello.clone();
        ByteBuffer.wrap(wildEntry).order(ByteOrder.LITTLE_ENDIAN).putLong(24, 0x10);
        assertThatThrownBy(() -> LinuxElf.parse("x", wildEntry)).hasMessageContaining("entry point 0x10");
    }

    @Test
    void aSegmentBeyondUserSpaceIsRefused() throws Exception {
        byte[] hello = program("hello");
        ByteBuffer b = ByteBuffer.wrap(hello).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(32);
        int phnum = Short.toUnsignedInt(b.getShort(56));
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + 56L * i);
            if (b.getInt(at) == 1) {
                b.putLong(at + 16, 0x7fff_ffff_f000L);   // p_vaddr at the top of user space
                b.putLong(at + 8, 0);
                break;
            }
        }
        assertThatThrownBy(() -> LinuxElf.parse("x", hello)).hasMessageContaining("outside user space");
    }
}
