/* capdrop: privilege checks ask for a capability, not for uid 0.  As
 * root, each operation runs in a child that drops just the capabilities
 * Linux checks from its effective set (capset), then in one that keeps
 * them all; it prints "ok" or the errno.  DIR (argv[1]) takes the scratch
 * files (/dev/shm natively).  Nothing here mounts, sets a clock or clears
 * the kernel log. */
#define _GNU_SOURCE
#include "procs.h"
#include <fcntl.h>

#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <termios.h>

#define CAP_DAC_OVERRIDE	1
#define CAP_FOWNER		3
#define CAP_FSETID		4
#define CAP_SETGID		6
#define CAP_SETUID		7
#define CAP_SYS_PTRACE		19
#define CAP_SYS_ADMIN		21
#define CAP_SYS_NICE		23
#define CAP_SYS_TTY_CONFIG	26
#define CAP_SYSLOG		34
#define KEY_SPEC_PROCESS_KEYRING (-2)
#define KEYCTL_CHOWN		4
#define KEYCTL_SETPERM		5
#define BIT(c)			(1ull << (c))

static unsigned long long dropping;	/* the capabilities this run drops */
static char dir[256];
static char scratch[4096] __attribute__((aligned(4096)));

/* take the run's capabilities out of the effective set */
static void drop(void)
{
	struct { unsigned version; int pid; } h = {0x20080522, 0};
	struct { unsigned eff, perm, inh; } d[2];
	syscall(SYS_capget, &h, d);
	d[0].eff &= ~(unsigned)dropping;
	d[1].eff &= ~(unsigned)(dropping >> 32);
	if (syscall(SYS_capset, &h, d))
		printf("capset: %s\n", strerror(errno));
}

static void result(const char *what, long r)
{
	if (r < 0)
		printf("  %s: %s\n", what, strerror(errno));
	else
		printf("  %s: ok\n", what);
}
#define R(expr) do { errno = 0; result(#expr, (long)(expr)); } while (0)

static void do_syslog(void)
{
	drop();
	R(syscall(SYS_syslog, 9 /* SIZE_UNREAD */, NULL, 0));
}

static void do_mempolicy(void)
{
	unsigned long nodes = 3;
	drop();
	R(syscall(SYS_mbind, scratch, 4096, 0 /* MPOL_DEFAULT */, NULL, 0, 4 /* MOVE_ALL */));
	R(syscall(SYS_move_pages, 0, 0, NULL, NULL, NULL, 4 /* MOVE_ALL */));
	errno = 0;
	long r = syscall(SYS_migrate_pages, 0, 64, &nodes, &nodes);
	if (r < 0 && errno == EPERM)
		printf("  migrate_pages to node 1: %s\n", strerror(errno));
	else
		printf("  migrate_pages to node 1: allowed\n");
}

static void do_sched(void)
{
	struct sched_param sp = { .sched_priority = 1 };
	drop();
	R(syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &sp));
}

static void do_process_madvise(void)
{
	int pidfd = syscall(SYS_pidfd_open, getppid(), 0);
	struct iovec iov = { scratch, 4096 };
	drop();
	R(syscall(SYS_process_madvise, pidfd, &iov, 1, 20 /* MADV_COLD */, 0));
}

static void do_userfaultfd(void)
{
	drop();
	R(syscall(SYS_userfaultfd, O_CLOEXEC));
	int fd = syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
	struct { unsigned long long api, features, ioctls; } api = { 0xAA, 2 /* EVENT_FORK */, 0 };
	/* pyuml has no EVENT_FORK: EINVAL when allowed */
	errno = 0;
	long r = ioctl(fd, 0xc018aa3f /* UFFDIO_API */, &api);
	printf("  UFFD_FEATURE_EVENT_FORK: %s\n", r < 0 && errno == EPERM ? strerror(errno) : "allowed");
}

static void do_fanotify(void)
{
	drop();
	R(syscall(SYS_fanotify_init, 0, O_RDONLY));
}

static int fsfd = -1;		/* fsopen'd with every capability */

static void do_mount_api(void)
{
	drop();
	R(syscall(SYS_fsopen, "tmpfs", 1));
	R(syscall(SYS_fspick, AT_FDCWD, "/proc", 1));
	R(syscall(SYS_open_tree, AT_FDCWD, dir, 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC));
	R(syscall(SYS_fsmount, -1, 0, 0));
	R(syscall(SYS_move_mount, -1, "", AT_FDCWD, dir, 4 /* MOVE_MOUNT_F_EMPTY_PATH */));
	R(syscall(SYS_fsconfig, fsfd, 6 /* FSCONFIG_CMD_CREATE */, NULL, NULL, 0));
}

static void do_xattr(void)
{
	char path[300], buf[64];
	snprintf(path, sizeof path, "%s/x", dir);
	drop();
	R(setxattr(path, "trusted.capdrop", "v", 1, 0));
	R(getxattr(path, "trusted.seeded", buf, sizeof buf));
	ssize_t n = listxattr(path, buf, sizeof buf);
	printf("  trusted.seeded listed: %d\n", n > 0 && memmem(buf, n, "trusted.seeded", 14) != NULL);
}

static void do_vhangup(void)
{
	setsid();			/* no controlling terminal to hang up */
	drop();
	R(vhangup());
}

static int pty_slave(int flags)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	grantpt(m);
	unlockpt(m);
	return open(ptsname(m), flags);
}

static void do_tty(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	grantpt(m);
	unlockpt(m);
	int s = open(ptsname(m), O_RDWR | O_NOCTTY);
	char c = 'x';
	ioctl(s, TIOCEXCL);
	drop();
	R(ioctl(m, TIOCSTI, &c));
	R(open(ptsname(m), O_RDWR | O_NOCTTY));
	R(ioctl(s, TIOCVHANGUP));
}

/* in a new session of a child: TIOCSCTTY on fd */
static void sctty(int fd, int arg, const char *what)
{
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		setsid();
		drop();
		errno = 0;
		result(what, ioctl(fd, TIOCSCTTY, arg));
		fflush(stdout);
		_exit(0);
	}
	waitpid(p, NULL, 0);
}

static void do_tiocsctty(void)
{
	setsid();
	int s = pty_slave(O_RDWR);	/* our controlling terminal now */
	int w = pty_slave(O_WRONLY | O_NOCTTY);	/* another, in no session */
	sctty(s, 1, "steal the parent session's terminal");
	sctty(w, 0, "a terminal open only for writing");
}

static void do_keys(void)
{
	long k = syscall(SYS_add_key, "user", "capdrop", "v", 1, KEY_SPEC_PROCESS_KEYRING);
	long k2 = syscall(SYS_add_key, "user", "capdrop2", "v", 1, KEY_SPEC_PROCESS_KEYRING);
	syscall(SYS_keyctl, KEYCTL_CHOWN, k2, 1234, -1);
	drop();
	R(syscall(SYS_keyctl, KEYCTL_CHOWN, k, 1234, -1));
	R(syscall(SYS_keyctl, KEYCTL_SETPERM, k2, 0x3f3f0000));
}

static void send_creds(pid_t pid, uid_t uid, gid_t gid)
{
	int sv[2], one = 1;
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
	struct ucred uc = { pid, uid, gid };
	char cbuf[CMSG_SPACE(sizeof uc)];
	struct iovec iov = { "x", 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof cbuf };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof uc);
	memcpy(CMSG_DATA(cm), &uc, sizeof uc);
	char what[64];
	snprintf(what, sizeof what, "SCM_CREDENTIALS %s", pid != getpid() ? "pid"
		 : uid ? "uid" : "gid");
	errno = 0;
	result(what, sendmsg(sv[0], &mh, 0));
	close(sv[0]);
	close(sv[1]);
}

static void do_scm(void)
{
	drop();
	send_creds(getppid(), 0, 0);
	send_creds(getpid(), 1234, 0);
	send_creds(getpid(), 0, 1234);
}

/* a file of someone else's that root may not write without DAC_OVERRIDE */
static void do_foreign_file(void)
{
	char path[300];
	snprintf(path, sizeof path, "%s/foreign", dir);
	int fd = open(path, O_RDONLY);
	char *p = mmap(NULL, 4 * 4096, PROT_READ, MAP_SHARED, fd, 0);
	unsigned char vec[4];
	drop();
	R(mincore(p, 4 * 4096, vec));
	printf("  resident: %d %d %d %d\n", vec[0], vec[1], vec[2], vec[3]);
	struct { unsigned long long off, len; } range = { 0, 0 };
	unsigned long long cs[5];
	R(syscall(451 /* cachestat */, fd, &range, cs, 0));
}

static void do_sgid(void)
{
	char path[300];
	struct stat st;
	snprintf(path, sizeof path, "%s/sgid/f-%llx", dir, dropping);
	drop();
	umask(0);
	close(open(path, O_CREAT | O_WRONLY, 02755));
	stat(path, &st);
	printf("  setgid kept: %d\n", !!(st.st_mode & S_ISGID));
	unlink(path);
}

static void do_pagemap(void)
{
	unsigned long long e = 0;
	scratch[0] = 1;
	drop();
	int fd = open("/proc/self/pagemap", O_RDONLY);
	pread(fd, &e, 8, (unsigned long)scratch / 4096 * 8);
	printf("  present %d pfn shown %d\n", (int)(e >> 63), (e & ((1ull << 55) - 1)) != 0);
}

static const struct op {
	const char *name;
	unsigned long long caps;
	void (*fn)(void);
} ops[] = {
	{ "syslog without CAP_SYSLOG", BIT(CAP_SYSLOG), do_syslog },
	{ "syslog", BIT(CAP_SYSLOG) | BIT(CAP_SYS_ADMIN), do_syslog },
	{ "mempolicy", BIT(CAP_SYS_NICE), do_mempolicy },
	{ "sched_setscheduler", BIT(CAP_SYS_NICE), do_sched },
	{ "process_madvise", BIT(CAP_SYS_NICE), do_process_madvise },
	{ "userfaultfd", BIT(CAP_SYS_PTRACE), do_userfaultfd },
	{ "fanotify_init", BIT(CAP_SYS_ADMIN), do_fanotify },
	{ "mount API", BIT(CAP_SYS_ADMIN), do_mount_api },
	{ "trusted xattrs", BIT(CAP_SYS_ADMIN), do_xattr },
	{ "vhangup", BIT(CAP_SYS_TTY_CONFIG), do_vhangup },
	{ "tty ioctls", BIT(CAP_SYS_ADMIN), do_tty },
	{ "TIOCSCTTY", BIT(CAP_SYS_ADMIN), do_tiocsctty },
	{ "keyctl", BIT(CAP_SYS_ADMIN), do_keys },
	{ "SCM_CREDENTIALS pid", BIT(CAP_SYS_ADMIN), do_scm },
	{ "SCM_CREDENTIALS uid", BIT(CAP_SETUID), do_scm },
	{ "SCM_CREDENTIALS gid", BIT(CAP_SETGID), do_scm },
	{ "mincore, cachestat", BIT(CAP_FOWNER) | BIT(CAP_DAC_OVERRIDE), do_foreign_file },
	{ "setgid in a foreign group", BIT(CAP_FSETID), do_sgid },
	{ "pagemap", BIT(CAP_SYS_ADMIN), do_pagemap },
};

int main(int argc, char **argv)
{
	char path[300];
	if (argc < 2)
		return 2;
	if (access("/proc/self", R_OK)) {        /* pyuml's initramfs */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	if (access("/dev/ptmx", F_OK)) {
		mknod("/dev/ptmx", S_IFCHR | 0666, makedev(5, 2));
		mkdir("/dev/pts", 0755);
		mount("devpts", "/dev/pts", "devpts", 0, NULL);
	}
	test_as_child();
	mkdir(argv[1], 01777);
	snprintf(dir, sizeof dir, "%s/capdrop-%d", argv[1], getpid());
	mkdir(dir, 0755);
	snprintf(path, sizeof path, "%s/x", dir);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	setxattr(path, "trusted.seeded", "s", 1, 0);
	snprintf(path, sizeof path, "%s/foreign", dir);
	int fd = open(path, O_CREAT | O_WRONLY, 0444);
	ftruncate(fd, 4 * 4096);		/* sparse: no page cached */
	fchown(fd, 1234, 1234);
	close(fd);
	snprintf(path, sizeof path, "%s/sgid", dir);
	mkdir(path, 0777);
	chown(path, 0, 1234);
	chmod(path, 02777);
	fsfd = syscall(SYS_fsopen, "tmpfs", 1);
	for (int keep = 0; keep < 2; keep++) {
		for (unsigned i = 0; i < sizeof ops / sizeof *ops; i++) {
			printf("%s, %s:\n", ops[i].name, keep ? "all capabilities" : "dropped");
			fflush(stdout);
			dropping = keep ? 0 : ops[i].caps;
			pid_t p = fork();
			if (p == 0) {
				ops[i].fn();
				fflush(stdout);
				_exit(0);
			}
			int st;
			waitpid(p, &st, 0);
			if (st)
				describe_status("  child", st);
		}
	}
	snprintf(path, sizeof path, "%s/x", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/foreign", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/sgid", dir);
	rmdir(path);
	rmdir(dir);
	return 0;
}
