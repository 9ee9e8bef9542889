/* What a shell's job control needs from the kernel, one part per argument; each prints what it saw, compared with a
 * native run (ctrl-c excepted: it waits for a Ctrl-C from outside):
 * stop: a child's stop and continue reported by wait4 (WUNTRACED, WCONTINUED) and by SIGCHLD (CLD_STOPPED,
 * CLD_CONTINUED); waitid: the same through waitid (WSTOPPED, WCONTINUED, WNOWAIT, WNOHANG); nocldstop: SA_NOCLDSTOP
 * keeps the stop's and continue's SIGCHLD away; masks: ppoll, pselect6 and epoll_pwait install their signal mask for
 * the wait and put the old one back; partial: a blocking pipe write a signal interrupts returns what it wrote;
 * ctrl-c: Ctrl-C reaches the console's foreground process group (the parent's) and not a background one. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static void handle(int sig, void (*fn)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

static sigset_t only(int sig) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    return s;
}

/* A child that stops itself with stop_sig, then exits 7 once the parent writes to its pipe; go is that pipe's end. */
static pid_t stopping_child(int stop_sig, int *go) {
    int p[2];
    if (pipe(p) != 0) {
        exit(1);
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        raise(stop_sig);
        char c;
        if (read(p[0], &c, 1) != 1) {
            _exit(1);
        }
        _exit(7);
    }
    close(p[0]);
    *go = p[1];
    return pid;
}

static void chld_info(const char *part, const char *when, pid_t pid) {
    sigset_t chld = only(SIGCHLD);
    struct timespec ts = {5, 0};
    siginfo_t si;
    int s = sigtimedwait(&chld, &si, &ts);
    printf("%s: SIGCHLD after %s: sig=%d code=%d status=%d pid ok=%d\n", part, when, s, s > 0 ? si.si_code : 0,
           s > 0 ? si.si_status : 0, s > 0 && si.si_pid == pid);
}

static void part_stop(void) {
    sigset_t chld = only(SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int go;
    pid_t pid = stopping_child(SIGSTOP, &go);
    int st = 0;
    pid_t r = waitpid(pid, &st, WUNTRACED);
    printf("stop: wait=%d status=0x%x stopped=%d sig=%d\n", r == pid, st, WIFSTOPPED(st), WSTOPSIG(st));
    chld_info("stop", "stop", pid);
    r = waitpid(pid, &st, WUNTRACED | WNOHANG);
    printf("stop: reported once: %d\n", r);
    kill(pid, SIGCONT);
    st = 0;
    r = waitpid(pid, &st, WCONTINUED);
    printf("stop: wait=%d status=0x%x continued=%d\n", r == pid, st, WIFCONTINUED(st));
    chld_info("stop", "continue", pid);
    if (write(go, "x", 1) != 1) {
        printf("stop: FAIL write\n");
    }
    r = waitpid(pid, &st, 0);
    printf("stop: wait=%d status=0x%x exited=%d code=%d\n", r == pid, st, WIFEXITED(st), WEXITSTATUS(st));
    chld_info("stop", "exit", pid);
}

static void print_waitid(const char *what, int rc, siginfo_t *si, pid_t pid) {
    printf("waitid: %s: rc=%d code=%d status=%d pid ok=%d\n", what, rc, si->si_code, si->si_status,
           si->si_pid == pid);
}

static void part_waitid(void) {
    sigset_t chld = only(SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int go;
    /* SIGSTOP, not SIGTSTP: a test runner's process group may be orphaned, where Linux discards SIGTSTP. */
    pid_t pid = stopping_child(SIGSTOP, &go);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int rc = waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT);
    print_waitid("stopped, kept", rc, &si, pid);
    memset(&si, 0, sizeof si);
    rc = waitid(P_PID, pid, &si, WSTOPPED);
    print_waitid("stopped", rc, &si, pid);
    memset(&si, 0, sizeof si);
    rc = waitid(P_PID, pid, &si, WSTOPPED | WNOHANG);
    print_waitid("nothing more", rc, &si, 0);
    kill(pid, SIGCONT);
    memset(&si, 0, sizeof si);
    rc = waitid(P_ALL, 0, &si, WCONTINUED);
    print_waitid("continued", rc, &si, pid);
    if (write(go, "x", 1) != 1) {
        printf("waitid: FAIL write\n");
    }
    memset(&si, 0, sizeof si);
    rc = waitid(P_PID, pid, &si, WEXITED);
    print_waitid("exited", rc, &si, pid);
}

static void on_chld(int sig) {
    (void) sig;
}

static void part_nocldstop(void) {
    handle(SIGCHLD, on_chld, SA_NOCLDSTOP);
    sigset_t chld = only(SIGCHLD), pending;
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int go, st;
    pid_t pid = stopping_child(SIGSTOP, &go);
    waitpid(pid, &st, WUNTRACED);
    sigpending(&pending);
    printf("nocldstop: stopped=%d SIGCHLD pending=%d\n", WIFSTOPPED(st), sigismember(&pending, SIGCHLD));
    kill(pid, SIGCONT);
    waitpid(pid, &st, WCONTINUED);
    sigpending(&pending);
    printf("nocldstop: continued=%d SIGCHLD pending=%d\n", WIFCONTINUED(st), sigismember(&pending, SIGCHLD));
    if (write(go, "x", 1) != 1) {
        printf("nocldstop: FAIL write\n");
    }
    waitpid(pid, &st, 0);
    sigpending(&pending);
    printf("nocldstop: exited=%d SIGCHLD pending=%d\n", WIFEXITED(st), sigismember(&pending, SIGCHLD));
}

static volatile int usr1;
static volatile int usr1_blocked_in_handler;
static void on_usr1(int sig) {
    (void) sig;
    usr1++;
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    usr1_blocked_in_handler = sigismember(&now, SIGUSR1);
}

static int usr1_blocked(void) {
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    return sigismember(&now, SIGUSR1);
}

/* Runs one masked wait with SIGUSR1 pending and blocked; prints how it ended and the mask after it. */
static void masked(const char *name, int kind, int ready) {
    int p[2];
    if (pipe(p) != 0) {
        exit(1);
    }
    if (ready && write(p[1], "x", 1) != 1) {
        exit(1);
    }
    usr1 = 0;
    kill(getpid(), SIGUSR1);
    sigset_t empty;
    sigemptyset(&empty);
    int rc = -2;
    errno = 0;
    if (kind == 0) {
        struct pollfd fd = {p[0], POLLIN, 0};
        struct timespec ts = {2, 0};
        rc = ppoll(&fd, 1, &ts, &empty);
    } else if (kind == 1) {
        fd_set in;
        FD_ZERO(&in);
        FD_SET(p[0], &in);
        struct timespec ts = {2, 0};
        rc = pselect(p[0] + 1, &in, NULL, NULL, &ts, &empty);
    } else {
        int ep = epoll_create1(0);
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = p[0]}, out;
        epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
        rc = epoll_pwait(ep, &out, 1, 2000, &empty);
        close(ep);
    }
    int e = errno;
    printf("masks: %s%s: rc=%d %s handled=%d blocked in handler=%d blocked after=%d\n", name, ready ? " ready" : "",
           rc, rc < 0 ? strerror(e) : "ok", usr1, usr1_blocked_in_handler, usr1_blocked());
    if (!usr1) {   /* the signal is still pending: take it so the next case starts clean */
        sigset_t one = only(SIGUSR1);
        int sig;
        sigwait(&one, &sig);
    }
    close(p[0]);
    close(p[1]);
}

static void part_masks(void) {
    handle(SIGUSR1, on_usr1, 0);
    sigset_t one = only(SIGUSR1);
    sigprocmask(SIG_BLOCK, &one, NULL);
    const char *names[] = {"ppoll", "pselect6", "epoll_pwait"};
    for (int kind = 0; kind < 3; kind++) {
        masked(names[kind], kind, 0);
        masked(names[kind], kind, 1);
    }
}

static volatile int alarms;
static int partial_read_end = -1;
static void on_alarm(int sig) {
    (void) sig;
    /* Should the write go on after the signal (the defect), the third alarm lets it fail instead of hanging. */
    if (++alarms == 3) {
        close(partial_read_end);
    }
}

static void partial(const char *name, int flags) {
    int p[2];
    if (pipe(p) != 0) {
        exit(1);
    }
    partial_read_end = p[0];
    alarms = 0;
    handle(SIGALRM, on_alarm, flags);
    struct itimerval every = {{0, 100000}, {0, 100000}}, off = {{0, 0}, {0, 0}};
    static char buf[200000];
    setitimer(ITIMER_REAL, &every, NULL);
    errno = 0;
    ssize_t n = write(p[1], buf, sizeof buf);
    int e = errno;
    setitimer(ITIMER_REAL, &off, NULL);
    printf("partial: %s: rc=%zd %s alarms>0=%d\n", name, n, n < 0 ? strerror(e) : "ok", alarms > 0);
    if (alarms < 3) {
        close(p[0]);
    }
    close(p[1]);
}

static void part_partial(void) {
    signal(SIGPIPE, SIG_IGN);
    partial("no SA_RESTART", 0);
    partial("SA_RESTART", SA_RESTART);
}

static volatile int got_int;
static void on_int(int sig) {
    (void) sig;
    got_int = 1;
}

static void exit_1(int sig) {
    (void) sig;
    _exit(1);
}

static void exit_2(int sig) {
    (void) sig;
    _exit(2);
}

/* A child that exits 2 on SIGINT and 1 on SIGUSR1, in its own group when background; says it is ready on ready. */
static pid_t ctrl_c_child(int background, int ready) {
    pid_t pid = fork();
    if (pid == 0) {
        if (background) {
            setpgid(0, 0);
        }
        handle(SIGINT, exit_2, 0);
        handle(SIGUSR1, exit_1, 0);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (write(ready, "r", 1) != 1) {
            _exit(3);
        }
        for (;;) {
            pause();
        }
    }
    if (background) {
        setpgid(pid, pid);   /* as a shell does, so the group is set whoever runs first */
    }
    return pid;
}

static void part_ctrl_c(void) {
    handle(SIGINT, on_int, 0);
    sigset_t intr = only(SIGINT), old;
    sigprocmask(SIG_BLOCK, &intr, &old);
    int p[2];
    if (pipe(p) != 0) {
        exit(1);
    }
    pid_t bg = ctrl_c_child(1, p[1]);
    pid_t fg = ctrl_c_child(0, p[1]);
    char c[2];
    if (read(p[0], c, 1) != 1 || read(p[0], c + 1, 1) != 1) {
        printf("ctrl-c: FAIL children not ready\n");
    }
    printf("ctrl-c: ready\n");
    fflush(stdout);
    while (!got_int) {
        sigsuspend(&old);
    }
    int sf, sb;
    waitpid(fg, &sf, 0);
    kill(bg, SIGUSR1);
    waitpid(bg, &sb, 0);
    printf("ctrl-c: parent sigint=%d foreground child exit=%d background child exit=%d\n", got_int,
           WEXITSTATUS(sf), WEXITSTATUS(sb));
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    alarm(60);   /* whatever goes wrong, no part waits forever (partial's timer replaces this one) */
    const char *part = argc > 1 ? argv[1] : "";
    if (strcmp(part, "stop") == 0) {
        part_stop();
    } else if (strcmp(part, "waitid") == 0) {
        part_waitid();
    } else if (strcmp(part, "nocldstop") == 0) {
        part_nocldstop();
    } else if (strcmp(part, "masks") == 0) {
        part_masks();
    } else if (strcmp(part, "partial") == 0) {
        part_partial();
    } else if (strcmp(part, "ctrl-c") == 0) {
        part_ctrl_c();
    } else {
        printf("jobs: unknown part '%s'\n", part);
        return 2;
    }
    printf("jobs %s: done\n", part);
    return 0;
}
