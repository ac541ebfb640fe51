/* landlock: the three Landlock system calls and what a sandbox may do,
 * printed so that a native run and a pyuml run compare line by line.
 *
 *   landlock errors   create_ruleset / add_rule / restrict_self argument checks
 *   landlock fs       a sandbox on a scratch directory: open, create, remove,
 *                     truncate, rename/link (REFER), readdir, exec, ioctl
 *   landlock net      TCP bind/connect ports
 *   landlock scope    signals and abstract unix sockets across domains
 *
 * Each sandbox lives in a child, so that the layers do not pile up.  The
 * ABI version is printed as "at least 6": the host may be newer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

#define FS_EXECUTE (1ULL << 0)
#define FS_WRITE_FILE (1ULL << 1)
#define FS_READ_FILE (1ULL << 2)
#define FS_READ_DIR (1ULL << 3)
#define FS_REMOVE_DIR (1ULL << 4)
#define FS_REMOVE_FILE (1ULL << 5)
#define FS_MAKE_CHAR (1ULL << 6)
#define FS_MAKE_DIR (1ULL << 7)
#define FS_MAKE_REG (1ULL << 8)
#define FS_MAKE_SOCK (1ULL << 9)
#define FS_MAKE_FIFO (1ULL << 10)
#define FS_MAKE_BLOCK (1ULL << 11)
#define FS_MAKE_SYM (1ULL << 12)
#define FS_REFER (1ULL << 13)
#define FS_TRUNCATE (1ULL << 14)
#define FS_IOCTL_DEV (1ULL << 15)
#define FS_ALL ((1ULL << 16) - 1)
#define NET_BIND_TCP (1ULL << 0)
#define NET_CONNECT_TCP (1ULL << 1)
#define SCOPE_ABSTRACT_UNIX (1ULL << 0)
#define SCOPE_SIGNAL (1ULL << 1)

struct ruleset_attr { uint64_t fs, net, scoped; };
struct path_beneath { uint64_t allowed; int32_t parent_fd; } __attribute__((packed));
struct net_port { uint64_t allowed, port; };

static char scratch[64];

static void show(const char *what, long r)
{
    if (r < 0)
        printf("%s -> -1 (%s)\n", what, strerror(errno));
    else
        printf("%s -> ok\n", what);
    fflush(stdout);
}

static long create(uint64_t fs, uint64_t net, uint64_t scoped)
{
    struct ruleset_attr a = {fs, net, scoped};
    return syscall(__NR_landlock_create_ruleset, &a, sizeof(a), 0);
}

static long add_path(int rs, const char *path, uint64_t allowed)
{
    struct path_beneath pb = {allowed, open(path, O_PATH | O_CLOEXEC)};
    long r = syscall(__NR_landlock_add_rule, rs, 1, &pb, 0);
    close(pb.parent_fd);
    return r;
}

static long add_port(int rs, int port, uint64_t allowed)
{
    struct net_port np = {allowed, port};
    return syscall(__NR_landlock_add_rule, rs, 2, &np, 0);
}

static void enforce(int rs)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(__NR_landlock_restrict_self, rs, 0)) {
        perror("enforce");
        exit(1);
    }
    close(rs);
}

static void wait_child(pid_t pid)
{
    int st;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st))
        printf("child status %#x\n", st);
    fflush(stdout);
}

/* -- errors --------------------------------------------------------------------- */

static void errors(void)
{
    struct ruleset_attr a = {FS_EXECUTE, 0, 0};
    char big[4200] = {0};
    long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, 1);
    printf("abi at least 6: %s\n", abi >= 6 ? "yes" : "no");
    show("version with attr", syscall(__NR_landlock_create_ruleset, &a, 0, 1));
    show("version with size", syscall(__NR_landlock_create_ruleset, NULL, 8, 1));
    show("flags 4", syscall(__NR_landlock_create_ruleset, NULL, 0, 4));
    a.fs = 1ULL << 16;
    show("unknown fs access", syscall(__NR_landlock_create_ruleset, &a, 8, 0));
    a.fs = 0; a.net = 4;
    show("unknown net access", syscall(__NR_landlock_create_ruleset, &a, 16, 0));
    a.net = 0; a.scoped = 4;
    show("unknown scope", syscall(__NR_landlock_create_ruleset, &a, 24, 0));
    a.scoped = 0;
    show("empty", syscall(__NR_landlock_create_ruleset, &a, 24, 0));
    show("size 7", syscall(__NR_landlock_create_ruleset, &a, 7, 0));
    show("null attr", syscall(__NR_landlock_create_ruleset, NULL, 8, 0));
    show("size page+1", syscall(__NR_landlock_create_ruleset, big, 4097, 0));
    memcpy(big, &(uint64_t){FS_EXECUTE}, 8);
    show("size 32 zero tail", syscall(__NR_landlock_create_ruleset, big, 32, 0));
    big[30] = 1;
    show("size 32 non-zero tail", syscall(__NR_landlock_create_ruleset, big, 32, 0));

    int rs = create(FS_EXECUTE | FS_READ_DIR, NET_BIND_TCP, 0);
    show("create", rs);
    printf("ruleset cloexec: %d\n", fcntl(rs, F_GETFD));
    char link[64], target[64] = {0};
    snprintf(link, sizeof link, "/proc/self/fd/%d", rs);
    readlink(link, target, sizeof target - 1);
    printf("ruleset fd: %s\n", target);
    char buf[8];
    show("read ruleset", read(rs, buf, 8));
    struct path_beneath pb = {FS_EXECUTE, open("/", O_PATH)};
    show("add flags 1", syscall(__NR_landlock_add_rule, rs, 1, &pb, 1));
    show("add type 0", syscall(__NR_landlock_add_rule, rs, 0, &pb, 0));
    show("add bad ruleset fd", syscall(__NR_landlock_add_rule, -1, 1, &pb, 0));
    show("add O_PATH fd as ruleset", syscall(__NR_landlock_add_rule, pb.parent_fd, 1, &pb, 0));
    int p[2];
    pipe(p);
    show("add not a ruleset", syscall(__NR_landlock_add_rule, p[0], 1, &pb, 0));
    show("add null attr", syscall(__NR_landlock_add_rule, rs, 1, NULL, 0));
    pb.allowed = 0;
    show("add empty access", syscall(__NR_landlock_add_rule, rs, 1, &pb, 0));
    pb.allowed = FS_WRITE_FILE;
    show("add unhandled access", syscall(__NR_landlock_add_rule, rs, 1, &pb, 0));
    pb.allowed = FS_EXECUTE;
    close(pb.parent_fd);
    pb.parent_fd = -1;
    show("add bad parent fd", syscall(__NR_landlock_add_rule, rs, 1, &pb, 0));
    pb.parent_fd = rs;
    show("add ruleset as parent", syscall(__NR_landlock_add_rule, rs, 1, &pb, 0));
    pb.parent_fd = p[0];
    show("add pipe as parent", syscall(__NR_landlock_add_rule, rs, 1, &pb, 0));
    pb.parent_fd = open("/proc/self/exe", O_PATH);
    pb.allowed = FS_READ_DIR;
    show("add dir right on a file", syscall(__NR_landlock_add_rule, rs, 1, &pb, 0));
    pb.allowed = FS_EXECUTE;
    show("add file right on a file", syscall(__NR_landlock_add_rule, rs, 1, &pb, 0));
    show("add port", add_port(rs, 80, NET_BIND_TCP));
    show("add port 65536", add_port(rs, 65536, NET_BIND_TCP));
    show("add port unhandled", add_port(rs, 80, NET_CONNECT_TCP));
    show("add port empty", add_port(rs, 80, 0));

    show("restrict flags", syscall(__NR_landlock_restrict_self, rs, 0x100));
    show("restrict bad fd", syscall(__NR_landlock_restrict_self, -1, 0));
    show("restrict not a ruleset", syscall(__NR_landlock_restrict_self, p[0], 0));
    pid_t pid = fork();
    if (!pid) {
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        int i;
        for (i = 0; i < 20; i++)
            if (syscall(__NR_landlock_restrict_self, rs, 0))
                break;
        printf("layers stacked: %d (%s)\n", i, strerror(errno));
        exit(0);
    }
    wait_child(pid);
    close(rs);
}

/* -- filesystem --------------------------------------------------------------------- */

static void in_scratch(char *buf, const char *name)
{
    snprintf(buf, 128, "%s/%s", scratch, name);
}

static void touch(const char *name)
{
    char p[128];
    in_scratch(p, name);
    close(open(p, O_CREAT | O_WRONLY, 0755));
}

static void fs(void)
{
    char p[128], q[128];
    const char *dirs[] = {"a", "b", "c", "a/sub", "a/rmme", "b/rmme", "d1", "d2", "d2/sub"};
    for (unsigned i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        in_scratch(p, dirs[i]);
        mkdir(p, 0755);
    }
    touch("a/f"); touch("a/g"); touch("a/h"); touch("a/sub/f"); touch("b/f"); touch("b/g");
    touch("c/f"); touch("d2/f");
    in_scratch(p, "b/script");
    int fd = open(p, O_CREAT | O_WRONLY, 0755);
    write(fd, "#!/bin/sh\nexit 0\n", 17);
    close(fd);

    pid_t pid = fork();
    if (!pid) {
        int rs = create(FS_ALL, 0, 0);
        in_scratch(p, "a");
        show("rule a", add_path(rs, p, FS_READ_FILE | FS_WRITE_FILE | FS_READ_DIR | FS_MAKE_REG
                                | FS_MAKE_DIR | FS_MAKE_FIFO | FS_MAKE_SYM | FS_REMOVE_FILE
                                | FS_REMOVE_DIR | FS_REFER | FS_TRUNCATE));
        in_scratch(p, "b");
        show("rule b", add_path(rs, p, FS_READ_FILE | FS_WRITE_FILE | FS_MAKE_REG
                                | FS_REMOVE_FILE | FS_REFER));
        in_scratch(p, "c");
        show("rule c", add_path(rs, p, FS_READ_FILE | FS_MAKE_REG | FS_REFER | FS_REMOVE_FILE));
        in_scratch(p, "d1");
        show("rule d1", add_path(rs, p, FS_READ_FILE | FS_MAKE_REG | FS_REFER | FS_MAKE_DIR
                                 | FS_REMOVE_FILE | FS_REMOVE_DIR));
        in_scratch(p, "d2");
        show("rule d2", add_path(rs, p, FS_READ_FILE | FS_MAKE_REG | FS_REFER | FS_REMOVE_FILE
                                 | FS_REMOVE_DIR));
        show("rule exe", add_path(rs, "/proc/self/exe", FS_READ_FILE | FS_EXECUTE));
        show("rule /dev/null", add_path(rs, "/dev/null", FS_READ_FILE | FS_WRITE_FILE));
        int early = open("/dev/null", O_RDONLY);
        struct { struct file_handle h; char buf[128]; } fh = {.h.handle_bytes = 128};
        int mount_id;
        in_scratch(p, "c/f");
        int have_handle = !name_to_handle_at(AT_FDCWD, p, &fh.h, &mount_id, 0);
        int mnt = open(scratch, O_RDONLY | O_DIRECTORY);
        in_scratch(p, "b/g");
        int early_w = open(p, O_WRONLY);
        enforce(rs);
        struct { const char *name; int flags; } opens[] = {
            {"a/f", O_RDONLY}, {"a/f", O_WRONLY}, {"a/f", O_RDWR | O_TRUNC},
            {"a/sub/f", O_RDONLY}, {"b/f", O_RDWR}, {"b/f", O_WRONLY | O_TRUNC},
            {"c/f", O_RDONLY}, {"c/f", O_WRONLY}, {"a", O_RDONLY | O_DIRECTORY},
            {"b", O_RDONLY | O_DIRECTORY}, {"b", O_PATH}, {"a/new", O_CREAT | O_WRONLY},
            {"b/new", O_CREAT | O_RDWR}, {"c/new", O_CREAT | O_WRONLY},
            {"c/new2", O_CREAT | O_RDONLY},
        };
        for (unsigned i = 0; i < sizeof opens / sizeof *opens; i++) {
            char what[160];
            in_scratch(p, opens[i].name);
            snprintf(what, sizeof what, "open %s %#o", opens[i].name, opens[i].flags);
            int r = open(p, opens[i].flags, 0644);
            show(what, r);
            if (r >= 0)
                close(r);
        }
        if (have_handle) {
            show("open_by_handle_at c/f read", fd = open_by_handle_at(mnt, &fh.h, O_RDONLY));
            close(fd);
            show("open_by_handle_at c/f write", open_by_handle_at(mnt, &fh.h, O_WRONLY));
        }
        show("open /dev/null rw", fd = open("/dev/null", O_RDWR));
        show("open / for listing", open("/", O_RDONLY | O_DIRECTORY));
        show("ioctl FIONREAD /dev/null", ioctl(fd, FIONREAD, &(int){0}));
        show("ioctl FIOCLEX /dev/null", ioctl(fd, FIOCLEX));
        show("ioctl FIONREAD early fd", ioctl(early, FIONREAD, &(int){0}));
        in_scratch(p, "a/f");
        show("truncate a/f", truncate(p, 3));
        in_scratch(p, "b/f");
        show("truncate b/f", truncate(p, 3));
        fd = open(p, O_WRONLY);
        show("ftruncate b/f", ftruncate(fd, 1));
        show("ftruncate early b/g", ftruncate(early_w, 1));
        in_scratch(p, "a/d"); show("mkdir a/d", mkdir(p, 0755));
        in_scratch(p, "b/d"); show("mkdir b/d", mkdir(p, 0755));
        in_scratch(p, "a/fifo"); show("mkfifo a/fifo", mknod(p, S_IFIFO | 0600, 0));
        in_scratch(p, "b/fifo"); show("mkfifo b/fifo", mknod(p, S_IFIFO | 0600, 0));
        in_scratch(p, "a/reg"); show("mknod a/reg", mknod(p, S_IFREG | 0600, 0));
        in_scratch(p, "a/sym"); show("symlink a/sym", symlink("f", p));
        in_scratch(p, "b/sym"); show("symlink b/sym", symlink("f", p));
        in_scratch(p, "a/g"); show("unlink a/g", unlink(p));
        in_scratch(p, "a/rmme"); show("rmdir a/rmme", rmdir(p));
        in_scratch(p, "b/rmme"); show("rmdir b/rmme", rmdir(p));
        in_scratch(p, "b/rmme"); show("unlink b/rmme (a dir)", unlink(p));
        in_scratch(p, "a/h"); in_scratch(q, "a/h2"); show("rename a/h a/h2", rename(p, q));
        in_scratch(p, "a/h2"); in_scratch(q, "b/h"); show("rename a/h2 b/h", rename(p, q));
        in_scratch(p, "b/h"); in_scratch(q, "a/h"); show("rename b/h a/h", rename(p, q));
        in_scratch(p, "b/f"); in_scratch(q, "c/f2"); show("rename b/f c/f2", rename(p, q));
        in_scratch(p, "c/f"); in_scratch(q, "b/f2"); show("rename c/f b/f2", rename(p, q));
        in_scratch(p, "a/f"); in_scratch(q, "a/sub/f"); show("rename a/f a/sub/f", rename(p, q));
        in_scratch(p, "d2/f"); in_scratch(q, "d1/f");
        show("rename d2/f d1/f (more directory rights)", rename(p, q));
        in_scratch(p, "d2/sub"); in_scratch(q, "d1/sub");
        show("rename d2/sub d1/sub (more directory rights)", rename(p, q));
        in_scratch(p, "a/sub/f"); in_scratch(q, "a/f3"); show("link a/sub/f a/f3", link(p, q));
        in_scratch(p, "a/sub/f"); in_scratch(q, "b/f3"); show("link a/sub/f b/f3", link(p, q));
        in_scratch(p, "a/sub/f"); in_scratch(q, "c/f3"); show("link a/sub/f c/f3", link(p, q));
        in_scratch(p, "a/sub/f"); in_scratch(q, "c/f");
        show("exchange a/sub/f c/f", syscall(SYS_renameat2, AT_FDCWD, p, AT_FDCWD, q, 2));
        in_scratch(p, "a");
        DIR *d = opendir(p);
        int n = 0;
        while (d && readdir(d))
            n++;
        printf("readdir a: %d entries\n", n);
        in_scratch(p, "b");
        show("opendir b", opendir(p) ? 0 : -1);
        pid_t c = fork();
        if (!c) {
            char *argv[] = {"/prog", "child", NULL};
            execv("/proc/self/exe", argv);
            perror("exec self");
            exit(1);
        }
        wait_child(c);
        in_scratch(p, "b/script");
        char *argv[] = {p, NULL};
        show("exec b/script", execv(p, argv));
        exit(0);
    }
    wait_child(pid);
}

/* -- network ------------------------------------------------------------------------ */

static int tcp(int family, int port, int do_bind, int do_connect)
{
    int s = socket(family, SOCK_STREAM, 0);
    struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons(port)};
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
    struct sockaddr *a = family == AF_INET ? (struct sockaddr *)&a4 : (struct sockaddr *)&a6;
    socklen_t len = family == AF_INET ? sizeof a4 : sizeof a6;
    a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a6.sin6_addr = in6addr_loopback;
    long r = 0;
    if (do_bind)
        r = bind(s, a, len);
    if (do_connect)
        r = connect(s, a, len);
    int e = errno;
    close(s);
    errno = e;
    return r;
}

static int listener(int family, int *port)
{
    int s = socket(family, SOCK_STREAM, 0);
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = in6addr_loopback};
    struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = family == AF_INET ? sizeof a4 : sizeof a6;
    struct sockaddr *a = family == AF_INET ? (struct sockaddr *)&a4 : (struct sockaddr *)&a6;
    bind(s, a, len);
    listen(s, 8);
    getsockname(s, a, &len);
    *port = ntohs(family == AF_INET ? a4.sin_port : a6.sin6_port);
    return s;
}

static void net(void)
{
    int p4, p6, other4, other6;
    int l4 = listener(AF_INET, &p4), l6 = listener(AF_INET6, &p6);
    int o4 = listener(AF_INET, &other4), o6 = listener(AF_INET6, &other6);
    pid_t pid = fork();
    if (!pid) {
        int rs = create(0, NET_BIND_TCP | NET_CONNECT_TCP, 0);
        show("port rule 4", add_port(rs, p4, NET_CONNECT_TCP));
        show("port rule 6", add_port(rs, p6, NET_CONNECT_TCP));
        show("port rule bind", add_port(rs, 47111, NET_BIND_TCP));
        enforce(rs);
        show("connect v4 allowed port", tcp(AF_INET, p4, 0, 1));
        show("connect v4 other port", tcp(AF_INET, other4, 0, 1));
        show("connect v6 allowed port", tcp(AF_INET6, p6, 0, 1));
        show("connect v6 other port", tcp(AF_INET6, other6, 0, 1));
        show("bind v4 47111", tcp(AF_INET, 47111, 1, 0));
        show("bind v4 47112", tcp(AF_INET, 47112, 1, 0));
        show("bind v6 47112", tcp(AF_INET6, 47112, 1, 0));
        int s = socket(AF_INET, SOCK_STREAM, 0);
        show("bind short address", bind(s, (struct sockaddr *)&(struct sockaddr_in){.sin_family = AF_INET}, 8));
        struct sockaddr_in un = {.sin_family = AF_UNSPEC};
        show("connect AF_UNSPEC", connect(s, (struct sockaddr *)&un, sizeof un));
        close(s);
        s = socket(AF_INET6, SOCK_STREAM, 0);
        struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = htons(other4),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        show("v6 socket connect v4 address, other port", connect(s, (struct sockaddr *)&v4, sizeof v4));
        close(s);
        s = socket(AF_INET6, SOCK_STREAM, 0);
        v4.sin_port = htons(p4);
        show("v6 socket connect v4 address, allowed port", connect(s, (struct sockaddr *)&v4, sizeof v4));
        close(s);
        s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in any = {.sin_family = AF_UNSPEC, .sin_port = htons(47111)};
        show("bind AF_UNSPEC any 47111", bind(s, (struct sockaddr *)&any, sizeof any));
        close(s);
        s = socket(AF_INET, SOCK_STREAM, 0);
        any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        show("bind AF_UNSPEC loopback", bind(s, (struct sockaddr *)&any, sizeof any));
        close(s);
        char p1[128], p2[128];
        in_scratch(p1, "n1"); mkdir(p1, 0755);
        in_scratch(p2, "n2"); mkdir(p2, 0755);
        in_scratch(p1, "n1/f"); close(open(p1, O_CREAT | O_WRONLY, 0644));
        in_scratch(p2, "n2/f");
        show("rename across dirs, net sandbox", rename(p1, p2));
        s = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in u = {.sin_family = AF_INET, .sin_port = htons(47113)};
        show("udp bind 47113", bind(s, (struct sockaddr *)&u, sizeof u));
        exit(0);
    }
    wait_child(pid);
    close(l4); close(l6); close(o4); close(o6);
}

/* -- scopes ------------------------------------------------------------------------- */

static void scoped_self(uint64_t scope)
{
    enforce(create(0, 0, scope));
}

static void signals(int sandbox_sender, int sandbox_target, int both)
{
    pid_t outer = fork();
    if (outer) {
        wait_child(outer);
        return;
    }
    if (both)
        scoped_self(SCOPE_SIGNAL);
    int p[2];
    pipe(p);
    pid_t target = fork();
    if (!target) {
        if (sandbox_target)
            scoped_self(SCOPE_SIGNAL);
        write(p[1], "x", 1);
        pause();
        exit(0);
    }
    char c;
    read(p[0], &c, 1);
    pid_t sender = fork();
    if (!sender) {
        if (sandbox_sender)
            scoped_self(SCOPE_SIGNAL);
        char what[64];
        snprintf(what, sizeof what, "kill (sender %d target %d both %d)", sandbox_sender,
                 sandbox_target, both);
        show(what, kill(target, 0));
        show("kill own parent's child via getppid", kill(getppid(), 0));
        show("kill self", kill(getpid(), 0));
        exit(0);
    }
    wait_child(sender);
    kill(target, SIGKILL);
    waitpid(target, NULL, 0);
    exit(0);
}

static void unix_scope(int sandbox_client, int sandbox_server)
{
    pid_t outer = fork();
    if (outer) {
        wait_child(outer);
        return;
    }
    int p[2];
    pipe(p);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "landlock-%d", getpid());
    socklen_t len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a.sun_path + 1);
    struct sockaddr_un pa = {.sun_family = AF_UNIX};
    snprintf(pa.sun_path, sizeof pa.sun_path, "%s/sock-%d", scratch, getpid());
    pid_t server = fork();
    if (!server) {
        if (sandbox_server)
            scoped_self(SCOPE_ABSTRACT_UNIX);
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        bind(s, (struct sockaddr *)&a, len);
        listen(s, 4);
        int d = socket(AF_UNIX, SOCK_DGRAM, 0);
        a.sun_path[0] = 0;
        a.sun_path[len - offsetof(struct sockaddr_un, sun_path)] = 'd';
        bind(d, (struct sockaddr *)&a, len + 1);
        int ps = socket(AF_UNIX, SOCK_STREAM, 0);
        bind(ps, (struct sockaddr *)&pa, sizeof pa);
        listen(ps, 4);
        write(p[1], "x", 1);
        pause();
        exit(0);
    }
    char c;
    read(p[0], &c, 1);
    if (sandbox_client)
        scoped_self(SCOPE_ABSTRACT_UNIX);
    char what[64];
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    snprintf(what, sizeof what, "unix connect (client %d server %d)", sandbox_client,
             sandbox_server);
    show(what, connect(s, (struct sockaddr *)&a, len));
    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
    a.sun_path[len - offsetof(struct sockaddr_un, sun_path)] = 'd';
    show("unix sendto", sendto(d, "x", 1, 0, (struct sockaddr *)&a, len + 1));
    show("unix dgram connect", connect(d, (struct sockaddr *)&a, len + 1));
    show("unix sendto after connect", send(d, "x", 1, 0));
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    show("unix connect to a path", connect(s, (struct sockaddr *)&pa, sizeof pa));
    unlink(pa.sun_path);
    kill(server, SIGKILL);
    waitpid(server, NULL, 0);
    exit(0);
}

static void scope(void)
{
    signals(1, 0, 0);
    signals(0, 1, 0);
    signals(0, 0, 1);
    signals(1, 1, 0);
    unix_scope(1, 0);
    unix_scope(0, 1);
    unix_scope(1, 1);
}

static void rm_rf(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char sub[300];
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (unlink(sub))
            rm_rf(sub);
    }
    if (d)
        closedir(d);
    rmdir(path);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "all";
    if (!strcmp(mode, "child")) {
        printf("exec'd in the sandbox\n");
        show("exec'd program opens / for listing", open("/", O_RDONLY | O_DIRECTORY));
        return 0;
    }
    if (access("/proc/self", F_OK)) {           /* pyuml's init: nothing mounted yet */
        mkdir("/proc", 0555);
        mount("proc", "/proc", "proc", 0, NULL);
    }
    mkdir("/tmp", 01777);
    snprintf(scratch, sizeof scratch, "/tmp/landlock-%d", getpid());
    mkdir(scratch, 0755);
    if (!strcmp(mode, "errors") || !strcmp(mode, "all"))
        errors();
    if (!strcmp(mode, "fs") || !strcmp(mode, "all"))
        fs();
    if (!strcmp(mode, "net") || !strcmp(mode, "all"))
        net();
    if (!strcmp(mode, "scope") || !strcmp(mode, "all"))
        scope();
    rm_rf(scratch);
    return 0;
}
