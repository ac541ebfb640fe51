/* fdops: dup/dup2/dup3, fcntl (flags, record locks, OFD locks), flock,
 * getdents64, getcwd/chdir/fchdir/chroot, sendfile and copy_file_range, in a
 * scratch directory argv[1].  One result per line; compared with the host. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sched.h>
#include <unistd.h>

static const char *ename(int e)
{
	switch (e) {
#define E(x) case x: return #x;
	E(EPERM) E(ENOENT) E(EBADF) E(EACCES) E(EEXIST) E(EXDEV) E(ENOTDIR)
	E(EISDIR) E(EINVAL) E(EMFILE) E(ERANGE) E(EAGAIN) E(EDEADLK) E(ESPIPE)
	E(EFAULT) E(ENOLCK) E(ELOOP)
#undef E
	}
	static char buf[32];
	snprintf(buf, sizeof buf, "errno %d", e);
	return buf;
}

#define T(expr) do { errno = 0; long _r = (long)(expr); \
	if (_r < 0) printf("%d %s = -1 %s\n", __LINE__, #expr, ename(errno)); \
	else printf("%d %s = %ld\n", __LINE__, #expr, _r); } while (0)

static void put(const char *p, const char *s)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write(fd, s, strlen(s));
	close(fd);
}

static void cat(const char *p)
{
	char buf[256];
	int fd = open(p, O_RDONLY);
	int n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	printf("  %s: [%s]\n", p, buf);
}

static int getlk(int fd, int type, int start, int len, int ofd)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	if (fcntl(fd, ofd ? F_OFD_GETLK : F_GETLK, &fl) < 0)
		return printf("  getlk: %s\n", ename(errno));
	return printf("  getlk %d+%d: type %d start %ld len %ld pid %s\n", start, len, fl.l_type,
		      (long)fl.l_start, (long)fl.l_len,
		      fl.l_type == F_UNLCK ? "-" : fl.l_pid == getppid() ? "parent" :
		      fl.l_pid == -1 ? "-1" : "other");
}

static int setlk(int fd, int cmd, int type, int start, int len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void getdents_test(void)
{
	mkdir("dir", 0755);
	char name[32];
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof name, "dir/file%02d", i);
		put(name, "x");
	}
	mkdir("dir/sub", 0755);
	symlink("file00", "dir/link");
	int fd = open("dir", O_RDONLY | O_DIRECTORY);
	char buf[512];
	char *names[64];
	int n = 0, calls = 0;
	long r;
	while ((r = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		calls++;
		for (long off = 0; off < r;) {
			struct { unsigned long ino; long off; unsigned short reclen; unsigned char type; char name[]; } *d = (void *)(buf + off);
			char *s = malloc(300);
			snprintf(s, 300, "%s/%d", d->name, d->type);
			names[n++] = s;
			off += d->reclen;
		}
	}
	printf("getdents: %d entries, last %ld, several calls %d\n", n, r, calls > 1);
	qsort(names, n, sizeof *names, cmp);
	for (int i = 0; i < n; i++) { printf(" %s", names[i]); free(names[i]); }
	printf("\n");
	T(lseek(fd, 0, SEEK_SET));
	T(syscall(SYS_getdents64, fd, buf, sizeof buf) > 0);
	T(syscall(SYS_getdents64, fd, buf, 10));
	T(syscall(SYS_getdents64, fd, (void *)8, sizeof buf));
	close(fd);
	fd = open("dir/file00", O_RDONLY);
	T(syscall(SYS_getdents64, fd, buf, sizeof buf));
	close(fd);
	T(syscall(SYS_getdents64, 999, buf, sizeof buf));
	/* an emptied directory lists . and .. only; a removed one nothing */
	mkdir("gone", 0755);
	fd = open("gone", O_RDONLY | O_DIRECTORY);
	rmdir("gone");
	T(syscall(SYS_getdents64, fd, buf, sizeof buf));
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc < 2) return 2;
	for (char *p = argv[1] + 1; *p; p++)
		if (*p == '/') { *p = 0; mkdir(argv[1], 0755); *p = '/'; }
	mkdir(argv[1], 0755);
	if (chdir(argv[1]) < 0) return 2;
	setvbuf(stdout, NULL, _IONBF, 0);

	/* dup family */
	put("f", "0123456789");
	int fd = open("f", O_RDWR | O_APPEND);
	T(fcntl(fd, F_GETFL) & ~O_LARGEFILE);
	T(fcntl(fd, F_GETFD));
	int d = dup(fd);
	T(d > fd);
	T(lseek(fd, 3, SEEK_SET));
	T(lseek(d, 0, SEEK_CUR));
	T(fcntl(d, F_GETFD));
	T(dup2(fd, fd));
	T(dup2(fd, 50));
	T(dup3(fd, 51, O_CLOEXEC));
	T(fcntl(51, F_GETFD));
	T(dup3(fd, fd, 0));
	T(dup3(fd, 52, 1));
	T(dup2(999, 53));
	T(dup2(fd, -1));
	T(dup2(fd, 100000));
	T(fcntl(fd, F_DUPFD, 60));
	T(fcntl(fd, F_DUPFD, 60));
	T(fcntl(fd, F_DUPFD_CLOEXEC, 70));
	T(fcntl(70, F_GETFD));
	T(fcntl(fd, F_DUPFD, -1));
	T(fcntl(fd, F_SETFL, O_NONBLOCK));
	T(fcntl(d, F_GETFL) & ~O_LARGEFILE);
	T(fcntl(fd, F_SETFD, FD_CLOEXEC));
	T(fcntl(fd, F_GETFD));
	T(fcntl(d, F_GETFD));
	T(fcntl(999, F_GETFD));
	/* F_CREATED_QUERY (Linux 6.12): did this open create the file? */
	int cq = open("created", O_RDWR | O_CREAT | O_EXCL, 0600);
	T(fcntl(cq, 1028 /* F_CREATED_QUERY */, 0));
	int cq2 = open("created", O_RDWR | O_CREAT, 0600);
	T(fcntl(cq2, 1028, 0));
	T(fcntl(dup(cq), 1028, 0));
	close(cq); close(cq2);
	T(fcntl(fd, 9999));
	T(close(50));
	T(close(50));
	struct rlimit rl = {64, 64};
	setrlimit(RLIMIT_NOFILE, &rl);
	T(fcntl(fd, F_DUPFD, 64));
	T(dup2(fd, 64));
	int last = -1, k;
	while ((k = dup(fd)) >= 0) last = k;
	printf("  dup until %s, last %d\n", ename(errno), last);
	for (int i = 3; i < 64; i++) if (i != fd) close(i);
	int p = open(".", O_PATH);
	T(fcntl(p, F_GETFL) & ~O_LARGEFILE);
	T(read(p, &k, 1));
	T(fcntl(p, F_DUPFD, 0) > 0);
	close(p);

	/* POSIX record locks between processes */
	close(fd);
	fd = open("f", O_RDWR);
	T(setlk(fd, F_SETLK, F_WRLCK, 0, 5));
	T(setlk(fd, F_SETLK, F_RDLCK, 10, 0));
	T(setlk(fd, F_SETLK, F_WRLCK, 2, 1));
	pid_t pid = fork();
	if (pid == 0) {
		int cfd = open("f", O_RDWR);
		getlk(cfd, F_WRLCK, 0, 1, 0);
		getlk(cfd, F_RDLCK, 3, 1, 0);
		getlk(cfd, F_RDLCK, 20, 5, 0);
		getlk(cfd, F_WRLCK, 20, 5, 0);
		getlk(cfd, F_WRLCK, 6, 4, 0);
		T(setlk(cfd, F_SETLK, F_WRLCK, 4, 2));
		T(setlk(cfd, F_SETLK, F_RDLCK, 30, 2));
		T(setlk(cfd, F_SETLK, F_WRLCK, 6, 4));
		getlk(cfd, F_WRLCK, 0, 0, 1);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	/* unlocking the middle splits a lock */
	T(setlk(fd, F_SETLK, F_UNLCK, 1, 2));
	pid = fork();
	if (pid == 0) {
		int cfd = open("f", O_RDWR);
		getlk(cfd, F_WRLCK, 0, 10, 0);
		getlk(cfd, F_WRLCK, 1, 2, 0);
		getlk(cfd, F_WRLCK, 3, 5, 0);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	/* closing any descriptor of the file drops the process's locks */
	int other = open("f", O_RDONLY);
	close(other);
	pid = fork();
	if (pid == 0) {
		int cfd = open("f", O_RDWR);
		getlk(cfd, F_WRLCK, 0, 0, 0);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	/* F_SETLKW: the child waits until the parent lets go */
	T(setlk(fd, F_SETLK, F_WRLCK, 0, 0));
	pid = fork();
	if (pid == 0) {
		int cfd = open("f", O_RDWR);
		/* no printing here: the parent's next line may race ours */
		_exit(setlk(cfd, F_SETLKW, F_WRLCK, 0, 0) == 0 ? 0 : 1);
	}
	sched_yield();
	T(setlk(fd, F_SETLK, F_UNLCK, 0, 0));
	waitpid(pid, &st, 0);
	printf("  waiter exited %d\n", WEXITSTATUS(st));
	T(setlk(fd, F_SETLK, 7, 0, 0));
	int ro = open("f", O_RDONLY);
	T(setlk(ro, F_SETLK, F_WRLCK, 0, 0));
	close(ro);

	/* OFD locks survive closing other descriptors, conflict within a process */
	int o1 = open("f", O_RDWR), o2 = open("f", O_RDWR);
	T(setlk(o1, F_OFD_SETLK, F_WRLCK, 0, 4));
	T(setlk(o2, F_OFD_SETLK, F_WRLCK, 2, 4));
	getlk(o2, F_RDLCK, 0, 1, 1);
	int o3 = open("f", O_RDONLY);
	close(o3);
	T(setlk(o2, F_OFD_SETLK, F_WRLCK, 2, 4));
	struct flock bad = { .l_type = F_WRLCK, .l_pid = 5 };
	T(fcntl(o1, F_OFD_SETLK, &bad));
	close(o1);
	T(setlk(o2, F_OFD_SETLK, F_WRLCK, 2, 4));
	close(o2);

	/* flock */
	o1 = open("f", O_RDONLY); o2 = open("f", O_RDONLY);
	T(flock(o1, LOCK_SH));
	T(flock(o2, LOCK_SH | LOCK_NB));
	T(flock(o2, LOCK_EX | LOCK_NB));
	T(flock(o1, LOCK_UN));
	T(flock(o2, LOCK_EX | LOCK_NB));
	T(flock(o1, LOCK_SH | LOCK_NB));
	T(flock(o1, 99));
	close(o2);
	T(flock(o1, LOCK_EX | LOCK_NB));
	close(o1);
	close(fd);

	/* sendfile, copy_file_range */
	put("src", "abcdefghijklmnopqrstuvwxyz");
	int s = open("src", O_RDONLY), t = open("dst", O_RDWR | O_CREAT | O_TRUNC, 0644);
	T(sendfile(t, s, NULL, 5));
	T(lseek(s, 0, SEEK_CUR));
	off_t off = 20;
	T(sendfile(t, s, &off, 100));
	T(off);
	T(lseek(s, 0, SEEK_CUR));
	cat("dst");
	loff_t a = 2, b = 1;
	T(copy_file_range(s, &a, t, &b, 3, 0));
	T(a + 100 * b);
	cat("dst");
	T(copy_file_range(s, NULL, t, NULL, 4, 0));
	T(copy_file_range(s, NULL, t, NULL, 4, 1));
	T(copy_file_range(t, NULL, t, NULL, 4, 0));
	cat("dst");
	/* Linux's order of checks: kinds before modes, wrapping offsets,
	 * the target's size limit */
	int dir = open(".", O_RDONLY), rdonly = open("src", O_RDONLY);
	T(copy_file_range(s, NULL, dir, NULL, 4, 0));
	T(copy_file_range(s, NULL, rdonly, NULL, 4, 0));
	T(copy_file_range(s, NULL, t, NULL, 4, 7));
	T(copy_file_range(s, NULL, 999, NULL, 4, 0));
	if (sizeof(size_t) == 8) {
		loff_t big = 0x7fffffffffffffffLL;
		T(copy_file_range(s, NULL, t, &big, (size_t)-1, 0));
		big = 0x7fffffffffffffffLL;
		T(copy_file_range(s, NULL, t, &big, 4, 0));
	}
	a = 0;
	T(copy_file_range(s, &a, t, NULL, 0, 0));
	close(dir);
	close(rdonly);
	T(sendfile(s, t, NULL, 4));
	T(sendfile(t, 999, NULL, 4));
	close(s); close(t);

	getdents_test();

	/* getcwd, chdir, fchdir, chroot */
	char cwd[4096];
	mkdir("c", 0755);
	mkdir("c/d", 0755);
	int dfd = open(".", O_RDONLY);
	T(chdir("c/d"));
	T(getcwd(cwd, sizeof cwd) != NULL); printf("  cwd ends %s\n", strrchr(cwd, '/'));
	T(getcwd(cwd, 3) != NULL);
	T(syscall(SYS_getcwd, cwd, 3));
	T(chdir("../../f"));
	T(chdir("missing"));
	T(fchdir(dfd));
	T(getcwd(cwd, sizeof cwd) != NULL); printf("  back: %s\n", strcmp(cwd, argv[1]) ? "no" : "yes");
	int ffd = open("f", O_RDONLY);
	T(fchdir(ffd));
	T(fchdir(999));
	T(chdir("c"));
	T(rmdir("../c/d"));
	T(rmdir("../c"));
	T(syscall(SYS_getcwd, cwd, sizeof cwd));
	T(fchdir(dfd));
	mkdir("jail", 0755);
	mkdir("jail/inner", 0755);
	put("jail/inner/treasure", "gold");
	T(chroot("jail"));
	T(syscall(SYS_getcwd, cwd, sizeof cwd) > 0); printf("  outside: %.13s\n", cwd);
	T(chdir("/"));
	T(syscall(SYS_getcwd, cwd, sizeof cwd)); printf("  %s\n", cwd);
	T(chdir("../../.."));
	T(syscall(SYS_getcwd, cwd, sizeof cwd)); printf("  %s\n", cwd);
	T(access("/inner/treasure", R_OK));
	T(access("/../inner/treasure", R_OK));
	T(access("f", R_OK));
	return 0;
}
