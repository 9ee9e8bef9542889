/* Ends in the fault argv[1] names, as Linux would kill it: segv, write-ro, guard, div0, ud2, int3, gp. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv) {
    const char *what = argc > 1 ? argv[1] : "segv";
    printf("fault: %s\n", what);
    fflush(stdout);
    volatile int zero = 0;
    if (strcmp(what, "segv") == 0) {
        *(volatile int *) 0x1234 = 1;
    } else if (strcmp(what, "write-ro") == 0) {
        char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        p[0] = 1;
    } else if (strcmp(what, "guard") == 0) {
        char *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p[0];
    } else if (strcmp(what, "div0") == 0) {
        return 10 / zero;
    } else if (strcmp(what, "ud2") == 0) {
        __asm__ volatile("ud2");
    } else if (strcmp(what, "int3") == 0) {
        __asm__ volatile("int3");
    } else if (strcmp(what, "gp") == 0) {
        __asm__ volatile("hlt");
    } else if (strcmp(what, "abort") == 0) {
        __builtin_trap();
    }
    printf("survived\n");
    return 0;
}
