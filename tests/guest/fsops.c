/* fsops: the directory-changing and attribute system calls, one result per
 * line (value or errno name), in a scratch directory given as argv[1].
 * Run natively and under pyuml; the outputs must match. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e)
{
	switch (e) {
#define E(x) case x: return #x;
	E(EPERM) E(ENOENT) E(EBADF) E(EACCES) E(EEXIST) E(EXDEV) E(ENOTDIR)
	E(EISDIR) E(EINVAL) E(EMFILE) E(EFBIG) E(ENOSPC) E(EROFS) E(EMLINK)
	E(ENAMETOOLONG) E(ENOTEMPTY) E(ELOOP) E(EBUSY) E(EFAULT) E(ERANGE)
	E(EOPNOTSUPP) E(ESPIPE) E(EAGAIN) E(EDEADLK)
#undef E
	}
	static char buf[32];
	snprintf(buf, sizeof buf, "errno %d", e);
	return buf;
}

#define T(expr) do { errno = 0; long _r = (long)(expr); \
	if (_r < 0) printf("%d %s = -1 %s\n", __LINE__, #expr, ename(errno)); \
	else printf("%d %s = %ld\n", __LINE__, #expr, _r); } while (0)

static void mode_of(const char *p)
{
	struct stat st;
	if (lstat(p, &st) < 0) { printf("  lstat %s: %s\n", p, ename(errno)); return; }
	printf("  %s: mode %o nlink %ld size %lld uid %d gid %d\n", p, st.st_mode,
	       (long)st.st_nlink, S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size,
	       st.st_uid, st.st_gid);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *p)
{
	DIR *d = opendir(p);
	if (!d) { printf("  opendir %s: %s\n", p, ename(errno)); return; }
	char *names[256];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256)
		names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, cmp);
	printf("  ls %s:", p);
	for (int i = 0; i < n; i++) { printf(" %s", names[i]); free(names[i]); }
	printf("\n");
}

static void put(const char *p, const char *s)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write(fd, s, strlen(s));
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc < 2) { printf("usage: fsops DIR\n"); return 2; }
	for (char *p = argv[1] + 1; *p; p++)
		if (*p == '/') { *p = 0; mkdir(argv[1], 0755); *p = '/'; }
	mkdir(argv[1], 0755);
	if (chdir(argv[1]) < 0) { printf("chdir %s: %s\n", argv[1], ename(errno)); return 2; }
	umask(022);
	char buf[256];

	/* mkdir, rmdir */
	T(mkdir("d", 0777));
	mode_of("d");
	T(mkdir("d", 0777));
	T(mkdir("d/e/f", 0777));
	T(mkdir("d/e/", 0700));
	T(mkdir("nofile/x", 0700));
	mode_of("d");
	T(rmdir("d"));
	T(rmdir("d/e/."));
	T(rmdir("d/e/.."));
	T(rmdir("d/e"));
	T(rmdir("d/e"));
	put("file", "hello");
	T(rmdir("file"));
	T(mkdir("file/x", 0700));
	T(unlink("d"));
	T(unlink("file/"));
	T(unlink("d/"));

	/* link, symlink, readlink */
	T(link("file", "hard"));
	mode_of("file");
	T(link("file", "hard"));
	T(link("d", "dlink"));
	T(link("missing", "x"));
	T(symlink("file", "sym"));
	T(symlink("nowhere", "dangling"));
	T(symlink("", "empty"));
	T(symlink("x", "sym"));
	memset(buf, 0, sizeof buf);
	T(readlink("sym", buf, sizeof buf)); printf("  -> %s\n", buf);
	T(readlink("sym", buf, 2));
	T(readlink("file", buf, sizeof buf));
	T(readlink("sym", buf, 0));
	T(open("dangling", O_RDONLY));
	T(open("dangling", O_RDONLY | O_NOFOLLOW));
	T(open("sym", O_RDONLY | O_NOFOLLOW));
	T(symlink("loop2", "loop1"));
	T(symlink("loop1", "loop2"));
	T(open("loop1", O_RDONLY));
	T(stat("loop1/x", &(struct stat){0}));
	T(mkdir("dangling", 0700));
	{ int fd = open("dangling", O_CREAT | O_WRONLY, 0600); printf("  creat through dangling: %s\n", fd >= 0 ? "ok" : ename(errno)); close(fd); }
	mode_of("nowhere");
	T(unlink("nowhere"));
	T(link("sym", "symhard"));
	mode_of("symhard");
	T(linkat(AT_FDCWD, "sym", AT_FDCWD, "symfollow", AT_SYMLINK_FOLLOW));
	mode_of("symfollow");

	/* rename */
	put("a", "A");
	put("b", "BB");
	T(rename("a", "b"));
	mode_of("a");
	mode_of("b");
	T(rename("b", "b"));
	T(rename("missing", "c"));
	T(mkdir("d1", 0755));
	T(mkdir("d2", 0755));
	T(mkdir("d2/sub", 0755));
	T(rename("d1", "d2"));
	T(rename("d2/sub", "d1"));
	mode_of("d1");
	list("d2");
	T(rename("d1", "d1/inside"));
	T(rename("b", "d1"));
	T(rename("d1", "b"));
	T(rename("b", "b/"));
	T(rename("hard", "file"));
	T(rename(".", "x"));
	T(rename("d1", "."));
	T(syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "file", 1)); /* NOREPLACE */
	T(syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "d1", 2));   /* EXCHANGE */
	mode_of("b");
	mode_of("d1");
	T(syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "zz", 2));
	T(syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "zz", 3));
	list(".");

	/* chmod, chown, truncate, utimes, access */
	T(chmod("file", 04755));
	mode_of("file");
	T(chown("file", 1, 2));
	mode_of("file");
	T(chmod("file", 02775));
	T(chown("file", -1, -1));
	mode_of("file");
	T(lchown("sym", 3, 4));
	mode_of("sym");
	mode_of("file");
	T(truncate("file", 10000));
	mode_of("file");
	T(truncate("file", 3));
	mode_of("file");
	T(truncate("file", -1));
	T(truncate("d2", 0));
	{ int fd = open("file", O_RDONLY); T(ftruncate(fd, 0)); close(fd); }
	{
		int fd = open("falloc", O_RDWR | O_CREAT, 0644);
		write(fd, "0123456789", 10);
		T(fallocate(fd, 0, 0, 100));
		mode_of("falloc");
		T(fallocate(fd, 1, 0, 5000));           /* KEEP_SIZE */
		mode_of("falloc");
		T(fallocate(fd, 0, -1, 10));
		T(fallocate(fd, 0, 0, 0));
		T(fallocate(fd, 2, 0, 10));             /* PUNCH_HOLE needs KEEP_SIZE */
		T(fallocate(fd, 0x40, 0, 10));
		if (sizeof(off_t) == 8) {               /* an end past the largest file */
			T(fallocate(fd, 1, (off_t)(LLONG_MAX - 1023), 1024));
			T(fallocate(fd, 0, 1024, (off_t)(LLONG_MAX - 1023)));
		}
		close(fd);
		fd = open("falloc", O_RDONLY);
		T(fallocate(fd, 0, 0, 10));
		close(fd);
		fd = open(".", O_RDONLY);
		T(fallocate(fd, 0, 0, 10));
		close(fd);
	}
	T(access("file", F_OK));
	T(access("file", R_OK | W_OK));
	T(access("missing", F_OK));
	T(access("file", 8));
	struct timespec ts[2] = {{1000000, 5}, {2000000, 7}};
	T(utimensat(AT_FDCWD, "file", ts, 0));
	{ struct stat st; stat("file", &st); printf("  times %ld.%ld %ld.%ld\n", st.st_atim.tv_sec, st.st_atim.tv_nsec, st.st_mtim.tv_sec, st.st_mtim.tv_nsec); }
	ts[0].tv_nsec = UTIME_OMIT; ts[1].tv_sec = 3; ts[1].tv_nsec = 0;
	T(utimensat(AT_FDCWD, "file", ts, 0));
	{ struct stat st; stat("file", &st); printf("  times %ld.%ld %ld.%ld\n", st.st_atim.tv_sec, st.st_atim.tv_nsec, st.st_mtim.tv_sec, st.st_mtim.tv_nsec); }
	ts[0].tv_nsec = 1000000000;
	T(utimensat(AT_FDCWD, "file", ts, 0));
	struct timeval tv[2] = {{5, 1}, {6, 2}};
	T(utimes("file", tv));
	{ struct stat st; stat("file", &st); printf("  times %ld.%ld %ld.%ld\n", st.st_atim.tv_sec, st.st_atim.tv_nsec, st.st_mtim.tv_sec, st.st_mtim.tv_nsec); }
	T(utimensat(AT_FDCWD, "sym", ts, AT_SYMLINK_NOFOLLOW | 0x8000));
	/* an empty name with AT_EMPTY_PATH names dirfd's own file */
	{
		int efd = open("file", O_RDONLY);
		T(fchownat(efd, "", -1, 0, AT_EMPTY_PATH));
		T(fchownat(efd, "", -1, 0, 0));
		T(fchownat(AT_FDCWD, "", -1, 0, AT_EMPTY_PATH));
		T(fchownat(999, "", -1, 0, AT_EMPTY_PATH));
		{ struct stat st; fstat(efd, &st); printf("  gid %d\n", (int)st.st_gid); }
		close(efd);
	}

	/* mknod: FIFOs and regular files; device nodes need root */
	T(mknod("fifo", S_IFIFO | 0666, 0));
	mode_of("fifo");
	T(mknod("reg", 0644, 0));
	mode_of("reg");
	T(mknod("dirnode", S_IFDIR | 0755, 0));
	T(mknod("bad", 0170000 | 0644, 0));
	T(mkfifo("fifo", 0600));

	/* umask */
	umask(077);
	T(mkdir("private", 0777));
	mode_of("private");
	umask(022);

	/* as an ordinary user: permissions, sticky directories, setgid dirs */
	T(mkdir("sticky", 01777));
	T(chmod("sticky", 01777));
	put("sticky/roots", "r");
	T(mkdir("open", 0777));
	T(chmod("open", 0777));
	T(mkdir("sgid", 0775));
	T(chown("sgid", 0, 1234));
	T(chmod("sgid", 02777));
	mode_of("sgid");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(1000) < 0 || setuid(1000) < 0) { printf("setuid failed\n"); _exit(1); }
		T(unlink("sticky/roots"));
		T(rename("sticky/roots", "sticky/mine"));
		put("sticky/mine", "m");
		T(unlink("sticky/mine"));
		T(mkdir("private/x", 0777));
		T(open("private", O_RDONLY));
		T(chmod("file", 0777));
		T(chown("open", 1000, 1000));
		T(mkdir("open/mine", 0777));
		T(chown("open/mine", 1000, 1000));
		T(chown("open/mine", -1, 0));
		T(chmod("open/mine", 02755));
		mode_of("open/mine");
		T(utimensat(AT_FDCWD, "file", NULL, 0));
		T(utimensat(AT_FDCWD, "open/mine", NULL, 0));
		T(utimensat(AT_FDCWD, "open/mine", ts, 0));
		T(access("file", W_OK));
		T(access("file", R_OK));
		T(access("private", X_OK));
		T(mkdir("sgid/sub", 0755));
		mode_of("sgid/sub");
		put("sgid/f", "x");
		mode_of("sgid/f");
		T(mknod("open/chr", S_IFCHR | 0600, makedev(1, 3)));
		T(chroot("."));
		T(rmdir("sticky"));
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("child status %d\n", st);

	/* long names, deep paths */
	memset(buf, 'n', 255); buf[255] = 0;
	T(mkdir(buf, 0755));
	T(rmdir(buf));
	buf[255] = 'n'; buf[256 - 1 + 1 - 1] = 'n';
	{ char big[300]; memset(big, 'x', 299); big[299] = 0; T(mkdir(big, 0755)); T(open(big, O_RDONLY)); }
	{ char *huge = malloc(5000); memset(huge, 'a', 4999); huge[4999] = 0; for (int i = 100; i < 4999; i += 100) huge[i] = '/'; T(open(huge, O_RDONLY)); free(huge); }
	T(mkdir((char *)8, 0755));
	T(unlink((char *)8));
	return 0;
}
