package org.paravane.kvm;

import java.io.ByteArrayOutputStream;

/** Hand-encoded x86-64 instructions for the tests' flat guests (no assembler needed at test time). */
public final class Asm {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public Asm raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    private Asm imm32(long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    private Asm imm64(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    public int size() {
        return out.size();
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    /** mov al, imm8 */
    public Asm movAl(int v) {
        return raw(0xB0, v & 0xFF);
    }

    /** mov eax, imm32 (zero-extends into rax) */
    public Asm movEax(long v) {
        raw(0xB8);
        return imm32(v);
    }

    /** mov r64, imm64 for register number 0..7 (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi) */
    public Asm movImm64(int reg, long v) {
        raw(0x48, 0xB8 + reg);
        return imm64(v);
    }

    /** out imm8, al */
    public Asm outAl(int port) {
        return raw(0xE6, port);
    }

    /** in al, imm8 */
    public Asm inAl(int port) {
        return raw(0xE4, port);
    }

    /** mov dword [abs32], eax */
    public Asm storeEax(long address) {
        raw(0x89, 0x04, 0x25);
        return imm32(address);
    }

    /** mov qword [abs32], rax */
    public Asm storeRax(long address) {
        raw(0x48, 0x89, 0x04, 0x25);
        return imm32(address);
    }

    /** mov qword [abs32], rbx */
    public Asm storeRbx(long address) {
        raw(0x48, 0x89, 0x1C, 0x25);
        return imm32(address);
    }

    /** mov qword [rdi], rbx */
    public Asm storeRbxAtRdi() {
        return raw(0x48, 0x89, 0x1F);
    }

    /** mov eax, dword [abs32] */
    public Asm loadEax(long address) {
        raw(0x8B, 0x04, 0x25);
        return imm32(address);
    }

    /** mov rax, qword [abs32] */
    public Asm loadRax(long address) {
        raw(0x48, 0x8B, 0x04, 0x25);
        return imm32(address);
    }

    /** add rbx, qword [rsi] */
    public Asm addRbxFromRsi() {
        return raw(0x48, 0x03, 0x1E);
    }

    /** add rsi, imm32 */
    public Asm addRsi(long v) {
        raw(0x48, 0x81, 0xC6);
        return imm32(v);
    }

    /** dec rcx */
    public Asm decRcx() {
        return raw(0x48, 0xFF, 0xC9);
    }

    /** inc rbx */
    public Asm incRbx() {
        return raw(0x48, 0xFF, 0xC3);
    }

    /** jnz back to {@code target} (an offset in this code) */
    public Asm jnz(int target) {
        int rel = target - (size() + 2);
        if (rel < -128) {
            throw new IllegalArgumentException("jnz too far: " + rel);
        }
        return raw(0x75, rel & 0xFF);
    }

    /** jmp back to {@code target} */
    public Asm jmp(int target) {
        int rel = target - (size() + 2);
        return raw(0xEB, rel & 0xFF);
    }

    /** jmp . */
    public Asm spin() {
        return raw(0xEB, 0xFE);
    }

    public Asm hlt() {
        return raw(0xF4);
    }

    public Asm cli() {
        return raw(0xFA);
    }

    public Asm sti() {
        return raw(0xFB);
    }

    public Asm syscall() {
        return raw(0x0F, 0x05);
    }

    public Asm ud2() {
        return raw(0x0F, 0x0B);
    }

    public Asm nop() {
        return raw(0x90);
    }
}
