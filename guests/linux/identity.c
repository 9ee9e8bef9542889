/* Identity and limits: ids, uname, sysinfo, rlimits, getrandom, prctl names, affinity, umask; exits with 42. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check.h"

int main(void) {
    printf("pid=%d ppid=%d uid=%d gid=%d\n", getpid(), getppid(), getuid(), getgid());
    expect("euid", geteuid(), 0);
    struct utsname u;
    expect("uname", uname(&u), 0);
    printf("uname %s %s\n", u.sysname, u.machine);
    struct sysinfo si;
    expect("sysinfo", sysinfo(&si), 0);
    expect("sysinfo ram", si.totalram > 0 && si.freeram <= si.totalram, 1);
    struct rlimit rl;
    expect("getrlimit stack", getrlimit(RLIMIT_STACK, &rl), 0);
    expect("stack limit", rl.rlim_cur, 8L << 20);
    rl.rlim_cur = 256;
    expect("setrlimit nofile", setrlimit(RLIMIT_NOFILE, &rl) == 0 || (getrlimit(RLIMIT_NOFILE, &rl), rl.rlim_cur = 256,
            setrlimit(RLIMIT_NOFILE, &rl) == 0), 1);
    errno = 0;
    expect("bad resource", getrlimit(99, &rl) == -1 && errno == EINVAL, 1);
    unsigned char r[64] = {0};
    expect("getrandom", getrandom(r, sizeof r, GRND_NONBLOCK), 64);
    int nonzero = 0;
    for (int i = 0; i < 64; i++) {
        nonzero += r[i] != 0;
    }
    expect("random bytes", nonzero > 32, 1);
    expect("getrandom bad flags", getrandom(r, 1, 0x100) == -1 && errno == EINVAL, 1);
    expect("set name", prctl(PR_SET_NAME, "renamed-process-long"), 0);
    char name[16] = {0};
    expect("get name", prctl(PR_GET_NAME, name), 0);
    printf("name=%s\n", name);
    cpu_set_t set;
    CPU_ZERO(&set);
    expect("affinity", sched_getaffinity(0, sizeof set, &set), 0);
    expect("a cpu", CPU_COUNT(&set) >= 1, 1);
    expect("sched_yield", sched_yield(), 0);
    expect("umask", umask(077), 022);
    expect("umask back", umask(022), 077);
    return report("identity") ? 1 : 42;
}
