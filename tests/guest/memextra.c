/*
 * tests/guest/memextra.c - mseal, protection keys, memfd_secret,
 * process_madvise and process_mrelease, compared with the host kernel
 * (whose CPU has no PKU either); and, under pyuml only, the huge page
 * refusals of a kernel without hugetlb (the host has huge pages).
 *
 *   memextra mseal     what a sealed range refuses, and what it allows
 *   memextra pkey      pkey_alloc/pkey_free/pkey_mprotect without PKU
 *   memextra secret    memfd_secret: size once, shared mappings only, no
 *                      read/write/seek through the file
 *   memextra pmadvise  process_madvise on oneself and a child
 *   memextra mrelease  process_mrelease of a live, a dying, a reaped child
 *   memextra hugetlb   MAP_HUGETLB, SHM_HUGETLB, MFD_HUGETLB, hugetlbfs
 */
#define _GNU_SOURCE
#include "procs.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#ifndef SYS_mseal
#define SYS_mseal 462
#endif
#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif
#define PG 4096

static char *map(int n, int prot)
{
	return mmap(NULL, n * PG, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static long mseal_(void *a, size_t len, unsigned long flags)
{
	return syscall(SYS_mseal, a, len, flags);
}

static void do_mseal(void)
{
	char *m = map(4, PROT_READ | PROT_WRITE);
	m[0] = 'a';
	SHOW(mseal_(m + 1, PG, 0));
	SHOW(mseal_(m, PG, 1));
	SHOW(mseal_(m, 0, 0));
	SHOW(mseal_(m, (size_t)-PG + 2, 0));
	SHOW(mseal_(m + PG, 2 * PG, 0));
	SHOW(mseal_(m + PG, 2 * PG, 0));	/* again: fine */
	SHOW(mprotect(m + PG, PG, PROT_READ));
	SHOW(mprotect(m, 4 * PG, PROT_READ));
	SHOW(mprotect(m, PG, PROT_READ));	/* not sealed */
	SHOW(mprotect(m, PG, PROT_READ | PROT_WRITE));
	SHOW(munmap(m + 2 * PG, PG));
	SHOW(munmap(m, 4 * PG));
	SHOW(madvise(m + PG, PG, MADV_DONTNEED));	/* writable: allowed */
	SHOW((long)mremap(m + PG, PG, 2 * PG, MREMAP_MAYMOVE));
	SHOW((long)mremap(m + PG, PG, PG / 2, 0));
	char *other = map(2, PROT_READ);
	SHOW((long)mremap(other, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, m + 2 * PG) == (long)(m + 2 * PG));
	SHOW((long)mmap(m + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
	     == (long)(m + PG));
	m[PG] = 'w';
	printf("still writable, reads %c\n", m[PG]);
	SHOW(munmap(m + 3 * PG, PG));		/* not sealed: goes */
	/* read-only anonymous sealed memory cannot be discarded */
	char *ro = map(2, PROT_READ);
	SHOW(mseal_(ro, 2 * PG, 0));
	SHOW(madvise(ro, PG, MADV_DONTNEED));
	SHOW(madvise(ro, PG, MADV_FREE));
	SHOW(madvise(ro, PG, MADV_WILLNEED));
	SHOW(madvise(ro, PG, MADV_DONTFORK));
	/* a hole */
	char *h = map(3, PROT_READ);
	munmap(h + PG, PG);
	SHOW(mseal_(h, 3 * PG, 0));
	SHOW(mseal_(h + PG, PG, 0));
	SHOW(munmap(h, 3 * PG));		/* nothing was sealed */
	/* inherited by a child */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		SHOW(munmap(m + PG, PG));
		SHOW(mprotect(ro, PG, PROT_NONE));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256];
	int sl = 0;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "VmFlags:", 8) && strstr(line, " sl"))
			sl++;
	if (f)
		fclose(f);
	printf("smaps: sealed VMAs show \"sl\" %d\n", sl >= 2);
}

static void do_pkey(void)
{
	for (int i = 0; i < 5; i++)
		SHOW(syscall(SYS_pkey_alloc, 0, i));
	SHOW(syscall(SYS_pkey_alloc, 1, 0));
	SHOW(syscall(SYS_pkey_free, 0));
	SHOW(syscall(SYS_pkey_free, 1));
	SHOW(syscall(SYS_pkey_free, -1));
	char *m = map(2, PROT_READ | PROT_WRITE);
	SHOW(syscall(SYS_pkey_mprotect, m, PG, PROT_READ, -1));
	SHOW(syscall(SYS_pkey_mprotect, m, PG, PROT_READ, 0));
	SHOW(syscall(SYS_pkey_mprotect, m, PG, PROT_READ, 1));
	SHOW(syscall(SYS_pkey_mprotect, m, 0, PROT_READ, 1));
	SHOW(syscall(SYS_pkey_mprotect, m + 1, PG, PROT_READ, 1));
	SHOW(syscall(SYS_pkey_mprotect, m, PG, PROT_READ | 0x10, 1));
	SHOW(syscall(SYS_pkey_mprotect, m, -PG, PROT_READ, 1));
	SHOW(syscall(SYS_pkey_mprotect, m, PG, 0x3000000, 1));
	SHOW(syscall(SYS_pkey_mprotect, m, PG, PROT_READ | 0x10, -1));
}

static void do_secret(void)
{
	SHOW(syscall(SYS_memfd_secret, 1));
	SHOW(syscall(SYS_memfd_secret, O_NONBLOCK));
	int fd = syscall(SYS_memfd_secret, O_CLOEXEC);
	printf("fd %d cloexec %d\n", fd >= 0, (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	struct stat st;
	fstat(fd, &st);
	printf("mode %o size %lld\n", st.st_mode, (long long)st.st_size);
	char buf[8];
	SHOW(read(fd, buf, 8));
	SHOW(write(fd, "x", 1));
	SHOW(pwrite(fd, "x", 1, 0));
	SHOW(lseek(fd, 0, SEEK_SET));
	SHOW(ftruncate(fd, 2 * PG));
	SHOW(ftruncate(fd, 3 * PG));
	fstat(fd, &st);
	printf("size %lld\n", (long long)st.st_size);
	SHOW((long)mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	char *s = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	printf("shared mapping %d\n", s != MAP_FAILED);
	strcpy(s, "secret");
	char *s2 = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
	printf("second mapping reads %s\n", s2);
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256];
	int found = 0, locked = 0;
	while (f && fgets(line, sizeof line, f)) {
		if (strstr(line, "secretmem"))
			found++;
		if (found && !strncmp(line, "VmFlags:", 8) && strstr(line, " lo"))
			locked++;
	}
	if (f)
		fclose(f);
	printf("maps name secretmem %d, locked %d\n", found, locked > 0);
	/* memory locked: a small RLIMIT_MEMLOCK refuses the mapping */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		setuid(65534);
		struct rlimit rl = {PG, PG};
		setrlimit(RLIMIT_MEMLOCK, &rl);
		SHOW((long)mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	close(fd);
}

static void do_pmadvise(void)
{
	int self = syscall(SYS_pidfd_open, getpid(), 0);
	char *m = map(4, PROT_READ | PROT_WRITE);
	memset(m, 'x', 4 * PG);
	struct iovec iov[2] = {{m, PG}, {m + 2 * PG, 2 * PG}};
	SHOW(syscall(SYS_process_madvise, self, iov, 2, MADV_DONTNEED, 0));
	printf("after DONTNEED: %d %c %d\n", m[0], m[PG], m[2 * PG]);
	SHOW(syscall(SYS_process_madvise, self, iov, 2, MADV_COLD, 0));
	SHOW(syscall(SYS_process_madvise, self, iov, 2, MADV_WILLNEED, 1));
	SHOW(syscall(SYS_process_madvise, self, iov, 2, 999, 0));
	SHOW(syscall(SYS_process_madvise, self, iov, 1025, MADV_COLD, 0));
	SHOW(syscall(SYS_process_madvise, self, (void *)16, 1, MADV_COLD, 0));
	SHOW(syscall(SYS_process_madvise, -1, iov, 1, MADV_COLD, 0));
	SHOW(syscall(SYS_process_madvise, 0, iov, 1, MADV_COLD, 0));
	SHOW(syscall(SYS_process_madvise, self, iov, 0, MADV_COLD, 0));
	munmap(m + 3 * PG, PG);
	SHOW(syscall(SYS_process_madvise, self, iov, 2, MADV_COLD, 0));
	struct iovec bad[2] = {{m + 1, PG}, {m, PG}};
	SHOW(syscall(SYS_process_madvise, self, bad, 2, MADV_COLD, 0));
	struct iovec second_bad[2] = {{m, PG}, {m + 1, PG}};
	SHOW(syscall(SYS_process_madvise, self, second_bad, 2, MADV_COLD, 0));
	/* another process: only the harmless hints */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	int child = syscall(SYS_pidfd_open, pid, 0);
	struct iovec one = {m, PG};
	SHOW(syscall(SYS_process_madvise, child, &one, 1, MADV_COLD, 0));
	SHOW(syscall(SYS_process_madvise, child, &one, 1, MADV_PAGEOUT, 0));
	SHOW(syscall(SYS_process_madvise, child, &one, 1, MADV_WILLNEED, 0));
	SHOW(syscall(SYS_process_madvise, child, &one, 1, MADV_DONTNEED, 0));
	fflush(stdout);
	pid_t p2 = fork();
	if (p2 == 0) {
		setuid(65534);
		SHOW(syscall(SYS_process_madvise, child, &one, 1, MADV_COLD, 0));
		fflush(stdout);
		_exit(0);
	}
	waitpid(p2, NULL, 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	SHOW(syscall(SYS_process_madvise, child, &one, 1, MADV_COLD, 0));
}

static void do_mrelease(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	int fd = syscall(SYS_pidfd_open, pid, 0);
	SHOW(syscall(SYS_process_mrelease, fd, 1));
	SHOW(syscall(SYS_process_mrelease, fd, 0));
	SHOW(syscall(SYS_process_mrelease, -1, 0));
	SHOW(syscall(SYS_process_mrelease, 0, 0));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	SHOW(syscall(SYS_process_mrelease, fd, 0));
}

static void do_hugetlb(void)
{
	SHOW((long)mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0));
	int fd = memfd_create("x", 0);
	SHOW((long)mmap(NULL, PG, PROT_READ, MAP_SHARED | MAP_HUGETLB, fd, 0));
	SHOW(shmget(IPC_PRIVATE, 2 << 20, IPC_CREAT | SHM_HUGETLB | 0600));
	SHOW(syscall(SYS_memfd_create, "h", 4));
	mkdir("/mnt", 0755);
	SHOW(mount("none", "/mnt", "hugetlbfs", 0, NULL));
	SHOW(access("/proc/sys/vm/nr_hugepages", F_OK));
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	int huge = 0;
	while (f && fgets(line, sizeof line, f))
		huge += !strncmp(line, "HugePages", 9) || !strncmp(line, "Hugepagesize", 12);
	if (f)
		fclose(f);
	printf("HugePages lines in /proc/meminfo: %d\n", huge);
	f = fopen("/proc/filesystems", "r");
	int fs = 0;
	while (f && fgets(line, sizeof line, f))
		fs += strstr(line, "hugetlbfs") != NULL;
	if (f)
		fclose(f);
	printf("hugetlbfs in /proc/filesystems: %d\n", fs);
}

int main(int argc, char **argv)
{
	if (access("/proc/self", F_OK) < 0) {	/* pyuml's init: mount it */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	test_as_child();
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "mseal"))
		do_mseal();
	else if (!strcmp(argv[1], "pkey"))
		do_pkey();
	else if (!strcmp(argv[1], "secret"))
		do_secret();
	else if (!strcmp(argv[1], "pmadvise"))
		do_pmadvise();
	else if (!strcmp(argv[1], "mrelease"))
		do_mrelease();
	else if (!strcmp(argv[1], "hugetlb"))
		do_hugetlb();
	else
		return 2;
	return 0;
}
