/* dnotify: fcntl(F_NOTIFY) on directory descriptors.  Works in
 * /tmp/dnotify-PID; prints, for each step, which descriptors were signalled
 * (si_fd), with which signal and si_code, in order.  Compared with the host
 * kernel by tests/test_dnotify.py. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIG (SIGRTMIN + 1)

static volatile int log_fd[64], log_sig[64], log_code[64], nlog;
static int dirfd_, subfd, otherfd;

static void handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (nlog < 64) {
        log_fd[nlog] = si->si_fd;
        log_sig[nlog] = sig;
        log_code[nlog] = si->si_code;
        nlog++;
    }
}

static const char *fdname(int fd)
{
    if (fd == dirfd_) return "dir";
    if (fd == subfd) return "sub";
    if (fd == otherfd) return "other";
    return "?";
}

/* what arrived since the last step */
static void step(const char *what)
{
    printf("%s:", what);
    for (int i = 0; i < nlog; i++) {
        if (log_sig[i] == SIGIO)
            printf(" SIGIO");
        else
            printf(" %s/sig+%d/code%d", fdname(log_fd[i]), log_sig[i] - SIGRTMIN, log_code[i]);
    }
    printf("%s\n", nlog ? "" : " -");
    nlog = 0;
}

static void rc(const char *what, int r)
{
    if (r < 0)
        printf("%s -> -1 %s\n", what, strerror(errno));
    else
        printf("%s -> %d\n", what, r);
}

static void touch(const char *p)
{
    int fd = open(p, O_WRONLY | O_CREAT, 0644);
    if (fd >= 0)
        close(fd);
}

int main(void)
{
    char top[64];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIG, &sa, NULL);
    sigaction(SIGIO, &sa, NULL);

    mkdir("/tmp", 01777);        /* pyuml's bare initramfs has none */
    snprintf(top, sizeof top, "/tmp/dnotify-%d", getpid());
    if (mkdir(top, 0755) < 0 || chdir(top) < 0) {
        perror(top);
        return 1;
    }
    mkdir("sub", 0700);
    mkdir("other", 0700);
    touch("f");
    dirfd_ = open(".", O_RDONLY);
    subfd = open("sub", O_RDONLY);
    otherfd = open("other", O_RDONLY);

    /* errors */
    int ffd = open("f", O_RDONLY);
    rc("F_NOTIFY on a file", fcntl(ffd, F_NOTIFY, DN_MODIFY));
    close(ffd);
    rc("F_NOTIFY on a bad fd", fcntl(99, F_NOTIFY, DN_MODIFY));
    rc("F_NOTIFY 0", fcntl(dirfd_, F_NOTIFY, 0));

    /* one-shot, plain SIGIO: the first event only */
    rc("F_NOTIFY DN_CREATE", fcntl(dirfd_, F_NOTIFY, DN_CREATE));
    touch("a");
    step("create a");
    touch("b");
    step("create b (one-shot spent)");

    /* F_SETSIG: the signal with si_fd and POLL_MSG */
    rc("F_SETSIG", fcntl(dirfd_, F_SETSIG, SIG));
    rc("F_SETSIG sub", fcntl(subfd, F_SETSIG, SIG));
    rc("F_SETSIG other", fcntl(otherfd, F_SETSIG, SIG));
    rc("F_NOTIFY all multishot",
       fcntl(dirfd_, F_NOTIFY, DN_ACCESS | DN_MODIFY | DN_CREATE | DN_DELETE | DN_RENAME |
             DN_ATTRIB | DN_MULTISHOT));
    rc("F_NOTIFY sub attrib", fcntl(subfd, F_NOTIFY, DN_ATTRIB | DN_MULTISHOT));
    rc("F_NOTIFY other rename", fcntl(otherfd, F_NOTIFY, DN_RENAME | DN_CREATE | DN_DELETE |
                                     DN_MULTISHOT));
    touch("c");
    step("create c");
    int fd = open("c", O_RDWR);
    char ch = 'x';
    if (write(fd, &ch, 1) != 1) perror("write");
    step("write c");
    lseek(fd, 0, SEEK_SET);
    if (read(fd, &ch, 1) != 1) perror("read");
    step("read c");
    close(fd);
    step("close c");
    chmod("c", 0600);
    step("chmod c");
    chmod("sub", 0755);
    step("chmod sub");
    rename("c", "d");
    step("rename c d");
    rename("d", "other/d");
    step("rename d other/d");
    rename("other/d", "other/e");
    step("rename other/d other/e");
    rename("sub", "sub2");
    step("rename sub sub2");
    rename("sub2", "sub");
    step("rename sub2 sub");
    unlink("a");
    step("unlink a");
    mkdir("m", 0700);
    step("mkdir m");
    rmdir("m");
    step("rmdir m");
    touch("sub/g");
    step("create sub/g");

    /* the mask is added to; 0 removes it */
    rc("F_NOTIFY sub modify", fcntl(subfd, F_NOTIFY, DN_CREATE));
    chmod("sub", 0700);
    step("chmod sub (mask added to)");
    touch("sub/h");
    step("create sub/h (one-shot)");
    touch("sub/i");
    step("create sub/i");
    rc("F_NOTIFY other 0", fcntl(otherfd, F_NOTIFY, 0));
    touch("other/x");
    step("create other/x (removed)");

    /* a close removes the descriptor's watch; a dup is another descriptor
     * of the same file: its close removes it too */
    close(otherfd);
    otherfd = open("other", O_RDONLY);
    touch("other/y");
    step("create other/y (closed)");
    /* a child's event goes to the owner, the process that set F_NOTIFY */
    pid_t pid = fork();
    if (pid == 0) {
        touch("child");
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    step("child creates");
    int dup_fd = dup(dirfd_);
    close(dup_fd);
    touch("z");
    step("create z (a dup closed)");

    close(dirfd_);
    close(subfd);
    close(otherfd);
    const char *files[] = {"b", "f", "z", "child", "sub/g", "sub/h", "sub/i", "other/e",
                           "other/x", "other/y"};
    for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(files[i]);
    rmdir("sub");
    rmdir("other");
    chdir("/");
    rmdir(top);
    return 0;
}
