/* execve: /proc/self/exe (as busybox runs its applets), #! scripts, close-on-exec, vfork+exec, and Linux's errors.
   Run without arguments it checks everything and prints "exec: ok"; the other modes are what it execs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

/* Forks, execs argv[0] with argv and envp in the child, and answers the child's exit status (or 100 + errno). */
static int run(char *const argv[], char *const envp[]) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execve(argv[0], argv, envp);
        _exit(100 + errno);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid) {
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

static void write_file(const char *path, const char *text, int mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0 || write(fd, text, strlen(text)) != (long) strlen(text) || close(fd) != 0) {
        printf("FAIL cannot write %s (errno %d)\n", path, errno);
        failures++;
    }
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        const char *v = getenv("EXEC_TEST");
        return argc == 3 && strcmp(argv[2], "two words") == 0 && v && strcmp(v, "yes") == 0 ? 7 : 1;
    }
    if (argc > 2 && strcmp(argv[1], "script-mode") == 0) {
        return argc == 4 && strcmp(argv[2], "/tmp/script") == 0 && strcmp(argv[3], "x") == 0 ? 11 : 1;
    }
    if (argc > 1 && strcmp(argv[1], "fdcheck") == 0) {
        int closed = fcntl(atoi(argv[2]), F_GETFD) == -1 && errno == EBADF;
        int open_ = fcntl(atoi(argv[3]), F_GETFD) == 0;
        return closed && open_ ? 0 : 1;
    }
    char *env[] = {"EXEC_TEST=yes", NULL};
    char *child[] = {"/proc/self/exe", "child", "two words", NULL};
    expect("fork + exec of /proc/self/exe", run(child, env), 7);

    mkdir("/tmp", 0777);
    write_file("/tmp/script", "#!/proc/self/exe script-mode\necho not for sh\n", 0755);
    char *script[] = {"/tmp/script", "x", NULL};
    expect("a #! script runs its interpreter", run(script, env), 11);
    write_file("/tmp/loop", "#!/tmp/loop\n", 0755);
    char *loop[] = {"/tmp/loop", NULL};
    expect("scripts nested too deep: ELOOP", run(loop, env), 100 + ELOOP);
    write_file("/tmp/plain", "just text\n", 0755);
    char *plain[] = {"/tmp/plain", NULL};
    expect("neither ELF nor script: ENOEXEC", run(plain, env), 100 + ENOEXEC);
    write_file("/tmp/noexec", "#!/proc/self/exe\n", 0644);
    char *noexec[] = {"/tmp/noexec", NULL};
    expect("no execute bit: EACCES", run(noexec, env), 100 + EACCES);
    char *dir[] = {"/tmp", NULL};
    expect("a directory: EACCES", run(dir, env), 100 + EACCES);
    char *missing[] = {"/no/such/file", NULL};
    expect("a missing file: ENOENT", run(missing, env), 100 + ENOENT);

    char **volatile bad = (char **) 8;   /* volatile: the compiler must not see that it points nowhere */
    expect("execve with a bad argv: EFAULT", execve("/proc/self/exe", bad, env) == -1 && errno == EFAULT, 1);
    size_t big = 200 * 1024;
    char *huge = malloc(big + 1);
    memset(huge, 'a', big);
    huge[big] = 0;
    char *toolong[] = {"/proc/self/exe", huge, NULL};
    expect("a 200 KiB argument: E2BIG", execve("/proc/self/exe", toolong, env) == -1 && errno == E2BIG, 1);

    int cloexec = open("/tmp/script", O_RDONLY | O_CLOEXEC);
    int kept = open("/tmp/script", O_RDONLY);
    char a[16], b[16];
    snprintf(a, sizeof a, "%d", cloexec);
    snprintf(b, sizeof b, "%d", kept);
    char *fdcheck[] = {"/proc/self/exe", "fdcheck", a, b, NULL};
    expect("close-on-exec closes, the rest stays", run(fdcheck, env), 0);

    fflush(stdout);
    pid_t pid = vfork();
    if (pid == 0) {
        execve("/proc/self/exe", child, env);
        _exit(99);
    }
    int status;
    expect("vfork + exec: the parent goes on", waitpid(pid, &status, 0), pid);
    expect("and the child ran the new image", WEXITSTATUS(status), 7);
    return report("exec");
}
