/* The first Linux guest: glibc's (or musl's) whole static start-up, then stdio. */
#include <stdio.h>

int main(void) {
    printf("hello, world\n");
    return 0;
}
