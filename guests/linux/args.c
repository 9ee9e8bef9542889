/* argv, envp and the auxiliary vector as the loader built them; prints what it checked, "args: ok" at the end. */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

extern char **environ;

static int failures;

static void check(int ok, const char *what) {
    if (!ok) {
        printf("FAIL %s\n", what);
        failures++;
    }
}

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) {
        printf("argv[%d]=%s\n", i, argv[i]);
    }
    check(argv[argc] == NULL, "argv is NULL-terminated");
    for (char **e = environ; *e; e++) {
        printf("env %s\n", *e);
    }
    const char *home = getenv("HOME");
    printf("HOME=%s\n", home ? home : "(unset)");
    check(getauxval(AT_PAGESZ) == 4096, "AT_PAGESZ");
    check(getauxval(AT_CLKTCK) == 100, "AT_CLKTCK");
    check(getauxval(AT_SECURE) == 0, "AT_SECURE");
    check(getauxval(AT_BASE) == 0, "AT_BASE");
    check(getauxval(AT_UID) == 0 && getauxval(AT_EUID) == 0 && getauxval(AT_GID) == 0 && getauxval(AT_EGID) == 0, "AT_UID..");
    check(getauxval(AT_SYSINFO_EHDR) == 0, "no vDSO");
    check(getauxval(AT_PHENT) == sizeof(Elf64_Phdr), "AT_PHENT");
    const Elf64_Phdr *ph = (const Elf64_Phdr *) getauxval(AT_PHDR);
    size_t phnum = getauxval(AT_PHNUM);
    int loads = 0;
    for (size_t i = 0; ph && i < phnum; i++) {
        loads += ph[i].p_type == PT_LOAD;
    }
    check(ph != NULL && loads > 0, "AT_PHDR points at program headers with PT_LOAD");
    const unsigned char *random = (const unsigned char *) getauxval(AT_RANDOM);
    int nonzero = 0;
    for (int i = 0; random && i < 16; i++) {
        nonzero |= random[i];
    }
    check(random != NULL && nonzero, "AT_RANDOM has 16 bytes");
    const char *platform = (const char *) getauxval(AT_PLATFORM);
    check(platform && strcmp(platform, "x86_64") == 0, "AT_PLATFORM");
    const char *execfn = (const char *) getauxval(AT_EXECFN);
    printf("execfn=%s\n", execfn ? execfn : "(none)");
    check(getauxval(AT_ENTRY) != 0, "AT_ENTRY");
    printf("hwcap=%#lx\n", getauxval(AT_HWCAP));
    check(((uintptr_t) __builtin_frame_address(0) & 15) == 0, "stack 16-byte aligned");
    printf(failures ? "args: %d failures\n" : "args: ok\n", failures);
    return failures;
}
