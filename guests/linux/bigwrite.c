/* Writes argv[1] MiB (default 1024) to stdout in 1 MiB writes; the kernel must not hold it. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long mib = argc > 1 ? atol(argv[1]) : 1024;
    static char buf[1 << 20];
    memset(buf, 'x', sizeof buf);
    for (long i = 0; i < mib; i++) {
        for (size_t done = 0; done < sizeof buf;) {
            ssize_t n = write(1, buf + done, sizeof buf - done);
            if (n <= 0) {
                return 1;
            }
            done += n;
        }
    }
    return 0;
}
