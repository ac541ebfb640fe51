/* mincore: which pages are resident, and the mlock family that makes them
 * so.  Anonymous pages written vs never touched, MADV_DONTNEED, shared
 * anonymous memory written by a child, file pages in the page cache; the
 * errors (EINVAL, ENOMEM, EFAULT).  mlock/mlock2/munlock/mlockall/munlockall
 * fault pages in (or not, with MLOCK_ONFAULT) and show in VmLck; fork does
 * not inherit locks.  Pages are "touched" by writing non-zero bytes.  One
 * result per line; compared with the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096
#ifndef MADV_NOHUGEPAGE
#define MADV_NOHUGEPAGE 15
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif
#define T(expr) do { errno = 0; long _r = (long)(expr); \
	if (_r < 0) printf("%s = -1 %s\n", #expr, strerror(errno)); \
	else printf("%s = %ld\n", #expr, _r); } while (0)

static unsigned char vec[64];

/* mincore of n pages at p, as a string of the vector's bytes */
static void show(const char *what, void *p, int n)
{
	char s[80];
	memset(vec, 'x', sizeof vec);
	errno = 0;
	int r = mincore(p, (size_t)n * PG, vec);
	for (int i = 0; i < n; i++)
		s[i] = vec[i] == 'x' ? 'x' : '0' + vec[i];
	s[n] = 0;
	if (r < 0)
		printf("%s: -1 %s [%s]\n", what, strerror(errno), s);
	else
		printf("%s: %s\n", what, s);
}

static long vmlck(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f) return -2;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmLck: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* a fresh private anonymous mapping, huge pages off (the host would
 * otherwise fill whole 2 MiB pages) */
static char *anon(int pages, int flags)
{
	char *p = mmap(0, (size_t)pages * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	if (p == MAP_FAILED) { printf("mmap: %s\n", strerror(errno)); exit(1); }
	madvise(p, (size_t)pages * PG, MADV_NOHUGEPAGE);
	return p;
}

static void residency(void)
{
	/* the process's first mincore call comes after a write: later
	 * touches, reads included, are seen */
	char *a = anon(16, 0);
	a[8 * PG] = 1;
	show("first call, wrote 8", a, 16);
	printf("read pages 7 and 9: %d %d\n", *(volatile char *)(a + 7 * PG),
	       *(volatile char *)(a + 9 * PG));
	show("then read 7 and 9", a, 16);
	munmap(a, 16 * PG);

	char *p = anon(16, 0);
	show("untouched", p, 16);
	p[0] = 1;
	p[3 * PG + 100] = 2;
	p[5 * PG + PG - 1] = 3;
	show("wrote 0 3 5", p, 16);
	/* a read maps the zero page on Linux: resident too, as is a page
	 * that was written zeros */
	printf("read page 7: %d\n", *(volatile char *)(p + 7 * PG));
	*(volatile char *)(p + 11 * PG) = 0;
	show("read 7, zero into 11", p, 16);
	show("from page 3", p + 3 * PG, 4);
	show("one byte of length", p + 5 * PG, 0);
	T(mincore(p, 1, vec));
	printf("vec[0] = %d\n", vec[0]);
	madvise(p + 3 * PG, PG, MADV_DONTNEED);
	show("after DONTNEED of 3", p, 16);
	/* the kernel writing into a page touches it too */
	int fd[2];
	pipe(fd);
	write(fd[1], "abc", 3);
	read(fd[0], p + 9 * PG, 3);
	show("after read() into 9", p, 16);
	close(fd[0]);
	close(fd[1]);
	/* a hole in the range: the part before it is reported, then ENOMEM */
	munmap(p + 12 * PG, PG);
	show("across a hole", p + 8 * PG, 8);
	show("at the hole", p + 12 * PG, 2);
	munmap(p, 16 * PG);

	/* errors */
	char *q = anon(2, 0);
	T(mincore(q + 1, PG, vec));
	T(mincore(q, PG, NULL));
	T(mincore(q, PG, (unsigned char *)8));
	T(mincore(q, 0, vec));
	T(mincore((void *)0x10000, PG, vec));
	T(mincore(q, -4096UL, vec));
	T(mincore(q, ~0UL - (unsigned long)q, vec));
	munmap(q, 2 * PG);

	/* shared anonymous memory: a page the child wrote is in the shared
	 * page cache, so resident for the parent too */
	char *s = mmap(0, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	show("shared untouched", s, 8);
	s[2 * PG] = 1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		s[6 * PG] = 1;
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	show("shared, child wrote 6", s, 8);
	munmap(s, 8 * PG);

	/* a file: pages in its page cache count even if not mapped here */
	int f = syscall(SYS_memfd_create, "mc", 0);
	char page[PG];
	memset(page, 'a', PG);
	pwrite(f, page, PG, 0);
	pwrite(f, page, PG, 2 * PG);
	ftruncate(f, 5 * PG);
	char *m = mmap(0, 5 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, f, 0);
	show("file, pages 0 2 written", m, 5);
	printf("read page 1: %d\n", m[PG]);
	show("file, page 1 read", m, 5);
	m[4 * PG] = 'w';
	show("file, page 4 copied", m, 5);
	char *r = mmap(0, 5 * PG, PROT_READ, MAP_SHARED, f, 0);
	show("second mapping", r, 5);
	munmap(r, 5 * PG);
	munmap(m, 5 * PG);
	close(f);
}

static void locking(void)
{
	long base = vmlck();
	printf("VmLck at start: %ld\n", base);
	char *p = anon(16, 0);
	T(mlock(p + 100, 3 * PG));
	show("mlock 0..3 (unaligned)", p, 16);
	printf("VmLck +%ld kB\n", vmlck() - base);
	T(mlock(p + PG, 2 * PG));
	printf("VmLck +%ld kB (again)\n", vmlck() - base);
	T(munlock(p + PG, PG));
	printf("VmLck +%ld kB after munlock of 1\n", vmlck() - base);
	show("still resident", p, 16);
	T(mlock2(p + 8 * PG, 4 * PG, 1));               /* MLOCK_ONFAULT */
	show("mlock2 ONFAULT 8..11", p, 16);
	printf("VmLck +%ld kB\n", vmlck() - base);
	T(mlock2(p, PG, 2));
	T(mlock(p, -1UL));              /* C arithmetic: aligns to 0 pages */
	T(mlock(p, -4096UL));
	T(munlock(p + 1, -1UL));
	T(mlock2(p, PG, 0));
	T(munlock(p, 16 * PG));
	printf("VmLck +%ld kB after munlock all\n", vmlck() - base);

	/* unmapped ranges: ENOMEM, but what lies before the hole is locked */
	munmap(p + 14 * PG, 2 * PG);
	T(mlock(p + 14 * PG, PG));
	T(mlock(p + 12 * PG, 4 * PG));
	printf("VmLck +%ld kB after a lock across a hole\n", vmlck() - base);
	show("12..13 faulted in", p + 12 * PG, 2);
	T(munlock(p + 12 * PG, 4 * PG));
	T(munlock(p + 12 * PG, 2 * PG));
	printf("VmLck +%ld kB\n", vmlck() - base);
	T(mlock(p, 0));
	/* locked pages cannot be dropped: what comes before them is */
	T(mlock(p + 2 * PG, PG));
	T(madvise(p, 4 * PG, MADV_DONTNEED));
	show("DONTNEED up to a locked page", p, 4);
	T(madvise(p + 2 * PG, PG, MADV_FREE));
	T(munlock(p, 4 * PG));

	/* locks belong to the address space: a child has none */
	T(mlock(p, 2 * PG));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child VmLck %ld kB\n", vmlck());
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("parent VmLck +%ld kB\n", vmlck() - base);
	munmap(p, 14 * PG);
	printf("VmLck +%ld kB after munmap\n", vmlck() - base);

	/* MAP_LOCKED: resident and locked from the start */
	char *l = mmap(0, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED,
		       -1, 0);
	show("MAP_LOCKED", l, 4);
	printf("VmLck +%ld kB\n", vmlck() - base);
	munmap(l, 4 * PG);

	/* without privilege: RLIMIT_MEMLOCK */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 2 * PG, 2 * PG };
		setrlimit(RLIMIT_MEMLOCK, &rl);
		int rootf = syscall(SYS_memfd_create, "root's", 0);
		ftruncate(rootf, 4 * PG);
		fchmod(rootf, 0644);
		if (setuid(65534) < 0) { printf("setuid: %s\n", strerror(errno)); _exit(1); }
		/* a file it could not write: every page "resident", as Linux says */
		char *r = mmap(0, 4 * PG, PROT_READ, MAP_SHARED, rootf, 0);
		show("someone else's file", r, 4);
		char *sh = mmap(0, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		show("its own shared memory", sh, 4);
		char *q = anon(4, 0);
		T(mlock(q, 3 * PG));
		T(mlock(q, 2 * PG));
		T(mlock(q, 2 * PG));
		T(mlock(q + PG, 2 * PG));
		T(mlockall(MCL_CURRENT));
		T(mlockall(MCL_FUTURE));
		void *m = mmap(0, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		printf("locked mmap over the limit: %s\n", m == MAP_FAILED ? strerror(errno) : "ok");
		T(munlockall());
		m = mmap(0, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
		printf("MAP_LOCKED within the limit: %s\n", m == MAP_FAILED ? strerror(errno) : "ok");
		m = mmap(0, 3 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
		printf("MAP_LOCKED over it: %s\n", m == MAP_FAILED ? strerror(errno) : "ok");
		rl.rlim_cur = 0;
		setrlimit(RLIMIT_MEMLOCK, &rl);
		T(mlock(q, PG));
		T(mlockall(MCL_CURRENT));
		m = mmap(0, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
		printf("MAP_LOCKED with no allowance: %s\n", m == MAP_FAILED ? strerror(errno) : "ok");
		T(munlock(q, 4 * PG));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);

	T(mlockall(0));
	T(mlockall(MCL_ONFAULT));
	T(mlockall(8));
	T(mlockall(MCL_FUTURE));
	char *f = anon(4, 0);
	show("mapped after MCL_FUTURE", f, 4);
	long before = vmlck();
	char *g = anon(6, 0);
	printf("a 6-page mapping adds %ld kB\n", vmlck() - before);
	munmap(g, 6 * PG);
	T(mlockall(MCL_FUTURE | MCL_ONFAULT));
	g = anon(6, 0);
	show("mapped after MCL_FUTURE|MCL_ONFAULT", g, 6);
	T(munlockall());
	printf("VmLck %ld kB after munlockall\n", vmlck());
	munmap(g, 6 * PG);
	munmap(f, 4 * PG);
	g = anon(3, 0);
	show("mapped after munlockall", g, 3);
	T(mlockall(MCL_CURRENT));
	show("after MCL_CURRENT", g, 3);
	printf("VmLck counts it: %d\n", vmlck() >= 12);
	/* the stack is locked as far down as it was used, not to its limit */
	printf("VmLck under 8 MiB: %d\n", vmlck() < 8192);
	T(munlockall());
	printf("VmLck %ld kB\n", vmlck());
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (access("/proc/self", F_OK) < 0) {
		mkdir("/proc", 0555);
		if (mount("proc", "/proc", "proc", 0, NULL) < 0) { perror("mount"); return 1; }
	}
	residency();
	locking();
	printf("done\n");
	return 0;
}
