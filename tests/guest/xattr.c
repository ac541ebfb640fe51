/* xattr: extended attributes on tmpfs, compared with the host kernel.
 *
 *   xattr DIR basic   set/get/list/remove, flags, sizes, l* and f* forms
 *   xattr DIR errors  the errnos: names, sizes, flags, namespaces, EFAULT
 *   xattr DIR perms   trusted.*, user.* on sticky dirs and non-files,
 *                     read/write permission, as an unprivileged user
 *   xattr DIR acl     system.posix_acl_*: mode updates, validation,
 *                     chmod, and the ACL deciding access
 *   xattr DIR user [keep]  user.* only (hostfs keeps them on the host file)
 *
 * DIR must be on tmpfs (natively /dev/shm; pyuml's root is tmpfs).  The
 * work happens in DIR/xattr-PID, removed at the end.
 */
#include "procs.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>

static void *volatile bad_ptr = (void *)8;
#define BAD bad_ptr

static void show_list(const char *path, int follow)
{
	char buf[4096];
	ssize_t n = follow ? listxattr(path, buf, sizeof buf) : llistxattr(path, buf, sizeof buf);
	printf("list %s ->", path);
	if (n < 0) {
		printf(" %s\n", strerror(errno));
		return;
	}
	for (ssize_t i = 0; i < n; i += strlen(buf + i) + 1)
		printf(" %s", buf + i);
	printf(" (%zd)\n", n);
}

static void show_get(const char *path, const char *name)
{
	char buf[256];
	ssize_t n = getxattr(path, name, buf, sizeof buf - 1);
	if (n < 0) {
		printf("get %s %s -> %s\n", path, name, strerror(errno));
		return;
	}
	buf[n] = 0;
	printf("get %s %s -> %zd '%s'\n", path, name, n, buf);
}

static void basic(void)
{
	char buf[64];
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	mkdir("d", 0755);
	symlink("f", "l");
	SHOW(setxattr("f", "user.a", "one", 3, 0));
	SHOW(setxattr("f", "user.b", "", 0, 0));
	SHOW(setxattr("f", "user.a", "x", 1, XATTR_CREATE));
	SHOW(setxattr("f", "user.c", "x", 1, XATTR_REPLACE));
	SHOW(setxattr("f", "user.a", "two", 3, XATTR_REPLACE));
	SHOW(setxattr("f", "trusted.t", "tt", 2, 0));
	SHOW(setxattr("f", "security.s", "ss", 2, 0));
	show_get("f", "user.a");
	show_get("f", "user.b");
	show_get("f", "user.none");
	show_get("l", "user.a");
	show_get("f", "trusted.t");
	show_get("f", "security.s");
	SHOW(getxattr("f", "user.a", NULL, 0));
	SHOW(getxattr("f", "user.a", buf, 2));
	SHOW(lgetxattr("l", "user.a", buf, sizeof buf));
	SHOW(lsetxattr("l", "user.a", "x", 1, 0));
	SHOW(lsetxattr("l", "trusted.l", "x", 1, 0));
	SHOW(lgetxattr("l", "trusted.l", buf, sizeof buf));
	show_list("f", 1);
	show_list("l", 1);
	show_list("l", 0);
	SHOW(listxattr("f", NULL, 0));
	SHOW(listxattr("f", buf, 5));
	SHOW(fsetxattr(fd, "user.f", "ff", 2, 0));
	SHOW(fgetxattr(fd, "user.f", buf, sizeof buf));
	SHOW(flistxattr(fd, buf, sizeof buf));
	SHOW(fremovexattr(fd, "user.f"));
	SHOW(fremovexattr(fd, "user.f"));
	SHOW(removexattr("f", "user.b"));
	SHOW(lremovexattr("l", "user.a"));
	SHOW(lremovexattr("l", "trusted.l"));
	show_list("f", 1);
	SHOW(setxattr("d", "user.dir", "dd", 2, 0));
	show_get("d", "user.dir");
	show_list("d", 1);
	/* big values: up to 64 KiB */
	static char big[100001];
	memset(big, 'v', sizeof big);
	SHOW(setxattr("f", "user.big", big, 65536, 0));
	SHOW(setxattr("f", "user.big", big, 65537, 0));
	SHOW(getxattr("f", "user.big", NULL, 0));
	SHOW(getxattr("f", "user.big", big, 65536));
	SHOW(getxattr("f", "user.big", big, 100000));
	SHOW(getxattr("f", "user.big", big, 100));
	SHOW(removexattr("f", "user.big"));
	/* a long name is fine up to 255 bytes */
	char name[300];
	strcpy(name, "user.");
	memset(name + 5, 'n', 250);
	name[255] = 0;
	SHOW(setxattr("f", name, "n", 1, 0));
	SHOW(listxattr("f", NULL, 0));
	/* O_PATH, pipes */
	int p[2], op = open("f", O_PATH);
	pipe(p);
	SHOW(fgetxattr(op, "user.a", buf, sizeof buf));
	SHOW(fsetxattr(op, "user.a", "x", 1, 0));
	SHOW(flistxattr(op, buf, sizeof buf));
	SHOW(fsetxattr(p[0], "user.a", "x", 1, 0));
	SHOW(fgetxattr(p[0], "user.a", buf, sizeof buf));
	SHOW(fgetxattr(1000, "user.a", buf, sizeof buf));
	/* the ctime moves */
	struct stat a, b;
	stat("f", &a);
	usleep(20000);
	setxattr("f", "user.t", "1", 1, 0);
	stat("f", &b);
	printf("ctime moved: %d\n", b.st_ctim.tv_sec * 1000000000L + b.st_ctim.tv_nsec
	       > a.st_ctim.tv_sec * 1000000000L + a.st_ctim.tv_nsec);
}

/* user.* only: what a hostfs directory keeps on the host file */
static void user(void)
{
	char buf[64];
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	mkdir("d", 0755);
	symlink("f", "l");
	SHOW(setxattr("f", "user.a", "one", 3, 0));
	SHOW(setxattr("f", "user.a", "x", 1, XATTR_CREATE));
	SHOW(setxattr("f", "user.c", "x", 1, XATTR_REPLACE));
	SHOW(setxattr("l", "user.b", "two", 3, 0));
	show_get("f", "user.a");
	show_get("l", "user.b");
	show_get("f", "user.none");
	SHOW(getxattr("f", "user.a", buf, 1));
	SHOW(lsetxattr("l", "user.x", "x", 1, 0));
	SHOW(lgetxattr("l", "user.a", buf, sizeof buf));
	SHOW(fsetxattr(fd, "user.f", "ff", 2, 0));
	SHOW(fgetxattr(fd, "user.f", buf, sizeof buf));
	SHOW(fremovexattr(fd, "user.f"));
	SHOW(removexattr("f", "user.f"));
	SHOW(setxattr("d", "user.dir", "dd", 2, 0));
	show_get("d", "user.dir");
	SHOW(setxattr("f", "bogus.x", "x", 1, 0));
	SHOW(listxattr("f", buf, 1));
	SHOW(listxattr("f", NULL, 0));
	SHOW(removexattr("f", "user.b"));
	SHOW(setxattr("f", "user.keep", "kept", 4, 0));
}

/* setxattrat & co (Linux 6.13): a dirfd, AT_* flags, struct xattr_args */
struct xattr_args { uint64_t value; uint32_t size, flags; };

static void at(void)
{
	char buf[64];
	int dfd = open(".", O_RDONLY | O_DIRECTORY), fd = open("f", O_CREAT | O_RDWR, 0644);
	symlink("f", "l");
	struct xattr_args a = { (uintptr_t)"atval", 5, 0 };
	SHOW(syscall(463, dfd, "f", 0, "user.at", &a, sizeof a));
	a.flags = XATTR_CREATE;
	SHOW(syscall(463, dfd, "f", 0, "user.at", &a, sizeof a));
	SHOW(syscall(463, dfd, "l", 0x100, "user.at", &a, sizeof a));   /* NOFOLLOW: a symlink */
	SHOW(syscall(463, dfd, "f", 0x4, "user.at", &a, sizeof a));     /* bad at_flags */
	SHOW(syscall(463, dfd, "f", 0, "user.at", &a, 8));
	char big[32] = { 0 };
	memcpy(big, &a, sizeof a);
	big[20] = 1;
	SHOW(syscall(463, dfd, "f", 0, "user.b", big, sizeof big));
	struct xattr_args g = { (uintptr_t)buf, sizeof buf, 0 };
	SHOW(syscall(464, dfd, "f", 0, "user.at", &g, sizeof g));
	SHOW(syscall(464, fd, "", 0x1000, "user.at", &g, sizeof g));    /* AT_EMPTY_PATH */
	SHOW(syscall(464, fd, "", 0, "user.at", &g, sizeof g));
	g.flags = 1;
	SHOW(syscall(464, dfd, "f", 0, "user.at", &g, sizeof g));
	SHOW(syscall(465, dfd, "f", 0, buf, sizeof buf));
	SHOW(syscall(466, dfd, "f", 0, "user.at"));
	SHOW(syscall(466, dfd, "f", 0, "user.at"));
	SHOW(syscall(465, AT_FDCWD, "f", 0, NULL, 0));
}

static void errors(void)
{
	char buf[64];
	char name[300];
	close(open("f", O_CREAT | O_RDWR, 0644));
	mkfifo("fifo", 0644);
	SHOW(setxattr("f", "", "x", 1, 0));
	memset(name, 'a', 299);
	memcpy(name, "user.", 5);
	name[256] = 0;
	SHOW(setxattr("f", name, "x", 1, 0));
	SHOW(getxattr("f", name, buf, sizeof buf));
	SHOW(removexattr("f", name));
	SHOW(setxattr("f", "user.", "x", 1, 0));
	SHOW(getxattr("f", "user.", buf, sizeof buf));
	SHOW(setxattr("f", "bogus.x", "x", 1, 0));
	SHOW(getxattr("f", "bogus.x", buf, sizeof buf));
	SHOW(removexattr("f", "bogus.x"));
	SHOW(setxattr("f", "system.other", "x", 1, 0));
	SHOW(getxattr("f", "system.other", buf, sizeof buf));
	SHOW(setxattr("f", "user.a", "x", 1, 4));
	SHOW(setxattr("f", "user.a", "x", 1, XATTR_CREATE | XATTR_REPLACE));
	SHOW(setxattr("f", "user.a", "x", 1, XATTR_CREATE | XATTR_REPLACE));
	SHOW(setxattr("f", BAD, "x", 1, 0));
	SHOW(setxattr("f", "user.a", BAD, 1, 0));
	SHOW(setxattr(BAD, "user.a", "x", 1, 0));
	SHOW(getxattr("f", "user.a", BAD, 10));
	SHOW(listxattr("f", BAD, 100));
	SHOW(setxattr("missing", "user.a", "x", 1, 0));
	SHOW(getxattr("missing", "user.a", buf, sizeof buf));
	SHOW(listxattr("missing", buf, sizeof buf));
	SHOW(removexattr("f", "user.never"));
	SHOW(setxattr("fifo", "user.a", "x", 1, 0));
	SHOW(getxattr("fifo", "user.a", buf, sizeof buf));
	SHOW(setxattr("fifo", "trusted.a", "x", 1, 0));
	SHOW(getxattr("fifo", "trusted.a", buf, sizeof buf));
	SHOW(setxattr("f", "security.capability", "x", 1, 0));
}

static void as_user(void)
{
	char buf[64];
	SHOW(setxattr("f", "trusted.u", "x", 1, 0));
	SHOW(getxattr("f", "trusted.t", buf, sizeof buf));
	show_list("f", 1);
	SHOW(setxattr("f", "security.u", "x", 1, 0));
	SHOW(getxattr("f", "security.s", buf, sizeof buf));
	SHOW(setxattr("f", "user.u", "x", 1, 0));      /* 0644 root's: EACCES */
	SHOW(getxattr("f", "user.a", buf, sizeof buf)); /* readable */
	SHOW(getxattr("noread", "user.a", buf, sizeof buf));
	SHOW(setxattr("open", "user.u", "x", 1, 0));   /* 0666 */
	SHOW(setxattr("sticky", "user.u", "x", 1, 0));
	SHOW(setxattr("mine", "user.u", "x", 1, 0));
	SHOW(removexattr("open", "user.u"));
}

static void perms(void)
{
	close(open("f", O_CREAT | O_RDWR, 0644));
	close(open("noread", O_CREAT | O_RDWR, 0600));
	close(open("open", O_CREAT | O_RDWR, 0666));
	chmod("open", 0666);
	mkdir("sticky", 01777);
	chmod("sticky", 01777);
	mkdir("mine", 0755);
	chown("mine", 65534, 65534);
	chmod(".", 0777);
	setxattr("f", "trusted.t", "t", 1, 0);
	setxattr("f", "security.s", "s", 1, 0);
	setxattr("f", "user.a", "a", 1, 0);
	setxattr("noread", "user.a", "a", 1, 0);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(99);
		as_user();
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	printf("child %d\n", st);
}

/* struct posix_acl_xattr: version 2, then (tag, perm, id) entries */
struct ace { uint16_t tag, perm; uint32_t id; };
struct acl { uint32_t version; struct ace e[8]; };

static int set_acl(const char *path, const char *name, int n, const struct ace *e, uint32_t ver)
{
	struct acl a;
	a.version = ver;
	memcpy(a.e, e, n * sizeof *e);
	return setxattr(path, name, &a, 4 + n * sizeof *e, 0);
}

static void show_acl(const char *path, const char *name)
{
	struct acl a;
	ssize_t n = getxattr(path, name, &a, sizeof a);
	printf("acl %s %s ->", path, name);
	if (n < 0) {
		printf(" %s\n", strerror(errno));
		return;
	}
	printf(" v%u", a.version);
	for (int i = 0; i < (n - 4) / 8; i++)
		printf(" %x:%o:%d", a.e[i].tag, a.e[i].perm, (int)a.e[i].id);
	printf("\n");
}

static void mode_of(const char *path)
{
	struct stat st;
	stat(path, &st);
	printf("mode %s %o\n", path, st.st_mode & 07777);
}

static void acl(void)
{
	const char *A = "system.posix_acl_access", *D = "system.posix_acl_default";
	close(open("f", O_CREAT | O_RDWR, 0644));
	chmod("f", 0644);
	mkdir("d", 0755);
	chmod(".", 0777);
	show_acl("f", A);
	/* equivalent to a mode: only the mode changes */
	struct ace plain[] = { {1, 6, -1}, {4, 4, -1}, {0x20, 0, -1} };
	SHOW(set_acl("f", A, 3, plain, 2));
	mode_of("f");
	show_acl("f", A);
	show_list("f", 1);
	/* a named user: stored, the group bits are the mask */
	struct ace named[] = { {1, 7, -1}, {2, 6, 65534}, {4, 4, -1}, {0x10, 6, -1}, {0x20, 0, -1} };
	SHOW(set_acl("f", A, 5, named, 2));
	mode_of("f");
	show_acl("f", A);
	show_list("f", 1);
	/* 65534 may write through its entry, another user may not */
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		setgid(65533);
		setuid(65534);
		SHOW(open("f", O_WRONLY));
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	SHOW(chmod("f", 0640));
	show_acl("f", A);
	/* the mask now says read only */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		setgid(65533);
		setuid(65534);
		SHOW(open("f", O_WRONLY));
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		setgid(65533);
		setuid(65533);
		SHOW(open("f", O_WRONLY));
		SHOW(open("f", O_RDONLY));
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	/* invalid ones */
	struct ace nomask[] = { {1, 7, -1}, {2, 6, 65534}, {4, 4, -1}, {0x20, 0, -1} };
	SHOW(set_acl("f", A, 4, nomask, 2));
	struct ace unsorted[] = { {4, 4, -1}, {1, 7, -1}, {0x20, 0, -1} };
	SHOW(set_acl("f", A, 3, unsorted, 2));
	struct ace dup[] = { {1, 7, -1}, {2, 6, 7}, {2, 6, 7}, {4, 4, -1}, {0x10, 6, -1}, {0x20, 0, -1} };
	SHOW(set_acl("f", A, 6, dup, 2));
	struct ace badperm[] = { {1, 8, -1}, {4, 4, -1}, {0x20, 0, -1} };
	SHOW(set_acl("f", A, 3, badperm, 2));
	struct ace badtag[] = { {1, 7, -1}, {3, 4, -1}, {0x20, 0, -1} };
	SHOW(set_acl("f", A, 3, badtag, 2));
	SHOW(set_acl("f", A, 3, plain, 1));
	SHOW(setxattr("f", A, "abc", 3, 0));
	SHOW(setxattr("f", A, "abcdefg", 7, 0));
	/* default ACLs are for directories */
	SHOW(set_acl("f", D, 3, plain, 2));
	SHOW(set_acl("d", D, 3, plain, 2));
	show_acl("d", D);
	show_list("d", 1);
	SHOW(removexattr("d", D));
	SHOW(removexattr("d", D));
	show_acl("d", D);
	SHOW(removexattr("f", A));
	show_acl("f", A);
	mode_of("f");
	SHOW(removexattr("f", A));
	/* only the owner may set an ACL */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		setuid(65534);
		SHOW(set_acl("f", A, 5, named, 2));
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
}

static void cleanup(const char *dir)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "%s", dir);
	const char *names[] = { "f", "l", "fifo", "noread", "open", "mine", "sticky", "d", 0 };
	for (int i = 0; names[i]; i++) {
		unlink(names[i]);
		rmdir(names[i]);
	}
	chdir("/");
	rmdir(cmd);
}

int main(int argc, char **argv)
{
	char dir[256];
	if (argc < 3)
		return 2;
	test_as_child();
	mkdir(argv[1], 0777);
	snprintf(dir, sizeof dir, "%s/xattr-%d", argv[1], getpid());
	if ((mkdir(dir, 0755) && errno != EEXIST) || chdir(dir)) {
		perror(dir);
		return 1;
	}
	if (!strcmp(argv[2], "basic"))
		basic();
	else if (!strcmp(argv[2], "errors"))
		errors();
	else if (!strcmp(argv[2], "perms"))
		perms();
	else if (!strcmp(argv[2], "acl"))
		acl();
	else if (!strcmp(argv[2], "user"))
		user();
	else if (!strcmp(argv[2], "at"))
		at();
	fflush(stdout);
	if (argc > 3)
		return 0;               /* "keep": leave the files for the caller */
	cleanup(dir);
	return 0;
}
