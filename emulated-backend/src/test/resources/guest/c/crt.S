# Entry of the freestanding C test programs: a stack, test_main(), its result stored to the unbacked address
# 0xF0000000 (an MMIO exit on every backend), then a spin.
        .text
        .globl _start
_start:
        movabs $0x7ff000, %rsp
        call test_main
        movabs %rax, 0xF0000000
1:      jmp 1b
