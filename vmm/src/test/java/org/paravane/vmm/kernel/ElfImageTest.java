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
                .isInstanceOf(InvalidImageException.class).hasMessage("cut.elf: segment 0 lies outside the file");
        assertThatThrownBy(() -> ElfImage.parse("cut.elf", Arrays.copyOf(elf, 100))).hasMessage("cut.elf: program headers lie outside the file");
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
}
