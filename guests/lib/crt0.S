/* Task entry: RDI holds the argument the kernel gave; main's return value is the exit code. */
    .text
    .globl _start
    .type _start, @function
_start:
    xor %ebp, %ebp
    and $-16, %rsp
    call main
    mov %eax, %edi
    call pv_exit
    ud2
    .size _start, . - _start
    .section .note.GNU-stack, "", @progbits
