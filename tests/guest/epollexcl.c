/* EPOLLEXCLUSIVE: one pipe, watched with EPOLLEXCLUSIVE by one epoll
 * instance in each of N children, all asleep in epoll_wait: each byte
 * written wakes exactly one of them (the thundering herd avoided). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef EPOLLEXCLUSIVE
#define EPOLLEXCLUSIVE (1u << 28)
#endif
#define N 4

static char state(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return '?';
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    return p && p[1] ? p[2] : '?';
}

int main(void)
{
    if (access("/proc/self/stat", R_OK)) {      /* pyuml's init: no /proc yet */
        mkdir("/proc", 0555);
        mount("proc", "/proc", "proc", 0, NULL);
    }
    volatile int *woken = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int p[2];
    pipe(p);
    pid_t pids[N];
    for (int i = 0; i < N; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            int ep = epoll_create1(0);
            struct epoll_event ev = {.events = EPOLLIN | EPOLLET | EPOLLEXCLUSIVE};
            if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev))
                _exit(2);
            int n = epoll_wait(ep, &ev, 1, 20000);
            if (n == 1)
                __sync_fetch_and_add(woken, 1);
            close(ep);
            _exit(n == 1 ? 0 : 1);
        }
    }
    for (int i = 0; i < N; i++)          /* all asleep in epoll_wait */
        for (int k = 0; k < 5000 && state(pids[i]) != 'S'; k++)
            usleep(1000);
    usleep(50000);
    for (int round = 1; round <= N; round++) {
        write(p[1], "x", 1);
        for (int k = 0; k < 5000 && *woken < round; k++)
            usleep(1000);
        usleep(200000);                  /* time for any further wake-ups */
        printf("byte %d: %d woken in all\n", round, *woken);
        char c;
        read(p[0], &c, 1);
    }
    int ok = 0;
    for (int i = 0; i < N; i++) {
        int st;
        waitpid(pids[i], &st, 0);
        ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    printf("%d children saw their event\n", ok);
    return 0;
}
