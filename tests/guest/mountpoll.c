/* /proc/self/mounts can be polled: POLLPRI|POLLERR once the mount tree
 * changed since the file last said so (epoll and poll), and a rewound read
 * sees the mounts of now (seq_file starts over on lseek).
 * argv[1]: a directory to mount a tmpfs on.  Takes a private mount
 * namespace first, so natively no one else sees the mounts. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int fd, ep;
static const char *dir;

static int mounted(void)
{
    static char buf[65536];
    size_t n = 0;
    ssize_t r;
    lseek(fd, 0, SEEK_SET);
    while ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
        n += r;
    buf[n] = 0;
    char want[4200];
    snprintf(want, sizeof want, " %s tmpfs ", dir);
    return strstr(buf, want) != NULL;
}

static void report(const char *when)
{
    struct epoll_event ev = {0};
    int n = epoll_wait(ep, &ev, 1, 0);
    printf("%s: epoll %d events %s%s%s", when, n, n > 0 && ev.events & EPOLLPRI ? "PRI " : "",
           n > 0 && ev.events & EPOLLERR ? "ERR " : "", n > 0 && ev.events & EPOLLIN ? "IN" : "");
    struct pollfd p = {fd, POLLPRI, 0};
    n = poll(&p, 1, 0);
    printf(" | poll %d revents %#x | mounted %d\n", n, p.revents, mounted());
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    dir = argv[1];
    if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
        perror("private mount namespace");
        return 1;
    }
    if (access("/proc/self/mounts", R_OK)) {      /* pyuml's init: no /proc yet */
        mkdir("/proc", 0555);
        mount("proc", "/proc", "proc", 0, NULL);
    }
    mkdir(dir, 0755);
    fd = open("/proc/self/mounts", O_RDONLY);
    ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLPRI, .data.fd = fd};
    printf("epoll_ctl %d\n", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    report("opened");
    /* a child mounts; the parent, asleep in epoll_wait, is woken */
    pid_t pid = fork();
    if (pid == 0) {
        usleep(100000);
        _exit(mount("none", dir, "tmpfs", 0, NULL) ? 1 : 0);
    }
    int n = epoll_wait(ep, &ev, 1, 5000);
    printf("woken: %d events %s\n", n, n > 0 && ev.events & EPOLLPRI ? "PRI" : "");
    int st;
    waitpid(pid, &st, 0);
    printf("child %d\n", WEXITSTATUS(st));
    report("after mount");
    report("again");
    printf("remount %d\n", mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
    report("after remount");
    printf("umount %d\n", umount(dir));
    report("after umount");
    rmdir(dir);
    return 0;
}
