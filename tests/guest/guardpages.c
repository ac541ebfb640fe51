/* guardpages.c - madvise MADV_GUARD_INSTALL / MADV_GUARD_REMOVE (Linux 6.13):
 * a guarded page faults with SIGSEGV (SEGV_MAPERR) whatever the VMA allows,
 * the kernel's own accesses to it fail with EFAULT, MADV_DONTNEED keeps the
 * guard, fork copies it, GUARD_REMOVE clears it (the page then reads as
 * zeros: installing dropped what it held), munmap takes it away, and
 * mincore and /proc/self/pagemap show the page as not resident. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#define MADV_GUARD_REMOVE 103
#endif

static sigjmp_buf jb;
static volatile int got_sig, got_code;
static void *volatile got_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_addr = si->si_addr;
	siglongjmp(jb, 1);
}

/* "ok" or "SIGSEGV code N at page K" for a read or write of p */
static void probe(const char *what, char *base, char *p, int write)
{
	got_sig = 0;
	if (!sigsetjmp(jb, 1)) {
		if (write)
			*(volatile char *)p = 'x';
		else
			(void)*(volatile char *)p;
		printf("%s: ok\n", what);
	} else {
		printf("%s: signal %d code %d at page %ld\n", what, got_sig, got_code,
		       (long)(((char *)got_addr - base) / 4096));
	}
}

static void show_mincore(const char *what, char *p, int pages)
{
	unsigned char vec[16];
	char s[17];
	if (mincore(p, pages * 4096, vec)) {
		printf("%s: mincore errno %d\n", what, errno);
		return;
	}
	for (int i = 0; i < pages; i++)
		s[i] = '0' + (vec[i] & 1);
	s[pages] = 0;
	printf("%s: mincore %s\n", what, s);
}

static void show_pagemap(const char *what, char *p, int pages)
{
	uint64_t e[16];
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, e, pages * 8, (uintptr_t)p / 4096 * 8) != pages * 8) {
		printf("%s: pagemap errno %d\n", what, errno);
		return;
	}
	close(fd);
	printf("%s: pagemap present", what);
	for (int i = 0; i < pages; i++)
		printf(" %d", (int)(e[i] >> 63));
	printf(" guard");
	for (int i = 0; i < pages; i++)
		printf(" %d", (int)(e[i] >> 58 & 1));
	printf("\n");
}

static int r(int v)
{
	return v < 0 ? -errno : v;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, 0);
	setvbuf(stdout, 0, _IONBF, 0);
	if (access("/proc/self", F_OK) < 0) {
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}

	char *p = mmap(0, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 'a', 8 * 4096);
	printf("install 2..4: %d\n", r(madvise(p + 2 * 4096, 2 * 4096, MADV_GUARD_INSTALL)));
	probe("read page 1", p, p + 4096, 0);
	probe("read page 2", p, p + 2 * 4096, 0);
	probe("write page 3", p, p + 3 * 4096 + 17, 1);
	probe("write page 4", p, p + 4 * 4096, 1);
	show_mincore("after install", p, 8);
	show_pagemap("after install", p, 8);

	/* the kernel's own accesses */
	int fds[2];
	pipe(fds);
	printf("write from guard: %d\n", r(write(fds[1], p + 2 * 4096, 10)));
	write(fds[1], "0123456789", 10);
	printf("read into guard: %d\n", r(read(fds[0], p + 3 * 4096, 10)));

	/* installing again is fine; DONTNEED keeps the guard */
	printf("install again: %d\n", r(madvise(p + 2 * 4096, 4096, MADV_GUARD_INSTALL)));
	printf("dontneed all: %d\n", r(madvise(p, 8 * 4096, MADV_DONTNEED)));
	probe("after dontneed, read page 2", p, p + 2 * 4096, 0);
	probe("after dontneed, read page 1", p, p + 4096, 0);
	printf("page 1 byte %d\n", p[4096]);

	/* mprotect does not lift it */
	printf("mprotect rw: %d\n", r(mprotect(p, 8 * 4096, PROT_READ | PROT_WRITE)));
	probe("after mprotect, write page 3", p, p + 3 * 4096, 1);

	/* fork copies it */
	pid_t pid = fork();
	if (pid == 0) {
		probe("child, read page 2", p, p + 2 * 4096, 0);
		probe("child, write page 5", p, p + 5 * 4096, 1);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		p[3 * 4096] = 1;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	printf("child without handler: signalled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));

	/* GUARD_REMOVE clears it: the page reads zeros */
	printf("remove 3: %d\n", r(madvise(p + 3 * 4096, 4096, MADV_GUARD_REMOVE)));
	probe("after remove, read page 3", p, p + 3 * 4096, 0);
	printf("page 3 byte %d\n", p[3 * 4096]);
	probe("after remove, read page 2", p, p + 2 * 4096, 0);
	printf("remove all: %d\n", r(madvise(p, 8 * 4096, MADV_GUARD_REMOVE)));
	probe("after remove all, write page 2", p, p + 2 * 4096, 1);

	/* munmap takes it away: a new mapping there is plain memory */
	madvise(p + 6 * 4096, 4096, MADV_GUARD_INSTALL);
	munmap(p, 8 * 4096);
	char *q = mmap(p, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	probe("new mapping, read page 6", q, q + 6 * 4096, 0);

	/* errors: unmapped range, locked memory, a hole */
	char *h = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(h + 4096, 4096);
	printf("install over a hole: %d\n", r(madvise(h, 3 * 4096, MADV_GUARD_INSTALL)));
	probe("page before the hole", h, h, 0);
	printf("remove over a hole: %d\n", r(madvise(h, 3 * 4096, MADV_GUARD_REMOVE)));
	char *l = mmap(0, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	printf("install on locked: %d\n", r(madvise(l, 4096, MADV_GUARD_INSTALL)));
	printf("remove on locked: %d\n", r(madvise(l, 4096, MADV_GUARD_REMOVE)));
	printf("unaligned: %d\n", r(madvise(h + 1, 4096, MADV_GUARD_INSTALL)));
	return 0;
}
