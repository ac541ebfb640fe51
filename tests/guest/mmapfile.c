/* mmapfile: memory-mapped files in a scratch directory argv[1]: shared and
 * private mappings against read/write, across fork and between unrelated
 * mappings, the end of the file (SIGBUS), truncation, msync, madvise and
 * mremap.  One result per line; compared with the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096
#define T(expr) do { errno = 0; long _r = (long)(expr); \
	if (_r < 0) printf("%d %s = -1 %s\n", __LINE__, #expr, strerror(errno)); \
	else printf("%d %s = %ld\n", __LINE__, #expr, _r); } while (0)
#define TP(expr) do { errno = 0; void *_p = (expr); \
	if (_p == MAP_FAILED) printf("%d %s = MAP_FAILED %s\n", __LINE__, #expr, strerror(errno)); \
	else printf("%d %s = ok\n", __LINE__, #expr); } while (0)

/* run fn in a child; report how it ended */
static void in_child(const char *what, void (*fn)(void *), void *arg)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) { fn(arg); fflush(stdout); _exit(0); }
	int st;
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st)) printf("%s: killed by %s\n", what, strsignal(WTERMSIG(st)));
	else printf("%s: exit %d\n", what, WEXITSTATUS(st));
}

static void touch(void *p) { printf("  read %d\n", *(volatile char *)p); }
static void poke(void *p) { *(volatile char *)p = 'C'; }

static char rd(int fd, off_t off)
{
	char c = 0;
	pread(fd, &c, 1, off);
	return c;
}

int main(int argc, char **argv)
{
	if (argc < 2) return 2;
	for (char *p = argv[1] + 1; *p; p++)
		if (*p == '/') { *p = 0; mkdir(argv[1], 0755); *p = '/'; }
	mkdir(argv[1], 0755);
	if (chdir(argv[1]) < 0) return 2;
	setvbuf(stdout, NULL, _IONBF, 0);

	int fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char page[PG];
	for (int i = 0; i < 3; i++) { memset(page, 'a' + i, PG); write(fd, page, PG); }

	/* shared: stores reach the file and read(); write() reaches the map */
	char *s = mmap(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	s[10] = 'S';
	printf("shared store seen by pread: %c\n", rd(fd, 10));
	pwrite(fd, "W", 1, PG + 5);
	printf("pwrite seen by shared map: %c\n", s[PG + 5]);

	/* private: sees the file until it writes, then its own copy */
	char *p = mmap(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	pwrite(fd, "X", 1, 2 * PG);
	printf("private sees file before its write: %c\n", p[2 * PG]);
	p[2 * PG] = 'P';
	pwrite(fd, "Y", 1, 2 * PG + 1);
	printf("private after its write: %c%c file %c%c\n", p[2 * PG], p[2 * PG + 1],
	       rd(fd, 2 * PG), rd(fd, 2 * PG + 1));

	/* fork: the child's shared stores are the parent's; private ones not */
	pid_t pid = fork();
	if (pid == 0) { s[0] = 'c'; p[0] = 'q'; _exit(0); }
	waitpid(pid, NULL, 0);
	printf("after child: shared %c private %c file %c\n", s[0], p[0], rd(fd, 0));

	/* an unrelated mapping of the same file in another process */
	pid = fork();
	if (pid == 0) {
		int f2 = open("data", O_RDWR);
		char *m = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, f2, 0);
		printf("other process sees %c%c\n", m[0], m[10]);
		m[1] = 'o';
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("and its store is seen: %c\n", s[1]);

	/* the end of the file */
	ftruncate(fd, PG + 100);
	printf("tail of last page reads zero: %d\n", s[PG + 100] == 0 && s[2 * PG - 1] == 0);
	in_child("touch beyond EOF", touch, s + 2 * PG);
	in_child("private beyond EOF", touch, p + 2 * PG);
	ftruncate(fd, 3 * PG);
	printf("grown again: %d %d\n", s[2 * PG], s[PG + 100]);
	in_child("touch after regrow", touch, s + 2 * PG);

	/* msync */
	T(msync(s, 3 * PG, MS_SYNC));
	T(msync(s, PG, MS_ASYNC | MS_INVALIDATE));
	T(msync(s + 1, PG, MS_SYNC));
	T(msync(s, PG, MS_SYNC | MS_ASYNC));
	T(msync(s, PG, 64));
	T(msync(s, 100 * PG, MS_SYNC));

	/* madvise */
	char *a = mmap(0, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(a, 7, 2 * PG);
	T(madvise(a, PG, MADV_DONTNEED));
	printf("anon after DONTNEED: %d %d\n", a[0], a[PG]);
	p[5] = 'Z';
	T(madvise(p, PG, MADV_DONTNEED));
	printf("private file after DONTNEED: %c (file %c)\n", p[5], rd(fd, 5));
	s[6] = 'K';
	T(madvise(s, PG, MADV_DONTNEED));
	printf("shared after DONTNEED: %c\n", s[6]);
	T(madvise(a, PG, MADV_WILLNEED));
	T(madvise(a, PG, MADV_SEQUENTIAL));
	T(madvise(a, PG, 12345));
	T(madvise(a + 1, PG, MADV_DONTNEED));
	T(madvise(a, 100 * PG, MADV_NORMAL));
	T(madvise(a, 0, MADV_DONTNEED));

	/* mremap */
	char *r = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strcpy(r, "moving");
	char *r2 = mremap(r, PG, 64 * PG, MREMAP_MAYMOVE);
	printf("mremap grow: %s, data %s\n", r2 == MAP_FAILED ? strerror(errno) : "ok", r2);
	r2[63 * PG] = 1;
	char *r3 = mremap(r2, 64 * PG, PG, 0);
	printf("mremap shrink in place: %d %s\n", r3 == r2, r3);
	in_child("touch shrunk-off tail", touch, r2 + 2 * PG);
	char *fixed = mmap(0, 4 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *r4 = mremap(r3, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, fixed + PG);
	printf("mremap fixed: %d %s\n", r4 == fixed + PG, r4);
	in_child("touch old place", touch, r3);
	T(mremap(r4, PG, 2 * PG, 8));
	T(mremap(r4 + 1, PG, 2 * PG, 0));
	T(mremap(r4, PG, 0, MREMAP_MAYMOVE));
	T(mremap(r4, PG, PG, MREMAP_FIXED, fixed));
	char *fm = mremap(s, 3 * PG, 6 * PG, MREMAP_MAYMOVE);
	printf("mremap a file mapping: %c%c%c\n", fm[0], fm[1], fm[10]);
	in_child("file mapping beyond EOF after mremap", touch, fm + 4 * PG);

	/* mmap's own checks */
	int ro = open("data", O_RDONLY);
	TP(mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
	TP(mmap(0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0));
	char *rs = mmap(0, PG, PROT_READ, MAP_SHARED, ro, 0);
	T(mprotect(rs, PG, PROT_READ | PROT_WRITE));
	in_child("store to read-only shared map", poke, rs);
	int wo = open("data", O_WRONLY);
	TP(mmap(0, PG, PROT_READ, MAP_SHARED, wo, 0));
	int dir = open(".", O_RDONLY);
	TP(mmap(0, PG, PROT_READ, MAP_SHARED, dir, 0));
	TP(mmap(0, PG, PROT_READ, MAP_SHARED, 999, 0));
	TP(mmap(0, 0, PROT_READ, MAP_SHARED, fd, 0));
	TP(mmap(0, PG, PROT_READ, MAP_SHARED, fd, 1));
	TP(mmap(0, PG, PROT_READ, 0, fd, 0));
	char *far = mmap(0, PG, PROT_READ, MAP_SHARED, fd, 100 * PG);
	printf("map past EOF: %s\n", far == MAP_FAILED ? strerror(errno) : "ok");
	in_child("touch map past EOF", touch, far);
	T(munmap(s + 1, PG));
	T(munmap(fm, 6 * PG));
	in_child("touch unmapped", touch, fm);
	return 0;
}
