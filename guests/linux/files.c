/*
 * File I/O and its error paths. argv[1] is a directory with a file "input.txt" holding "host file\n" (the host
 * root or a mount); the program writes under /tmp, and in the root's in-memory layer when argv[2] is "rw" (else the
 * root must refuse with EROFS). Prints one line per check.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/";
    char path[256];
    snprintf(path, sizeof path, "%s/input.txt", dir);
    char buf[256];
    int fd = open(path, O_RDONLY);
    expect("open host file", fd >= 0, 1);
    ssize_t n = read(fd, buf, sizeof buf);
    expect("read host file", n, 10);
    expect("host file text", memcmp(buf, "host file\n", 10), 0);
    expect("pread", pread(fd, buf, 4, 5), 4);
    expect("pread text", memcmp(buf, "file", 4), 0);
    expect("lseek end", lseek(fd, 0, SEEK_END), 10);
    struct stat st;
    expect("fstat", fstat(fd, &st), 0);
    expect("fstat size", st.st_size, 10);
    expect("regular", S_ISREG(st.st_mode), 1);
    expect("stat", stat(path, &st), 0);
    close(fd);

    void *volatile bad = (void *) 16;
    errno = 0;
    expect_errno("read closed fd", read(fd, buf, 1), EBADF);
    expect_errno("open missing", open("/no/such/file", O_RDONLY), ENOENT);
    expect_errno("read into bad pointer", read(open(path, O_RDONLY), bad, 1), EFAULT);
    expect_errno("write from bad pointer", write(1, bad, 1), EFAULT);
    expect_errno("stat bad path pointer", stat((const char *) bad, &st), EFAULT);
    if (argc > 2 && strcmp(argv[2], "rw") == 0) {
        int w = open("/root-file", O_CREAT | O_RDWR, 0644);
        expect("create in the root's layer", w >= 0, 1);
        expect("write in the layer", write(w, "layer", 5), 5);
        expect("read the layer back", pread(w, buf, 5, 0) == 5 && memcmp(buf, "layer", 5) == 0, 1);
        close(w);
    } else {
        expect_errno("write to root read-only", open("/root-file", O_CREAT | O_WRONLY, 0644), EROFS);
    }
    expect_errno("ioctl TCGETS on a file", ioctl(open(path, O_RDONLY), TCGETS, buf), ENOTTY);
    expect_errno("lseek bad whence", lseek(1, 0, 99), ESPIPE);
    expect_errno("readv too many", readv(0, (struct iovec *) bad, 5000), EINVAL);
    expect_errno("mkdir existing", mkdir("/tmp", 0755), EEXIST);
    char sub[300];
    snprintf(sub, sizeof sub, "%s/x", path);
    expect_errno("open file as dir", open(sub, O_RDONLY), ENOTDIR);

    int t = open("/tmp/out.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    expect("create in /tmp", t >= 0, 1);
    struct iovec iov[2] = {{"abc", 3}, {"defg\n", 5}};
    expect("writev", writev(t, iov, 2), 8);
    expect("pwrite", pwrite(t, "XY", 2, 1), 2);
    expect("lseek set", lseek(t, 0, SEEK_SET), 0);
    memset(buf, 0, sizeof buf);
    expect("read back", read(t, buf, sizeof buf), 8);
    expect("read back text", strcmp(buf, "aXYdefg\n"), 0);
    expect("ftruncate", ftruncate(t, 3), 0);
    expect("fstat after truncate", fstat(t, &st) == 0 ? st.st_size : -1, 3);
    int d = dup(t);
    expect("dup", d > t, 1);
    expect("dup2", dup2(t, 20), 20);
    expect("fcntl getfd", fcntl(20, F_GETFD), 0);
    expect("fcntl setfd", fcntl(20, F_SETFD, FD_CLOEXEC), 0);
    expect("fcntl getfd after", fcntl(20, F_GETFD), FD_CLOEXEC);
    close(d);
    close(20);
    lseek(t, 0, SEEK_SET);
    expect("sendfile to stdout", sendfile(1, t, NULL, 3), 3);
    printf("\n");
    close(t);

    expect("mkdir /tmp/d", mkdir("/tmp/d", 0755), 0);
    expect("rename", rename("/tmp/out.txt", "/tmp/d/moved.txt"), 0);
    expect("access moved", access("/tmp/d/moved.txt", R_OK), 0);
    expect("chdir", chdir("/tmp/d"), 0);
    expect("getcwd", getcwd(buf, sizeof buf) != NULL && strcmp(buf, "/tmp/d") == 0, 1);
    expect("relative open", (fd = open("moved.txt", O_RDONLY)) >= 0, 1);
    close(fd);
    expect("unlink", unlink("moved.txt"), 0);
    expect_errno("unlink again", unlink("moved.txt"), ENOENT);
    expect("chdir /", chdir("/"), 0);
    expect("rmdir", rmdir("/tmp/d"), 0);

    ssize_t len = readlink("/proc/self/exe", buf, sizeof buf - 1);
    buf[len > 0 ? len : 0] = 0;
    printf("exe=%s\n", buf);

    DIR *dh = opendir(dir);
    int seen = 0;
    struct dirent *e;
    while (dh && (e = readdir(dh)) != NULL) {
        seen |= strcmp(e->d_name, "input.txt") == 0;
    }
    expect("readdir finds input.txt", seen, 1);
    if (dh) {
        closedir(dh);
    }
    FILE *maps = fopen("/proc/self/maps", "r");
    int lines = 0;
    while (maps && fgets(buf, sizeof buf, maps)) {
        lines += strstr(buf, "[stack]") != NULL;
    }
    expect("maps has [stack]", lines, 1);
    if (maps) {
        fclose(maps);
    }
    return report("files");
}
