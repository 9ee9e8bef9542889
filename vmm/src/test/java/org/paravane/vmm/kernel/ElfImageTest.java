package org.paravane.vmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ElfImageTest {

    static byte[] guest(String name) throws Exception {
        try (InputStream in = ElfImageTest.class.getResourceAsStream("/guests/" + name + ".elf")) {
            assertThat(in).as("guest image %s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void guestImagesLoadWithTheirEntryAndSegments() throws Exception {
        ElfImage hello = ElfImage.parse("hello.elf", guest("hello"));
        assertThat(hello.entry()).isEqualTo(0x400000);
        assertThat(hello.kernelTask()).isFalse();
        assertThat(hello.segments()).anySatisfy(s -> {
            assertThat(s.executable()).isTrue();
            assertThat(s.writable()).isFalse();
            assertThat(s.virtualAddress()).isEqualTo(0x400000);
        });
        ElfImage worker = ElfImage.parse("worker.elf", guest("worker"));
        assertThat(worker.segments()).hasSizeGreaterThanOrEqualTo(1);
    }

    /** {@code elf} with its Paravane notes renamed: what a static Linux program looks like to the launcher. */
    static byte[] withoutParavaneNote(byte[] elf) {
        byte[] copy = elf.clone();
        byte[] name = "Paravane\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i + name.length <= copy.length; i++) {
            if (Arrays.equals(copy, i, i + name.length, name, 0, name.length)) {
                copy[i] = 'X';
            }
        }
        return copy;
    }

    @Test
    void everyParavaneImageCarriesTheNoteAndOtherElfFilesDoNot() throws Exception {
        for (String image : new String[] {"hello", "worker", "kscan", "faults"}) {
            assertThat(ElfImage.hasParavaneNote(guest(image))).as(image).isTrue();
            assertThat(ElfImage.hasParavaneNote(withoutParavaneNote(guest(image)))).as(image).isFalse();
        }
        assertThat(ElfImage.hasParavaneNote(new byte[10])).isFalse();
        byte[] truncated = Arrays.copyOf(guest("hello"), 200);
        assertThat(ElfImage.hasParavaneNote(truncated)).isFalse();
    }

    @Test
    void kernelTaskNoteIsRecognized() throws Exception {
        assertThat(ElfImage.parse("kscan.elf", guest("kscan")).kernelTask()).isTrue();
        assertThat(ElfImage.parse("scanner.elf", guest("scanner")).kernelTask()).isFalse();
    }

    @Test
    void notAnElfFileIsRejectedWithItsName() {
        assertThatThrownBy(() -> ElfImage.parse("notes.txt", "just some text, definitely not an ELF image at all...................".getBytes()))
                .isInstanceOf(InvalidImageException.class).hasMessage("notes.txt: not an ELF file (bad magic)");
        assertThatThrownBy(() -> ElfImage.parse("tiny", new byte[10])).hasMessageContaining("shorter than an ELF header");
    }

    @Test
    void wrongClassMachineOrTypeIsRejected() throws Exception {
        byte[] elf = guest("hello");
        byte[] b32 = elf.clone();
        b32[4] = 1;
        assertThatThrownBy(() -> ElfImage.parse("x", b32)).hasMessageContaining("not a 64-bit ELF");
        byte[] arm = elf.clone();
        ByteBuffer.wrap(arm).order(ByteOrder.LITTLE_ENDIAN).putShort(18, (short) 183);
        assertThatThrownBy(() -> ElfImage.parse("x", arm)).hasMessageContaining("not an x86-64 image (machine 183)");
        byte[] pie = elf.clone();
        ByteBuffer.wrap(pie).order(ByteOrder.LITTLE_ENDIAN).putShort(16, (short) 3);
        assertThatThrownBy(() -> ElfImage.parse("x", pie)).hasMessageContaining("link with -no-pie");
    }

    @Test
    void truncatedFileIsRejected() throws Exception {
        byte[] elf = guest("hello");
        assertThatThrownBy(() -> ElfImage.parse("cut.elf", Arrays.copyOf(elf, 300)))
                .isInstanceOf(InvalidImageException.class).hasMessage("cut.elf: segment 0 lies outside the file (corrupt ELF)");
        assertThatThrownBy(() -> ElfImage.parse("cut.elf", Arrays.copyOf(elf, 100))).hasMessage("cut.elf: program headers lie outside the file (corrupt ELF)");
    }

    @Test
    void entryOutsideCodeIsRejected() throws Exception {
        byte[] elf = guest("hello");
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putLong(24, 0x12345678L);
        assertThatThrownBy(() -> ElfImage.parse("x", elf)).hasMessageContaining("entry point 0x12345678 is not in an executable segment");
    }

    @Test
    void segmentsOutsideTheImageAreaAreRejected() throws Exception {
        byte[] elf = guest("hello");
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(32);
        b.putLong((int) phoff + 16, 0x1000);   // first PT_LOAD into the kernel area
        assertThatThrownBy(() -> ElfImage.parse("x", elf)).hasMessageContaining("outside the image area");
    }

    /** The first PT_LOAD of hello moved by {@code shift} bytes of address, its file offset kept (as the 0x400800/0x1000). */
    private static byte[] helloWithFirstSegmentAddress(long vaddr, long offset, long align) throws Exception {
        byte[] elf = guest("hello");
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        int ph = (int) b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        while (b.getInt(ph) != 1) {
            ph += phentsize;
        }
        b.putLong(ph + 8, offset).putLong(ph + 16, vaddr).putLong(ph + 24, vaddr).putLong(ph + 48, align);
        b.putLong(24, vaddr);   // keep the entry inside the segment
        return elf;
    }

    @Test
    void aSegmentWhoseAddressAndOffsetDisagreeModuloThePageIsRejected() throws Exception {
        byte[] skewed = helloWithFirstSegmentAddress(0x400800, 0x1000, 0x1000);
        assertThatThrownBy(() -> ElfImage.parse("skew.elf", skewed)).isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("skew.elf: segment 0 at 0x400800 has file offset 0x1000: they must agree modulo the page size 4096");
    }

    @Test
    void aSegmentWhoseAddressAndOffsetDisagreeModuloItsAlignmentIsRejected() throws Exception {
        byte[] misaligned = helloWithFirstSegmentAddress(0x501000, 0x1000, 0x200000);
        assertThatThrownBy(() -> ElfImage.parse("align.elf", misaligned)).isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("segment 0 at 0x501000 has file offset 0x1000: they must agree modulo its alignment 0x200000");
        byte[] oddAlignment = helloWithFirstSegmentAddress(0x401000, 0x1000, 0x3000);
        assertThatThrownBy(() -> ElfImage.parse("odd.elf", oddAlignment))
                .hasMessageContaining("segment 0 has alignment 0x3000, which is not a power of two");
        byte[] congruent = helloWithFirstSegmentAddress(0x401000, 0x1000, 0x1000);
        assertThat(ElfImage.parse("ok.elf", congruent).segments().getFirst().virtualAddress()).isEqualTo(0x401000);
    }
}
