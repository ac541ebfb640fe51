/* chattr on tmpfs: FS_IOC_GETFLAGS/SETFLAGS, what immutable and
 * append-only forbid (write, truncate, unlink, rename, link, chmod,
 * xattrs), the flags tmpfs refuses, and CAP_LINUX_IMMUTABLE.
 * argv[1]: a scratch directory on tmpfs (/dev/shm natively). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

/* <linux/fs.h>'s, which musl's headers lack */
#define FS_IOC_GETFLAGS _IOR('f', 1, long)
#define FS_IOC_SETFLAGS _IOW('f', 2, long)
#define FS_COMPR_FL 0x4
#define FS_IMMUTABLE_FL 0x10
#define FS_APPEND_FL 0x20
#define FS_NODUMP_FL 0x40
#define FS_NOATIME_FL 0x80

#define T(x) do { errno = 0; long r_ = (long)(x); \
    printf("%-58s = %ld %s\n", #x, r_ < 0 ? -1L : r_, r_ < 0 ? strerror(errno) : ""); } while (0)

static int getflags(const char *p)
{
    int fd = open(p, O_RDONLY), fl = -1;
    if (ioctl(fd, FS_IOC_GETFLAGS, &fl) < 0)
        fl = -errno;
    close(fd);
    return fl;
}

static long setflags(const char *p, int fl)
{
    int fd = open(p, O_RDONLY);
    long r = ioctl(fd, FS_IOC_SETFLAGS, &fl);
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

int main(int argc, char **argv)
{
    char dir[256];
    if (argc < 2)
        return 2;
    mkdir(argv[1], 01777);
    snprintf(dir, sizeof dir, "%s/chattr-%d", argv[1], getpid());
    mkdir(dir, 0755);
    if (chdir(dir))
        return 2;
    close(open("f", O_CREAT | O_WRONLY, 0644));
    printf("flags %#x\n", getflags("f"));
    T(setflags("f", FS_IMMUTABLE_FL));
    printf("flags %#x\n", getflags("f"));
    T(open("f", O_WRONLY));
    T(truncate("f", 0));
    T(unlink("f"));
    T(rename("f", "g"));
    T(link("f", "h"));
    T(chmod("f", 0600));
    T(setxattr("f", "user.x", "1", 1, 0));
    T(setflags("f", FS_IMMUTABLE_FL | FS_COMPR_FL));    /* not a tmpfs flag */
    T(setflags("f", FS_APPEND_FL));
    printf("flags %#x\n", getflags("f"));
    T(open("f", O_WRONLY));
    int fd = open("f", O_WRONLY | O_APPEND);
    printf("append open: %s\n", fd >= 0 ? "ok" : strerror(errno));
    T(write(fd, "x", 1));
    T(fcntl(fd, F_SETFL, 0));
    close(fd);
    T(setxattr("f", "user.x", "1", 1, 0));
    T(truncate("f", 0));
    T(chown("f", 1, 1));
    T(utimensat(AT_FDCWD, "f", NULL, 0));      /* "now" is allowed */
    T(unlink("f"));
    T(setflags("f", FS_NODUMP_FL | FS_NOATIME_FL));
    printf("flags %#x\n", getflags("f"));
    mkdir("d", 0755);
    T(setflags("d", FS_APPEND_FL));
    close(open("d/in", O_CREAT | O_WRONLY, 0644));
    T(unlink("d/in"));
    T(setflags("d", 0));
    fflush(stdout);
    if (fork() == 0) {          /* root without CAP_LINUX_IMMUTABLE */
        struct { unsigned version; int pid; } h = {0x20080522, 0};
        struct { unsigned eff, perm, inh; } caps[2];
        syscall(SYS_capget, &h, caps);
        caps[0].eff &= ~(1u << 9);
        syscall(SYS_capset, &h, caps);
        T(setflags("f", FS_IMMUTABLE_FL));
        T(setflags("f", FS_NODUMP_FL));
        fflush(stdout);
        _exit(0);
    }
    wait(NULL);
    fflush(stdout);
    if (fork() == 0) {          /* not the owner */
        setuid(65534);
        T(setflags("f", 0));
        fflush(stdout);
        _exit(0);
    }
    wait(NULL);
    T(setflags("f", 0));
    unlink("f");
    unlink("d/in");
    rmdir("d");
    chdir("/");
    rmdir(dir);
    return 0;
}
