/* argv, envp and the auxiliary vector as the loader built them; prints what it checked, "args: ok" at the end. */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "check.h"

extern char **environ;

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) {
        printf("argv[%d]=%s\n", i, argv[i]);
    }
    expect("argv is NULL-terminated", argv[argc] == NULL, 1);
    for (char **e = environ; *e; e++) {
        printf("env %s\n", *e);
    }
    const char *home = getenv("HOME");
    printf("HOME=%s\n", home ? home : "(unset)");
    expect("AT_PAGESZ", getauxval(AT_PAGESZ) == 4096, 1);
    expect("AT_CLKTCK", getauxval(AT_CLKTCK) == 100, 1);
    expect("AT_SECURE", getauxval(AT_SECURE) == 0, 1);
    expect("AT_BASE", getauxval(AT_BASE) == 0, 1);
    expect("AT_UID..", getauxval(AT_UID) == 0 && getauxval(AT_EUID) == 0 && getauxval(AT_GID) == 0 && getauxval(AT_EGID) == 0, 1);
    expect("no vDSO", getauxval(AT_SYSINFO_EHDR) == 0, 1);
    expect("AT_PHENT", getauxval(AT_PHENT) == sizeof(Elf64_Phdr), 1);
    const Elf64_Phdr *ph = (const Elf64_Phdr *) getauxval(AT_PHDR);
    size_t phnum = getauxval(AT_PHNUM);
    int loads = 0;
    for (size_t i = 0; ph && i < phnum; i++) {
        loads += ph[i].p_type == PT_LOAD;
    }
    expect("AT_PHDR points at program headers with PT_LOAD", ph != NULL && loads > 0, 1);
    const unsigned char *random = (const unsigned char *) getauxval(AT_RANDOM);
    int nonzero = 0;
    for (int i = 0; random && i < 16; i++) {
        nonzero |= random[i];
    }
    expect("AT_RANDOM has 16 bytes", random != NULL && nonzero, 1);
    const char *platform = (const char *) getauxval(AT_PLATFORM);
    expect("AT_PLATFORM", platform && strcmp(platform, "x86_64") == 0, 1);
    const char *execfn = (const char *) getauxval(AT_EXECFN);
    printf("execfn=%s\n", execfn ? execfn : "(none)");
    expect("AT_ENTRY", getauxval(AT_ENTRY) != 0, 1);
    printf("hwcap=%#lx\n", getauxval(AT_HWCAP));
    expect("stack 16-byte aligned", ((uintptr_t) __builtin_frame_address(0) & 15) == 0, 1);
    return report("args");
}
