/* The same test program built for the host: prints what test_main() returns, the expected guest result. */
#include <stdio.h>
unsigned long long test_main(void);
int main(void) {
    printf("%llx\n", test_main());
    return 0;
}
