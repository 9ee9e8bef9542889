# The four CPU-bound benchmark kernels (K1 xorshift ALU, K2 byte sieve, K3 recursive fib, K4 table CRC32), ported
# from their NASM originals to GNU as (Intel syntax) with the same instruction sequences, so their dynamic
# instruction counts are the same as the originals' and other emulators' figures on them compare. Assemble with
#   as --64 --defsym KERNEL=k --defsym ITERS=n kernels.S && ld -Ttext=0x400000 --oformat binary
# Entry at the start: runs the kernel, stores the checksum (RAX) to the unbacked address RESULT (an MMIO exit on
# every backend), then spins. sieve_buf and crc_table are linker symbols (ld --defsym sieve_buf=0x600000
# --defsym crc_table=0x610000, where the NASM originals placed them), so [rip + sym] is a PC-relative reference like
# NASM's [rel sym].
        .intel_syntax noprefix
        .set RESULT, 0xF0000000
        .text
        .globl _start
_start:
        call kernel_main
        mov [RESULT], rax
1:      jmp 1b

kernel_main:
        xor r15d, r15d
.if KERNEL == 1
        mov rax, 0x9E3779B97F4A7C15
        xor ebx, ebx
        mov rcx, ITERS
.Ll1:
        mov rdx, rax
        shl rdx, 13
        xor rax, rdx
        mov rdx, rax
        shr rdx, 7
        xor rax, rdx
        mov rdx, rax
        shl rdx, 17
        xor rax, rdx
        add rbx, rax
        rol rbx, 5
        dec rcx
        jnz .Ll1
        lea rax, [rax + rbx]
.elseif KERNEL == 2
        xor ebx, ebx
        mov r8, ITERS
.Louter:
        lea rdi, [rip + sieve_buf]
        mov ecx, 65536 / 8
        mov rax, 0x0101010101010101
.Lfill:
        mov [rdi], rax
        add rdi, 8
        dec ecx
        jnz .Lfill
        mov esi, 2
.Li_loop:
        mov rdx, rsi
        imul rdx, rsi
        cmp rdx, 65536
        jae .Lcount
        lea r9, [rip + sieve_buf]
        cmp byte ptr [r9 + rsi], 0
        je .Lnext_i
.Lj_loop:
        mov byte ptr [r9 + rdx], 0
        add rdx, rsi
        cmp rdx, 65536
        jb .Lj_loop
.Lnext_i:
        inc rsi
        jmp .Li_loop
.Lcount:
        lea r9, [rip + sieve_buf]
        mov esi, 2
.Lc_loop:
        movzx eax, byte ptr [r9 + rsi]
        add rbx, rax
        inc rsi
        cmp rsi, 65536
        jb .Lc_loop
        dec r8
        jnz .Louter
        mov rax, rbx
.elseif KERNEL == 3
        xor ebx, ebx
        mov r8, ITERS
.Lf_outer:
        mov edi, 27
        call fib
        add rbx, rax
        dec r8
        jnz .Lf_outer
        mov rax, rbx
        jmp .Lkmain_done
fib:
        cmp rdi, 2
        jb .Lf_base
        push rdi
        dec rdi
        call fib
        pop rdi
        push rax
        sub rdi, 2
        call fib
        pop rdx
        add rax, rdx
        ret
.Lf_base:
        mov rax, rdi
        ret
.elseif KERNEL == 4
        lea r9, [rip + crc_table]
        xor ecx, ecx
.Lt_loop:
        mov eax, ecx
        mov edx, 8
.Lt_bit:
        shr eax, 1
        jnc .Lt_nox
        xor eax, 0xEDB88320
.Lt_nox:
        dec edx
        jnz .Lt_bit
        mov [r9 + rcx*4], eax
        inc ecx
        cmp ecx, 256
        jb .Lt_loop
        lea rdi, [rip + sieve_buf]
        xor ecx, ecx
.Lb_fill:
        mov eax, ecx
        imul eax, eax, 0x45d9f3b
        shr eax, 11
        mov [rdi + rcx], al
        inc ecx
        cmp ecx, 65536
        jb .Lb_fill
        mov eax, 0xFFFFFFFF
        mov r8, ITERS
.Lc_outer:
        lea rsi, [rip + sieve_buf]
        lea rdi, [rsi + 65536]
.Lc_inner:
        movzx edx, byte ptr [rsi]
        xor edx, eax
        movzx edx, dl
        shr eax, 8
        xor eax, [r9 + rdx*4]
        inc rsi
        cmp rsi, rdi
        jb .Lc_inner
        dec r8
        jnz .Lc_outer
        not eax
.endif
.Lkmain_done:
        ret
