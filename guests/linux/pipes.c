/*
 * Pipes, poll/select, epoll, eventfd and close-on-exec within one process; prints one line per check, then
 * "pipes: ok". With argv[1] == "sigpipe" it writes to a pipe without readers with SIGPIPE's default action and must
 * die by it (status 141); with "fork" it also runs the parent/child checks (a pipeline, PIPE_BUF atomicity with
 * several writers, EOF and EPIPE across processes). The same output natively and as a guest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static char big[200000];

static void basics(void) {
    int p[2];
    char buf[64];
    expect("pipe", pipe(p), 0);
    struct stat st;
    fstat(p[0], &st);
    expect("fstat says fifo", S_ISFIFO(st.st_mode), 1);
    expect("write 5", write(p[1], "hello", 5), 5);
    int avail = -1;
    ioctl(p[0], FIONREAD, &avail);
    expect("FIONREAD", avail, 5);
    expect("read what is there", read(p[0], buf, sizeof buf), 5);
    expect("bytes", memcmp(buf, "hello", 5), 0);
    expect_errno("lseek on a pipe", lseek(p[0], 0, SEEK_SET), ESPIPE);
    expect_errno("write to the read end", write(p[0], "x", 1), EBADF);
    struct iovec iov[3] = {{"ab", 2}, {"cd", 2}, {"e", 1}};
    expect("writev gathers", writev(p[1], iov, 3), 5);
    expect("read it", read(p[0], buf, sizeof buf), 5);
    expect("in order", memcmp(buf, "abcde", 5), 0);
    close(p[1]);
    expect("end of file without writers", read(p[0], buf, sizeof buf), 0);
    close(p[0]);
}

static void nonblocking(void) {
    int p[2];
    char buf[16];
    expect("pipe2 O_NONBLOCK|O_CLOEXEC", pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
    expect("O_NONBLOCK in F_GETFL", fcntl(p[0], F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    expect("FD_CLOEXEC on both", fcntl(p[0], F_GETFD) + fcntl(p[1], F_GETFD), 2 * FD_CLOEXEC);
    expect_errno("empty read", read(p[0], buf, 1), EAGAIN);
    int size = fcntl(p[1], F_GETPIPE_SZ);
    expect("F_GETPIPE_SZ", size, 65536);
    long total = 0, n;
    while ((n = write(p[1], big, sizeof big)) > 0) {
        total += n;
    }
    expect_errno("full pipe", n, EAGAIN);
    expect("it held its size", total, size);
    expect("drain 100", read(p[0], big, 100), 100);
    expect_errno("200 bytes (<= PIPE_BUF) do not fit whole", write(p[1], big, 200), EAGAIN);
    expect_errno("5000 bytes need a free page too", write(p[1], big, 5000), EAGAIN);
    expect("drain a page's worth", read(p[0], big, 4096), 4096);
    expect("5000 bytes (> PIPE_BUF) go in partly", write(p[1], big, 5000), 4096);
    expect("F_SETPIPE_SZ rounds up", fcntl(p[1], F_SETPIPE_SZ, 100000), 131072);
    expect_errno("pipe2 with a bad flag", pipe2(p, O_APPEND), EINVAL);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    expect_errno("write without readers", write(p[1], "x", 1), EPIPE);
    signal(SIGPIPE, SIG_DFL);
    close(p[1]);
}

static void polling(void) {
    int p[2];
    expect("pipe", pipe(p), 0);
    struct pollfd fds[3] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {-1, POLLIN, 0}};
    expect("poll: only the write end is ready", poll(fds, 3, 0), 1);
    expect("revents", fds[0].revents * 100 + fds[1].revents, POLLOUT);
    long start = now_ms();
    expect("poll of an empty pipe times out", poll(fds, 1, 50), 0);
    expect("after 50 ms at least", now_ms() - start >= 50, 1);
    write(p[1], "x", 1);
    expect("poll: readable", poll(fds, 1, -1), 1);
    expect("POLLIN", fds[0].revents, POLLIN);
    struct pollfd bad = {999, POLLIN, 0};
    expect("a closed fd counts", poll(&bad, 1, 0), 1);
    expect("POLLNVAL", bad.revents, POLLNVAL);
    close(p[1]);
    expect("poll after the writer closed", poll(fds, 1, 0), 1);
    expect("POLLIN|POLLHUP with data left", fds[0].revents, POLLIN | POLLHUP);
    char c;
    read(p[0], &c, 1);
    poll(fds, 1, 0);
    expect("POLLHUP when drained", fds[0].revents, POLLHUP);
    int devnull = open("/dev/null", O_RDWR);
    struct pollfd dn = {devnull, POLLIN | POLLOUT, 0};
    expect("/dev/null is always ready", poll(&dn, 1, 0), 1);
    expect("both ways", dn.revents, POLLIN | POLLOUT);
    struct timespec ts = {0, 20 * 1000000};
    struct pollfd q[2];
    int p2[2];
    pipe(p2);
    q[0] = (struct pollfd){p2[0], POLLIN, 0};
    start = now_ms();
    expect("ppoll times out", ppoll(q, 1, &ts, NULL), 0);
    expect("after 20 ms at least", now_ms() - start >= 20, 1);

    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p2[0], &r);
    FD_SET(p2[1], &w);
    struct timeval tv = {0, 0};
    expect("select: the write end", select(p2[1] + 1, &r, &w, NULL, &tv), 1);
    expect("which", FD_ISSET(p2[1], &w) * 10 + FD_ISSET(p2[0], &r), 10);
    write(p2[1], "y", 1);
    FD_ZERO(&r);
    FD_SET(p2[0], &r);
    tv = (struct timeval){1, 0};
    expect("select: readable", select(p2[0] + 1, &r, NULL, NULL, &tv), 1);
    FD_ZERO(&r);
    FD_SET(p2[0], &r);
    read(p2[0], &c, 1);
    tv = (struct timeval){0, 30000};
    start = now_ms();
    expect("select times out", select(p2[0] + 1, &r, NULL, NULL, &tv), 0);
    expect("after 30 ms at least", now_ms() - start >= 30, 1);
    expect("and clears the set", FD_ISSET(p2[0], &r), 0);
    FD_ZERO(&r);
    FD_SET(devnull + 10, &r);
    tv = (struct timeval){0, 0};
    expect_errno("select of a closed fd", select(devnull + 11, &r, NULL, NULL, &tv), EBADF);
    struct timespec pts = {0, 0};
    FD_ZERO(&w);
    FD_SET(p2[1], &w);
    expect("pselect", pselect(p2[1] + 1, NULL, &w, NULL, &pts, NULL), 1);
    close(p[0]);
    close(p2[0]);
    close(p2[1]);
    close(devnull);
}

static void epolling(void) {
    int p[2];
    pipe2(p, O_NONBLOCK);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    expect("epoll_create1", ep >= 0, 1);
    expect("FD_CLOEXEC", fcntl(ep, F_GETFD), FD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1122334455667788ULL}, out[4];
    expect("add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
    expect_errno("add twice", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
    expect_errno("mod of an unwatched fd", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), ENOENT);
    int file = open("/proc/self/maps", O_RDONLY);
    expect_errno("a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, file, &ev), EPERM);
    close(file);
    expect_errno("itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
    expect("nothing ready", epoll_wait(ep, out, 4, 0), 0);
    long start = now_ms();
    expect("a wait times out", epoll_wait(ep, out, 4, 30), 0);
    expect("after 30 ms at least", now_ms() - start >= 30, 1);
    write(p[1], "ab", 2);
    expect("level: ready", epoll_wait(ep, out, 4, -1), 1);
    expect("events and data", out[0].events == EPOLLIN && out[0].data.u64 == 0x1122334455667788ULL, 1);
    expect("level: still ready", epoll_wait(ep, out, 4, 0), 1);
    ev.events = EPOLLIN | EPOLLET;
    expect("mod to edge", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0);
    expect("edge: reported once", epoll_wait(ep, out, 4, 0), 1);
    expect("edge: then not", epoll_wait(ep, out, 4, 0), 0);
    write(p[1], "c", 1);
    expect("edge: a new write", epoll_wait(ep, out, 4, 0), 1);
    ev.events = EPOLLIN | EPOLLONESHOT;
    epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
    expect("oneshot: once", epoll_wait(ep, out, 4, 0), 1);
    expect("oneshot: disabled", epoll_wait(ep, out, 4, 0), 0);
    expect("del", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), 0);
    ev.events = EPOLLOUT;
    epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev);
    close(p[0]);
    expect("the writer sees the readers gone", epoll_wait(ep, out, 4, 0), 1);
    expect("EPOLLOUT|EPOLLERR", out[0].events, EPOLLOUT | EPOLLERR);
    expect_errno("maxevents 0", epoll_wait(ep, out, 0, 0), EINVAL);
    close(p[1]);
    close(ep);
}

static void eventfds(void) {
    int e = eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC);
    uint64_t v = 0;
    expect("eventfd", e >= 0, 1);
    expect("read", read(e, &v, 8), 8);
    expect("the whole count", (long) v, 3);
    expect_errno("then EAGAIN", read(e, &v, 8), EAGAIN);
    v = 5;
    write(e, &v, 8);
    struct pollfd fd = {e, POLLIN | POLLOUT, 0};
    expect("poll", poll(&fd, 1, 0), 1);
    expect("both ways", fd.revents, POLLIN | POLLOUT);
    expect_errno("a short read", read(e, &v, 4), EINVAL);
    v = UINT64_MAX;
    expect_errno("the forbidden value", write(e, &v, 8), EINVAL);
    close(e);
    int s = eventfd(2, EFD_SEMAPHORE);
    read(s, &v, 8);
    expect("a semaphore reads 1", (long) v, 1);
    read(s, &v, 8);
    expect("and 1", (long) v, 1);
    close(s);
}

static void descriptors(void) {
    int fd = open("/dev/null", O_RDONLY);
    expect("F_GETFD after open", fcntl(fd, F_GETFD), 0);
    expect("F_SETFD", fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
    expect("F_GETFD", fcntl(fd, F_GETFD), FD_CLOEXEC);
    int d = fcntl(fd, F_DUPFD_CLOEXEC, 50);
    expect("F_DUPFD_CLOEXEC", d, 50);
    expect("is close-on-exec", fcntl(d, F_GETFD), FD_CLOEXEC);
    expect("dup clears it", fcntl(dup(fd), F_GETFD), 0);
    expect("dup3 O_CLOEXEC", dup3(fd, 60, O_CLOEXEC), 60);
    expect("is close-on-exec", fcntl(60, F_GETFD), FD_CLOEXEC);
    expect_errno("dup3 to itself", dup3(fd, fd, 0), EINVAL);
    expect("dup2 clears it", dup2(60, 61), 61);
    expect("on the new fd", fcntl(61, F_GETFD), 0);
    expect("FIOCLEX", ioctl(61, FIOCLEX), 0);
    expect("sets it", fcntl(61, F_GETFD), FD_CLOEXEC);
    expect("FIONCLEX", ioctl(61, FIONCLEX), 0);
    expect("clears it", fcntl(61, F_GETFD), 0);
    int on = 1;
    expect("FIONBIO", ioctl(61, FIONBIO, &on), 0);
    expect("sets O_NONBLOCK", fcntl(61, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    expect("close_range CLOEXEC", syscall(436, 50, ~0U, 4), 0);
    expect("marks 50", fcntl(50, F_GETFD), FD_CLOEXEC);
    expect("and 61", fcntl(61, F_GETFD), FD_CLOEXEC);
    expect("close_range", syscall(436, 50, ~0U, 0), 0);
    expect_errno("closes 60", fcntl(60, F_GETFD), EBADF);
    expect_errno("close_range backwards", syscall(436, 9, 8, 0), EINVAL);
}

/* A child writes 20 lines of "n\n" in reverse; the parent reads them through the pipe to EOF and sums them. */
static void pipeline(void) {
    int p[2];
    pipe(p);
    pid_t child = fork();
    if (child == 0) {
        close(p[0]);
        char line[16];
        for (int i = 20; i > 0; i--) {
            int n = snprintf(line, sizeof line, "%d\n", i);
            write(p[1], line, n);
        }
        _exit(0);
    }
    close(p[1]);
    char buf[4096];
    long sum = 0, n, cur = 0;
    while ((n = read(p[0], buf, sizeof buf)) > 0) {
        for (long i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                sum += cur;
                cur = 0;
            } else {
                cur = cur * 10 + buf[i] - '0';
            }
        }
    }
    int status;
    waitpid(child, &status, 0);
    expect("a child's lines through a pipe to EOF", sum, 210);
    expect("its exit", WIFEXITED(status) && WEXITSTATUS(status) == 0, 1);
    close(p[0]);
}

/* Four writers each write 200 records of PIPE_BUF bytes of one letter; no record may be torn by another's. */
static void atomicity(void) {
    int p[2];
    pipe(p);
    for (int w = 0; w < 4; w++) {
        if (fork() == 0) {
            close(p[0]);
            static char rec[4096];
            memset(rec, 'a' + w, sizeof rec);
            for (int i = 0; i < 200; i++) {
                if (write(p[1], rec, sizeof rec) != sizeof rec) {
                    _exit(1);
                }
            }
            _exit(0);
        }
    }
    close(p[1]);
    static char rec[4096];
    long records = 0, torn = 0;
    size_t have = 0;
    long n;
    while ((n = read(p[0], rec + have, sizeof rec - have)) > 0) {
        have += n;
        if (have == sizeof rec) {
            for (size_t i = 1; i < sizeof rec; i++) {
                if (rec[i] != rec[0]) {
                    torn++;
                    break;
                }
            }
            records++;
            have = 0;
        }
    }
    int status, clean = 0;
    for (int w = 0; w < 4; w++) {
        wait(&status);
        clean += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    expect("records from four writers", records, 800);
    expect("none torn", torn, 0);
    expect("writers finished", clean, 4);
    close(p[0]);
}

/*
 * Blocking across processes: poll and epoll_wait without a timeout are woken by a child's write, and the child's
 * blocking write of more than the pipe holds returns whole once the parent has drained it.
 */
static void wakes(void) {
    int p[2];
    pipe(p);
    pid_t child = fork();
    if (child == 0) {
        close(p[0]);
        struct timespec pause = {0, 20 * 1000000};
        nanosleep(&pause, NULL);
        write(p[1], "z", 1);
        nanosleep(&pause, NULL);
        _exit(write(p[1], big, 150000) == 150000 ? 0 : 1);
    }
    close(p[1]);
    struct pollfd fd = {p[0], POLLIN, 0};
    expect("poll without a timeout is woken by the child", poll(&fd, 1, -1), 1);
    char c;
    expect("its byte", read(p[0], &c, 1), 1);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = p[0]}, out;
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    expect("epoll_wait without a timeout is woken too", epoll_wait(ep, &out, 1, -1), 1);
    long total = 0, n;
    static char sink[8192];
    while ((n = read(p[0], sink, sizeof sink)) > 0) {
        total += n;
    }
    int status;
    waitpid(child, &status, 0);
    expect("all of a write larger than the pipe arrived", total, 150000);
    expect("and the writer saw it whole", WIFEXITED(status) && WEXITSTATUS(status) == 0, 1);
    close(ep);
    close(p[0]);
}

/* A child whose reader has gone: EPIPE with SIGPIPE ignored, death by SIGPIPE by default. */
static void brokenPipes(void) {
    int p[2];
    pipe(p);
    close(p[0]);
    pid_t child = fork();
    if (child == 0) {
        write(p[1], "x", 1);
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    expect("a child dies by SIGPIPE", WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE, 1);
    close(p[1]);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && strcmp(argv[1], "sigpipe") == 0) {
        int p[2];
        pipe(p);
        close(p[0]);
        write(p[1], "x", 1);
        printf("FAIL still alive after SIGPIPE\n");
        return 1;
    }
    basics();
    nonblocking();
    polling();
    epolling();
    eventfds();
    descriptors();
    if (argc > 1 && strcmp(argv[1], "fork") == 0) {
        pipeline();
        atomicity();
        wakes();
        brokenPipes();
    }
    return report("pipes") != 0;
}
