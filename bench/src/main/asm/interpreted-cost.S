# The kernels of InterpretedCostBenchmark: one loop of seven integer instructions (K1's xorshift without its rotate:
# translated, flags dead) plus OPS floating-point instructions per pass, MIX 0 none, 1 SSE (ADDSD/MULSD pairs between
# registers), 2 x87 (FADD/FMUL pairs on the register stack), 3 SSE moves (MOVQ to XMM and back: next to no work of
# their own, so what is left is the cost of the way they run). Assemble with
#   as --64 --defsym MIX=m --defsym OPS=n --defsym ITERS=i interpreted-cost.S && ld -Ttext=0x400000 --oformat binary
# Entry at the start; the checksum (RAX: the xorshift state, its sum, and for MIX 1 and 2 the floating-point
# accumulator, ITERS * OPS/2)
# goes to the unbacked address RESULT (an MMIO exit), as in kernels.S.
        .intel_syntax noprefix
        .set RESULT, 0xF0000000
        .text
        .globl _start
_start:
        call kernel_main
        mov [RESULT], rax
1:      jmp 1b

kernel_main:
        mov rax, 0x9E3779B97F4A7C15
        xor ebx, ebx
        mov rcx, ITERS
.if MIX == 1
        movsd xmm1, [rip + one]
        movsd xmm3, [rip + one]
        pxor xmm0, xmm0
        pxor xmm2, xmm2
.elseif MIX == 2
        fninit
        fld1
        fld1
        fldz
.endif
.Lloop:
        mov rdx, rax
        shl rdx, 13
        xor rax, rdx
        mov rdx, rax
        shr rdx, 7
        xor rax, rdx
        add rbx, rax
.if MIX == 1
        .rept OPS / 2
        addsd xmm0, xmm1
        mulsd xmm2, xmm3
        .endr
.elseif MIX == 2
        .rept OPS / 2
        fadd st, st(1)
        fmul st, st(2)
        .endr
.elseif MIX == 3
        .rept OPS / 2
        movq xmm4, rax
        movq rdx, xmm4
        .endr
.endif
        dec rcx
        jnz .Lloop
.if MIX == 1
        cvttsd2si rdx, xmm0
        add rax, rdx
.elseif MIX == 2
        fistp qword ptr [rsp - 8]
        add rax, [rsp - 8]
.endif
        add rax, rbx
        ret
        .align 8
one:    .double 1.0
