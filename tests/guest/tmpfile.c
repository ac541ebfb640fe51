/* O_TMPFILE: an unnamed file in a directory's file system - its errnos,
 * nlink 0, its /proc/self/fd name, linkat giving it a name (through
 * /proc/self/fd and AT_EMPTY_PATH), O_EXCL forbidding that, and the data
 * gone with the last close.  argv[1]: a scratch directory (rootfs under
 * pyuml, the host's /tmp natively). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif

static const char *ename(int e)
{
    switch (e) {
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EACCES: return "EACCES";
    case EISDIR: return "EISDIR";
    case EEXIST: return "EEXIST";
    default: return strerror(e);
    }
}

#define T(x) do { errno = 0; long r_ = (long)(x); \
    printf("%-60s = %ld%s%s\n", #x, r_ < 0 ? -1L : r_ > 2 ? 3L : r_, r_ < 0 ? " " : "", \
           r_ < 0 ? ename(errno) : ""); } while (0)

static void fd_name(int fd)
{
    char p[64], buf[4200];
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(p, buf, sizeof buf - 1);
    if (n < 0) {
        printf("readlink: %s\n", ename(errno));
        return;
    }
    buf[n] = 0;
    char *hash = strrchr(buf, '#');     /* the inode number differs: hide it */
    char *tail = hash ? strchr(hash, ' ') : NULL;
    printf("fd name: ...%s#N%s\n", hash && hash > buf && hash[-1] == '/' ? "/" : "?",
           tail ? tail : "");
}

static int entries(void)
{
    DIR *d = opendir(".");
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    for (char *p = argv[1] + 1; *p; p++)
        if (*p == '/') { *p = 0; mkdir(argv[1], 0755); *p = '/'; }
    mkdir(argv[1], 0755);
    if (chdir(argv[1]))
        return 2;
    umask(022);
    if (access("/proc/self/fd", R_OK)) {        /* pyuml's init: no /proc yet */
        mkdir("/proc", 0555);
        mount("proc", "/proc", "proc", 0, NULL);
    }
    T(open(".", O_TMPFILE | O_RDONLY, 0600));
    T(open(".", O_TMPFILE | O_CREAT | O_RDWR, 0600));
    T(open(".", 020000000 | O_RDWR, 0600));     /* __O_TMPFILE without O_DIRECTORY */
    T(open("missing", O_TMPFILE | O_RDWR, 0600));
    close(open("plain", O_CREAT | O_WRONLY, 0644));
    T(open("plain", O_TMPFILE | O_RDWR, 0600));

    int fd = open(".", O_TMPFILE | O_RDWR, 0640);
    printf("open O_TMPFILE: %s\n", fd >= 0 ? "ok" : ename(errno));
    if (fd < 0)
        return 1;
    T(write(fd, "hello", 5));
    struct stat st;
    fstat(fd, &st);
    printf("nlink %lu mode %o size %lld\n", (unsigned long)st.st_nlink, st.st_mode,
           (long long)st.st_size);
    fd_name(fd);
    printf("entries before link: %d\n", entries());
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    T(linkat(AT_FDCWD, p, AT_FDCWD, "named", AT_SYMLINK_FOLLOW));
    T(linkat(AT_FDCWD, p, AT_FDCWD, "named2", AT_SYMLINK_FOLLOW));
    fstat(fd, &st);
    printf("nlink after links %lu\n", (unsigned long)st.st_nlink);
    printf("entries after link: %d\n", entries());
    close(fd);
    char buf[16] = {0};
    int r = open("named", O_RDONLY);
    read(r, buf, sizeof buf - 1);
    close(r);
    printf("named holds '%s'\n", buf);

    fd = open(".", O_TMPFILE | O_WRONLY | O_EXCL, 0600);
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    T(linkat(AT_FDCWD, p, AT_FDCWD, "excl", AT_SYMLINK_FOLLOW));
    T(linkat(fd, "", AT_FDCWD, "excl2", AT_EMPTY_PATH));
    close(fd);

    fd = open(".", O_TMPFILE | O_WRONLY, 0600);
    T(write(fd, "x", 1));
    T(linkat(fd, "", AT_FDCWD, "empty", AT_EMPTY_PATH));
    T(linkat(fd, "", AT_FDCWD, "named", AT_EMPTY_PATH));
    close(fd);
    fd = open(".", O_TMPFILE | O_WRONLY, 0600);
    close(fd);
    printf("entries at the end: %d\n", entries());
    T(open("/proc", O_TMPFILE | O_RDWR, 0600));
    unlink("named");
    unlink("named2");
    unlink("empty");
    unlink("plain");
    return 0;
}
