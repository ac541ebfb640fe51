/* newmount: the new mount API (fsopen, fsconfig, fsmount, move_mount,
 * open_tree, fspick, mount_setattr, open_tree_attr) on tmpfs, compared with
 * the host kernel.  It changes mounts, so it first takes a private mount
 * namespace of its own (unshare(CLONE_NEWNS) and / made private): natively
 * nothing it mounts is seen outside it; it works below DIR (argv[1]), on a
 * tmpfs it mounts there. */
#define _GNU_SOURCE
#include "procs.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 1
#endif
#define FSCONFIG_SET_FLAG 0
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_SET_PATH 3
#define FSCONFIG_SET_FD 5
#define FSCONFIG_CMD_CREATE 6
#define FSCONFIG_CMD_RECONFIGURE 7
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 4
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x40
#endif
#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH 0x200
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#define M_RDONLY 1
#define M_NOSUID 2
#define M_NODEV 4
#define M_NOEXEC 8
#define M_NOATIME 0x10
#define M_ATIME 0x70
#define M_NODIRATIME 0x80
#define M_IDMAP 0x100000
#define M_NOSYMFOLLOW 0x200000

struct mattr {
	unsigned long long attr_set, attr_clr, propagation, userns_fd;
};

static long fsopen_(const char *n, unsigned f) { return syscall(430, n, f); }
static long fsconfig_(int fd, unsigned cmd, const char *k, const void *v, int aux)
{
	return syscall(431, fd, cmd, k, v, aux);
}
static long fsmount_(int fd, unsigned f, unsigned a) { return syscall(432, fd, f, a); }
static long move_mount_(int fd, const char *p, int tfd, const char *tp, unsigned f)
{
	return syscall(429, fd, p, tfd, tp, f);
}
static long open_tree_(int fd, const char *p, unsigned f) { return syscall(428, fd, p, f); }
static long fspick_(int fd, const char *p, unsigned f) { return syscall(433, fd, p, f); }
static long setattr_(int fd, const char *p, unsigned f, struct mattr *a, size_t size)
{
	return syscall(442, fd, p, f, a, size);
}

/* "expr: ok" (or the value, for what is not a descriptor) or the errno name */
static long last;
#define T(expr) do {							\
	errno = 0;							\
	last = (long)(expr);						\
	if (last < 0)							\
		printf("%s: errno %d\n", #expr, errno);	\
	else								\
		printf("%s: ok\n", #expr);				\
} while (0)

static int exists(const char *p) { return access(p, F_OK) == 0; }

static unsigned long vflags(const char *p)
{
	struct statvfs v;
	if (statvfs(p, &v))
		return 0xdead;
	return v.f_flag & (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME
			   | ST_NODIRATIME | 0x2000 /* ST_NOSYMFOLLOW */);
}

/* how many lines of /proc/self/mountinfo name the source src */
static int mounted(const char *src)
{
	char line[1024];
	int n = 0;
	FILE *f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		char *dash = strstr(line, " - ");
		char type[64], source[256];
		if (dash && sscanf(dash, " - %63s %255s", type, source) == 2 && !strcmp(source, src))
			n++;
	}
	fclose(f);
	return n;
}

static dev_t dev_of(const char *p)
{
	struct stat st;
	return stat(p, &st) ? 0 : st.st_dev;
}

/* struct mnt_id_req, and the parts of struct statmount looked at */
struct mreq {
	unsigned size, spare;
	unsigned long long mnt_id, param;
};
struct smount {
	unsigned size, mnt_opts;
	unsigned long long mask;
	unsigned sb_dev_major, sb_dev_minor;
	unsigned long long sb_magic;
	unsigned sb_flags, fs_type;
	unsigned long long mnt_id, mnt_parent_id;
	unsigned mnt_id_old, mnt_parent_id_old;
	unsigned long long mnt_attr, mnt_propagation, mnt_peer_group, mnt_master, propagate_from;
	unsigned mnt_root, mnt_point;
	unsigned long long mnt_ns_id;
	unsigned fs_subtype, sb_source;
	unsigned pad[8];
	unsigned long long spare2[44];
	char str[];
};

static long statmount_(unsigned long long id, unsigned long long mask, void *buf, size_t size,
		       unsigned flags)
{
	struct mreq r = { .size = 24, .mnt_id = id, .param = mask };
	return syscall(457, &r, buf, size, flags);
}

static long listmount_(unsigned long long id, unsigned long long last,
		       unsigned long long *ids, size_t n)
{
	struct mreq r = { .size = 24, .mnt_id = id, .param = last };
	return syscall(458, &r, ids, n, 0);
}

/* statx's stx_mnt_id: the unique one (STATX_MNT_ID_UNIQUE) or the old one */
static unsigned long long mnt_id_of(const char *p, int unique)
{
	unsigned char b[256] = { 0 };
	unsigned long long id;
	if (syscall(SYS_statx, AT_FDCWD, p, 0, unique ? 0x4000 : 0x1000, b))
		return 0;
	memcpy(&id, b + 0x90, 8);
	return id;
}

static void statmount_listmount(const char *base)
{
	char real[512];
	if (!realpath(base, real))
		return;
	T(mount("nm-s1", "a", "tmpfs", MS_NOSUID | MS_RDONLY, NULL));
	T(mount("nm-s3", "d2", "tmpfs", MS_NODEV, NULL));
	unsigned long long id = mnt_id_of(".", 1), a = mnt_id_of("a", 1);
	printf("unique ids differ from old ones %d\n", id != mnt_id_of(".", 0));
	static union { struct smount sm; char raw[4096]; } u;
	memset(&u, 0, sizeof u);
	T(statmount_(a, 0x1 | 0x2 | 0x8 | 0x10 | 0x20 | 0x200, &u, sizeof u, 0));
	struct smount *sm = &u.sm;
	struct statfs sf;
	statfs("a", &sf);
	char want[600];
	snprintf(want, sizeof want, "%s/a", real);
	printf("size %d mask %#llx magic ok %d sb_flags %#x type %s root %s point ok %d "
	       "source %s\n", sm->size > 512, sm->mask, sm->sb_magic == (unsigned long long)sf.f_type,
	       sm->sb_flags, sm->str + sm->fs_type, sm->str + sm->mnt_root,
	       !strcmp(sm->str + sm->mnt_point, want), sm->str + sm->sb_source);
	printf("ids ok %d %d %d, attr %#llx propagation %#llx\n", sm->mnt_id == a,
	       sm->mnt_parent_id == id, sm->mnt_id_old == mnt_id_of("a", 0), sm->mnt_attr,
	       sm->mnt_propagation);
	/* sync, dirsync and lazytime are the superblock's flags, not the mount's */
	T(mount("nm-s4", "d2", "tmpfs", MS_SYNCHRONOUS | MS_DIRSYNC, NULL));
	T(statmount_(mnt_id_of("d2", 1), 0x1, &u, sizeof u, 0));
	printf("sync dirsync tmpfs: sb_flags %#x\n", u.sm.sb_flags);
	T(mount(NULL, "d2", NULL, MS_REMOUNT | MS_LAZYTIME, NULL));
	T(statmount_(mnt_id_of("d2", 1), 0x1, &u, sizeof u, 0));
	printf("remounted lazytime: sb_flags %#x\n", u.sm.sb_flags);
	T(umount("d2"));
	T(statmount_(a, 0x20, &u, 512, 0));             /* no room for the string */
	T(statmount_(a, 0x1, &u, sizeof u, 1));
	T(statmount_(mnt_id_of("a", 0), 0x1, &u, sizeof u, 0));   /* an old id */
	T(statmount_(0xFFFFFFFFFFFFFFFEULL, 0x1, &u, sizeof u, 0));
	T(statmount_(a, 0x1, (void *)8, sizeof u, 0));
	unsigned long long ids[64];
	long n;
	T(n = listmount_(id, 0, ids, 64));
	printf("%ld mounts below the base\n", n);
	int found = 0;
	for (long i = 0; i < n; i++)
		found += ids[i] == a || ids[i] == mnt_id_of("d2", 1) || ids[i] == mnt_id_of("b", 1);
	printf("a, b, d2 among them %d, ascending %d\n", found, n < 2 || ids[0] < ids[1]);
	unsigned long long two[2];
	T(n = listmount_(id, 0, two, 2));
	T(n = listmount_(id, two[1], ids, 64));
	printf("then %ld more, first after the last %d\n", n, n > 0 && ids[0] > two[1]);
	T(listmount_(id, 5, ids, 64));
	T(listmount_(0, 0, ids, 64));
	umount("a");
	umount("d2");
}

/* the optional fields of the top mount at path: shared:N master:N unbindable */
static int tags(const char *path, int *shared, int *master, int *unbindable)
{
	char real[512], line[1024];
	int found = 0;
	if (!realpath(path, real))
		return 0;
	FILE *f = fopen("/proc/self/mountinfo", "r");
	*shared = *master = *unbindable = 0;
	while (f && fgets(line, sizeof line, f)) {
		char point[512];
		int n = 0;
		if (sscanf(line, "%*d %*d %*d:%*d %*s %511s %*s%n", point, &n) < 1 || strcmp(point, real))
			continue;
		found = 1;                       /* the last line is the top of a stack */
		*shared = *master = *unbindable = 0;
		char *opt = line + n, *dash = strstr(line, " - ");
		char *p;
		if ((p = strstr(opt, "shared:")) && p < dash)
			*shared = atoi(p + 7);
		if ((p = strstr(opt, "master:")) && p < dash)
			*master = atoi(p + 7);
		if ((p = strstr(opt, "unbindable")) && p < dash)
			*unbindable = 1;
	}
	if (f)
		fclose(f);
	return found;
}

static void show_type(const char *path)
{
	int s, m, u;
	if (!tags(path, &s, &m, &u))
		printf("%s: not a mount\n", path);
	else
		printf("%s: shared %d master %d unbindable %d\n", path, s != 0, m != 0, u);
}

static int is_mount(const char *p)
{
	char up[512];
	snprintf(up, sizeof up, "%s/..", p);
	return dev_of(p) != dev_of(up);
}

static void propagation(void)
{
	mkdir("p", 0755); mkdir("q", 0755); mkdir("r", 0755);
	T(mount("nm-p", "p", "tmpfs", 0, NULL));
	T(mount(NULL, "p/.", NULL, MS_SHARED | MS_NOSUID, NULL));  /* one type, nothing else */
	T(mount(NULL, "p", NULL, MS_SHARED | MS_SLAVE, NULL));
	mkdir("p/sub", 0755);
	T(mount(NULL, "p/sub", NULL, MS_SHARED, NULL));           /* not a mount's root */
	T(mount(NULL, "p", NULL, MS_SHARED, NULL));
	T(mount("p", "q", NULL, MS_BIND, NULL));
	show_type("p");
	show_type("q");
	int s1, s2, m, u;
	tags("p", &s1, &m, &u);
	tags("q", &s2, &m, &u);
	printf("p and q peers %d\n", s1 == s2 && s1);
	T(mount("nm-pp", "p/sub", "tmpfs", 0, NULL));
	printf("q/sub a mount %d, listed %d\n", is_mount("q/sub"), mounted("nm-pp"));
	show_type("p/sub");
	show_type("q/sub");
	T(move_mount_(AT_FDCWD, "p/sub", AT_FDCWD, "r", 0));    /* from below a shared mount */
	T(mount("p/sub", "r", NULL, MS_MOVE, NULL));
	T(umount("p/sub"));
	printf("q/sub a mount %d, listed %d\n", is_mount("q/sub"), mounted("nm-pp"));
	T(mount("nm-lazy", "q/sub", "tmpfs", 0, NULL));    /* from the other peer */
	printf("p/sub a mount %d, listed %d\n", is_mount("p/sub"), mounted("nm-lazy"));
	T(umount2("q/sub", MNT_DETACH));
	printf("p/sub a mount %d, listed %d\n", is_mount("p/sub"), mounted("nm-lazy"));
	T(mount(NULL, "q", NULL, MS_SLAVE, NULL));
	show_type("q");
	mkdir("p/sub2", 0755);
	mkdir("p/sub3", 0755);
	T(mount("nm-p2", "p/sub2", "tmpfs", 0, NULL));
	T(mount("nm-q3", "q/sub3", "tmpfs", 0, NULL));
	printf("q/sub2 a mount %d, p/sub3 a mount %d\n", is_mount("q/sub2"), is_mount("p/sub3"));
	show_type("q/sub2");
	T(umount("q/sub3"));
	T(umount("p/sub2"));
	printf("q/sub2 a mount %d\n", is_mount("q/sub2"));
	T(mount(NULL, "q", NULL, MS_PRIVATE, NULL));
	show_type("q");
	T(mount("nm-p4", "p/sub", "tmpfs", 0, NULL));
	printf("q/sub a mount %d\n", is_mount("q/sub"));
	T(umount("p/sub"));
	struct mattr at = { .propagation = MS_SHARED };
	T(setattr_(AT_FDCWD, "q", 0, &at, sizeof at));
	show_type("q");
	static union { struct smount sm; char raw[1024]; } u2;
	T(statmount_(mnt_id_of("q", 1), 0x2 | 0x4, &u2, sizeof u2, 0));
	printf("statmount q: propagation %#llx peer group %d master %d\n",
	       u2.sm.mnt_propagation, u2.sm.mnt_peer_group != 0, u2.sm.mnt_master != 0);
	T(mount(NULL, "p", NULL, MS_UNBINDABLE, NULL));
	show_type("p");
	T(mount("p", "r", NULL, MS_BIND, NULL));
	T(open_tree_(AT_FDCWD, "p", OPEN_TREE_CLONE));
	T(umount("q"));
	T(umount("p"));
	/* over the working directory: "." still is the one below, but umount
	 * names the mount on top (LOOKUP_MOUNTPOINT) */
	T(mount("nm-over", ".", "tmpfs", 0, NULL));
	printf("a still here %d, listed %d\n", exists("a"), mounted("nm-over"));
	T(umount("."));
	printf("listed %d\n", mounted("nm-over"));
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (access("/proc/self", R_OK)) {        /* pyuml's initramfs */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	test_as_child();
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		perror("private mount namespace");
		return 3;
	}
	mkdir(argv[1], 0755);
	if (mount("nm-base", argv[1], "tmpfs", 0, NULL) || chdir(argv[1])) {
		perror("base");
		return 3;
	}
	mkdir("a", 0755); mkdir("b", 0755); mkdir("c", 0755);
	mkdir("d", 0755); mkdir("d2", 0755); mkdir("e", 0755);

	puts("-- fsopen");
	T(fsopen_("nosuchfs", 0));
	T(fsopen_("tmpfs", 0x10));
	int fd;
	T(fd = fsopen_("tmpfs", FSOPEN_CLOEXEC));
	printf("cloexec %d\n", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	char msg[256];
	T(read(fd, msg, sizeof msg));                   /* an empty log */

	puts("-- fsconfig");
	T(fsconfig_(-1, FSCONFIG_SET_FLAG, "ro", NULL, 0));
	T(fsconfig_(999, FSCONFIG_SET_FLAG, "ro", NULL, 0));
	T(fsconfig_(0, FSCONFIG_SET_FLAG, "ro", NULL, 0));      /* not a context */
	T(fsconfig_(fd, 100, NULL, NULL, 0));
	T(fsconfig_(fd, FSCONFIG_SET_FLAG, "rw", "x", 0));
	T(fsconfig_(fd, FSCONFIG_SET_STRING, "source", NULL, 0));
	T(fsconfig_(fd, FSCONFIG_CMD_CREATE, "x", NULL, 0));
	T(fsconfig_(fd, FSCONFIG_SET_STRING, "source", "nm-one", 0));
	T(fsconfig_(fd, FSCONFIG_SET_STRING, "source", "nm-two", 0));
	memset(msg, 0, sizeof msg);
	T(read(fd, msg, sizeof msg));
	printf("log starts '%.2s' ends with newline %d\n", msg, last > 0 && msg[last - 1] == '\n');
	T(fsconfig_(fd, FSCONFIG_SET_STRING, "mode", "0710", 0));
	T(fsconfig_(fd, FSCONFIG_SET_FLAG, "sync", NULL, 0));
	T(fsconfig_(fd, FSCONFIG_SET_FLAG, "async", NULL, 0));
	T(fsconfig_(fd, FSCONFIG_SET_PATH, "sync", "/", AT_FDCWD));
	T(fsconfig_(fd, FSCONFIG_SET_FD, "sync", NULL, 0));
	T(fsconfig_(fd, FSCONFIG_SET_FD, "sync", NULL, 999));
	T(fsmount_(fd, 0, 0));                          /* not created yet */
	T(fsconfig_(fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0));
	T(fsconfig_(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	T(fsconfig_(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	T(fsconfig_(fd, FSCONFIG_SET_FLAG, "ro", NULL, 0));     /* too late */

	puts("-- fsmount");
	T(fsmount_(999, 0, 0));
	T(fsmount_(fd, 2, 0));
	T(fsmount_(fd, 0, 0x100));
	T(fsmount_(fd, 0, 0x30));                       /* no such atime mode */
	int mfd;
	T(mfd = fsmount_(fd, FSMOUNT_CLOEXEC, M_NODEV | M_NOSUID | M_NOATIME));
	printf("detached mounts listed %d\n", mounted("nm-one"));
	int f;
	T(f = openat(mfd, "hello", O_CREAT | O_WRONLY, 0644));
	close(f);
	struct stat st;
	T(fstat(mfd, &st));
	printf("root mode %o\n", st.st_mode & 07777);
	T(openat(mfd, "../../etc", O_RDONLY | O_DIRECTORY));   /* ".." stays at its root */
	close(last);

	puts("-- move_mount");
	T(move_mount_(mfd, "", AT_FDCWD, "a", 0x08));
	T(move_mount_(-1, "", AT_FDCWD, "a", MOVE_MOUNT_F_EMPTY_PATH));
	T(move_mount_(mfd, "nothere", AT_FDCWD, "a", MOVE_MOUNT_F_EMPTY_PATH));
	T(move_mount_(mfd, "", AT_FDCWD, "nothere", MOVE_MOUNT_F_EMPTY_PATH));
	T(move_mount_(mfd, "", AT_FDCWD, "a/hello", MOVE_MOUNT_F_EMPTY_PATH));
	T(move_mount_(mfd, "", AT_FDCWD, "a", MOVE_MOUNT_F_EMPTY_PATH));
	printf("a/hello %d, listed %d, flags %#lx\n", exists("a/hello"), mounted("nm-one"),
	       vflags("a"));
	T(move_mount_(mfd, "", AT_FDCWD, "b", MOVE_MOUNT_F_EMPTY_PATH));   /* a move now */
	printf("a/hello %d b/hello %d, listed %d\n", exists("a/hello"), exists("b/hello"),
	       mounted("nm-one"));
	mkdir("b/sub", 0755);
	T(move_mount_(AT_FDCWD, "b/sub", AT_FDCWD, "c", 0));   /* not a mount's root */
	T(move_mount_(AT_FDCWD, "b", AT_FDCWD, "b/sub", 0));   /* into itself */
	close(mfd);
	printf("still mounted after close %d\n", exists("b/hello"));
	close(fd);

	puts("-- open_tree");
	T(open_tree_(AT_FDCWD, "b", AT_RECURSIVE));
	T(open_tree_(AT_FDCWD, "b", 0x4));
	T(open_tree_(-1, "b", OPEN_TREE_CLONE));
	T(open_tree_(AT_FDCWD, "nothere", OPEN_TREE_CLONE));
	int pfd;
	T(pfd = open_tree_(AT_FDCWD, "b", 0));             /* just an O_PATH descriptor */
	T(move_mount_(pfd, "", AT_FDCWD, "c", MOVE_MOUNT_F_EMPTY_PATH));   /* an attached one */
	printf("c/hello %d (moved: b/hello %d)\n", exists("c/hello"), exists("b/hello"));
	T(move_mount_(AT_FDCWD, "c", AT_FDCWD, "b", 0));
	close(pfd);
	int cfd;
	T(cfd = open_tree_(AT_FDCWD, "b", OPEN_TREE_CLONE | O_CLOEXEC));
	struct mattr at = { .attr_set = M_RDONLY };
	T(setattr_(cfd, "", AT_EMPTY_PATH, &at, sizeof at));
	T(move_mount_(cfd, "", AT_FDCWD, "c", MOVE_MOUNT_F_EMPTY_PATH));
	close(cfd);
	printf("c/hello %d, flags b %#lx c %#lx\n", exists("c/hello"), vflags("b"), vflags("c"));
	T(open("c/new", O_CREAT | O_WRONLY, 0644));
	T(f = open("b/new2", O_CREAT | O_WRONLY, 0644));
	close(f);
	printf("c/new2 %d (one superblock)\n", exists("c/new2"));

	puts("-- mount_setattr");
	at = (struct mattr){ .attr_clr = M_RDONLY, .attr_set = M_NOEXEC | M_NODIRATIME };
	T(setattr_(AT_FDCWD, "c", 0, &at, sizeof at));
	printf("flags c %#lx\n", vflags("c"));
	T(f = open("c/new", O_CREAT | O_WRONLY, 0644));
	close(f);
	T(setattr_(AT_FDCWD, "c", 0x1, &at, sizeof at));         /* bad flags */
	T(setattr_(AT_FDCWD, "c", 0, &at, 8));
	char big[5000] = { 0 };
	T(setattr_(AT_FDCWD, "c", 0, (struct mattr *)big, sizeof big));
	big[40] = 1;
	T(setattr_(AT_FDCWD, "c", 0, (struct mattr *)big, 64));
	at = (struct mattr){ .propagation = MS_SHARED | MS_SLAVE };
	T(setattr_(AT_FDCWD, "c", 0, &at, sizeof at));
	at = (struct mattr){ .attr_set = 0x100 };
	T(setattr_(AT_FDCWD, "c", 0, &at, sizeof at));
	at = (struct mattr){ .attr_set = M_NOATIME };
	T(setattr_(AT_FDCWD, "c", 0, &at, sizeof at));           /* atime without clearing */
	at = (struct mattr){ .attr_set = M_NOATIME, .attr_clr = M_ATIME };
	T(setattr_(AT_FDCWD, "c", 0, &at, sizeof at));
	printf("flags c %#lx\n", vflags("c"));
	at = (struct mattr){ .attr_set = M_IDMAP, .userns_fd = 999 };
	T(setattr_(AT_FDCWD, "c", 0, &at, sizeof at));
	at = (struct mattr){ .attr_set = M_IDMAP, .userns_fd = 1ULL << 32 };
	T(setattr_(AT_FDCWD, "c", 0, &at, sizeof at));
	at = (struct mattr){ .attr_set = M_NOSYMFOLLOW };
	T(setattr_(AT_FDCWD, "c/hello", 0, &at, sizeof at));     /* not a mount's root */
	T(setattr_(AT_FDCWD, "c", 0, &at, sizeof at));
	printf("flags c %#lx\n", vflags("c"));
	T(symlink("hello", "c/lnk"));
	T(open("c/lnk", O_RDONLY));                     /* nosymfollow: ELOOP */
	T(f = open("b/lnk", O_RDONLY));                 /* the same link, another mount */
	close(f);
	char lbuf[16];
	T(readlink("c/lnk", lbuf, sizeof lbuf));        /* reading a link is not following it */
	at = (struct mattr){ 0 };
	T(setattr_(AT_FDCWD, "nothere", 0, &at, sizeof at));     /* a no-op looks nothing up */

	puts("-- fspick");
	T(fspick_(AT_FDCWD, "b/sub", 0));
	T(fspick_(AT_FDCWD, "b", 0x10));
	T(fspick_(-1, "b", 0));
	int kfd;
	T(kfd = fspick_(AT_FDCWD, "b", 0));
	T(fsconfig_(kfd, FSCONFIG_SET_FLAG, "ro", NULL, 0));
	T(fsconfig_(kfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	T(fsconfig_(kfd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0));
	printf("flags b %#lx c %#lx\n", vflags("b"), vflags("c"));
	T(open("b/new3", O_CREAT | O_WRONLY, 0644));
	T(fsconfig_(kfd, FSCONFIG_SET_FLAG, "rw", NULL, 0));
	T(fsconfig_(kfd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0));
	printf("flags b %#lx c %#lx\n", vflags("b"), vflags("c"));
	close(kfd);

	puts("-- recursive clones");
	T(mount("nm-sub", "b/sub", "tmpfs", 0, NULL));
	T(cfd = open_tree_(AT_FDCWD, "b", OPEN_TREE_CLONE | AT_RECURSIVE));
	T(move_mount_(cfd, "", AT_FDCWD, "d", MOVE_MOUNT_F_EMPTY_PATH));
	close(cfd);
	T(cfd = open_tree_(AT_FDCWD, "b", OPEN_TREE_CLONE));
	T(move_mount_(cfd, "", AT_FDCWD, "d2", MOVE_MOUNT_F_EMPTY_PATH));
	close(cfd);
	printf("d/sub a mount %d, d2/sub a mount %d, listed nm-sub %d\n",
	       dev_of("d/sub") != dev_of("d"), dev_of("d2/sub") != dev_of("d2"),
	       mounted("nm-sub"));
	/* a clone never attached goes away with its descriptor */
	T(cfd = open_tree_(AT_FDCWD, "b", OPEN_TREE_CLONE | AT_RECURSIVE));
	close(cfd);
	printf("listed nm-sub %d nm-one %d\n", mounted("nm-sub"), mounted("nm-one"));

	puts("-- beneath");
	T(mount("nm-top", "e", "tmpfs", 0, NULL));
	T(f = open("e/top", O_CREAT | O_WRONLY, 0644));
	close(f);
	T(cfd = open_tree_(AT_FDCWD, "b", OPEN_TREE_CLONE));
	int efd = open("e", O_PATH);
	T(move_mount_(cfd, "", efd, "", MOVE_MOUNT_BENEATH | MOVE_MOUNT_F_EMPTY_PATH
		      | MOVE_MOUNT_T_EMPTY_PATH));
	close(efd);
	close(cfd);
	printf("e/top %d e/hello %d\n", exists("e/top"), exists("e/hello"));
	T(umount("e"));
	printf("e/top %d e/hello %d\n", exists("e/top"), exists("e/hello"));

	puts("-- what is detached is in no one's tree");
	T(fd = fsopen_("tmpfs", 0));
	T(fsconfig_(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	T(mfd = fsmount_(fd, 0, 0));
	close(fd);
	mkdirat(mfd, "sub", 0755);
	char dp[64];
	snprintf(dp, sizeof dp, "/proc/self/fd/%d/sub", mfd);
	T(mount("nm-in", dp, "tmpfs", 0, NULL));
	T(mount("b", dp, NULL, MS_BIND, NULL));
	T(mount("none", dp, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	T(umount(dp));
	T(mount("nm-t2", "d", "tmpfs", 0, NULL));
	int dfd = openat(mfd, "sub", O_PATH);
	T(move_mount_(AT_FDCWD, "d", dfd, "", MOVE_MOUNT_T_EMPTY_PATH));
	close(dfd);
	T(umount("d"));
	T(cfd = open_tree_(mfd, "", OPEN_TREE_CLONE | AT_EMPTY_PATH));  /* a clone of it */
	T(move_mount_(cfd, "", AT_FDCWD, "d", MOVE_MOUNT_F_EMPTY_PATH));
	close(cfd);
	T(umount("d"));
	close(mfd);

	puts("-- a context closed unmounted");
	T(fd = fsopen_("tmpfs", 0));
	T(fsconfig_(fd, FSCONFIG_SET_STRING, "source", "nm-gone", 0));
	T(fsconfig_(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	T(mfd = fsmount_(fd, 0, M_RDONLY));
	close(fd);
	T(f = openat(mfd, "x", O_CREAT | O_WRONLY, 0644));
	close(mfd);
	printf("listed nm-gone %d\n", mounted("nm-gone"));

	puts("-- statmount, listmount");
	statmount_listmount(argv[1]);

	puts("-- shared subtrees");
	propagation();

	T(umount2(argv[1], MNT_DETACH));
	fflush(stdout);
	return 0;
}
