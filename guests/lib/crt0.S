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

/* The Paravane image note (name "Paravane", type PV_NOTE_IMAGE, no flags): it marks the file as a Paravane image, so
   the launcher runs it with the Paravane ABI; a static ELF without it runs as a Linux process. */
    .section .note.paravane, "a", @note
    .balign 4
    .long 9, 4, 1
    .asciz "Paravane"
    .balign 4
    .long 0

    .section .note.GNU-stack, "", @progbits
