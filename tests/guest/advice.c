/* advice: the calls that only tell the kernel something - fadvise64 (and
 * i386's fadvise64_64), readahead, membarrier - checked as Linux checks
 * them: bad descriptors, pipes, bad advice, negative lengths; membarrier's
 * supported set, its registrations and EPERM before them.  One result per
 * line; compared with the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef O_PATH
#define O_PATH 010000000
#endif
#define T(expr) do { errno = 0; long _r = (long)(expr); \
	if (_r < 0) printf("%s = -1 %s\n", #expr, strerror(errno)); \
	else printf("%s = %ld\n", #expr, _r); } while (0)

/* fadvise64 and readahead with a 64-bit offset and length, the way each
 * ABI passes them */
static long fadvise(int fd, long long off, long long len, int advice)
{
#ifdef __i386__
	return syscall(SYS_fadvise64_64, fd, (unsigned)off, (unsigned)(off >> 32),
		       (unsigned)len, (unsigned)(len >> 32), advice);
#else
	return syscall(SYS_fadvise64, fd, off, len, advice);
#endif
}

static long rdahead(int fd, long long off, unsigned long count)
{
#ifdef __i386__
	return syscall(SYS_readahead, fd, (unsigned)off, (unsigned)(off >> 32), count);
#else
	return syscall(SYS_readahead, fd, off, count);
#endif
}

static long membarrier(int cmd, unsigned flags, int cpu)
{
	return syscall(SYS_membarrier, cmd, flags, cpu);
}

static void advice(void)
{
	int fd = syscall(SYS_memfd_create, "adv", 0);
	write(fd, "0123456789", 10);
	for (int a = -1; a <= 6; a++)
		printf("advice %d: %ld %s\n", a, fadvise(fd, 0, 10, a),
		       fadvise(fd, 0, 10, a) < 0 ? strerror(errno) : "");
	T(fadvise(fd, 0, 0, 3));
	T(fadvise(fd, 100, 1 << 20, 4));
	T(fadvise(fd, -1, 10, 0));
	T(fadvise(fd, 0, -1, 0));
	T(fadvise(fd, 0, -1, 9));
	T(fadvise(-1, 0, 10, 0));
	T(fadvise(99, 0, 10, 0));
	T(fadvise(99, 0, 10, 9));
	int path = open("/", O_PATH);
	T(fadvise(path, 0, 10, 0));
	int p[2];
	pipe(p);
	T(fadvise(p[0], 0, 10, 0));
	T(fadvise(p[1], 0, 10, 9));
	T(fadvise(p[0], 0, -1, 0));
	int s[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, s);
	T(fadvise(s[0], 0, 10, 3));
	T(fadvise(s[0], 0, 10, 7));
	int null = open("/dev/null", O_RDWR);
	T(fadvise(null, 0, 10, 2));
#ifdef __i386__
	/* the older fadvise64: the length is a 32-bit size_t */
	T(syscall(SYS_fadvise64, fd, 0, 0, 0xffffffffu, 3));
	T(syscall(SYS_fadvise64, fd, 0, 0, 10, 8));
	T(syscall(SYS_fadvise64, p[0], 0, 0, 10, 0));
	T(syscall(SYS_fadvise64, -1, 0, 0, 10, 0));
	T(fadvise(fd, 0, -1LL << 32, 0));
#endif

	T(rdahead(fd, 0, 10));
	T(rdahead(fd, 1 << 20, 4096));
	T(rdahead(fd, -1, 10));
	T(rdahead(fd, 0, -1UL));
	T(rdahead(-1, 0, 10));
	T(rdahead(path, 0, 10));
	T(rdahead(p[0], 0, 10));
	T(rdahead(s[0], 0, 10));
	T(rdahead(null, 0, 10));
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	int wo = open(proc, O_WRONLY);
	if (wo >= 0)
		T(rdahead(wo, 0, 10));
	else
		printf("no /proc: write-only fd skipped\n");
	close(wo);
	close(null);
	close(s[0]);
	close(s[1]);
	close(p[0]);
	close(p[1]);
	close(path);
	close(fd);
}

static void barriers(void)
{
	T(membarrier(0, 0, 0));
	T(membarrier(0, 1, 0));
	T(membarrier(1, 0, 0));
	T(membarrier(2, 0, 0));
	T(membarrier(512, 0, 0));
	T(membarrier(8, 0, 0));
	T(membarrier(32, 0, 0));
	T(membarrier(128, 0, 0));
	T(membarrier(128, 1, 0));
	T(membarrier(64, 0, 0));
	T(membarrier(512, 0, 0));
	T(membarrier(8, 0, 0));
	T(membarrier(32, 0, 0));
	T(membarrier(16, 0, 0));
	T(membarrier(8, 0, 0));
	T(membarrier(8, 1, 0));
	T(membarrier(16, 0, 0));
	T(membarrier(4, 0, 0));
	T(membarrier(512, 0, 0));
	T(membarrier(2, 0, 0));
	T(membarrier(256, 0, 0));
	T(membarrier(128, 0, 0));
	T(membarrier(128, 1, 0));
	T(membarrier(128, 1, 1000));
	T(membarrier(128, 2, 0));
	T(membarrier(512, 0, 0));
	T(membarrier(3, 0, 0));
	T(membarrier(1024, 0, 0));
	T(membarrier(-1, 0, 0));
	T(membarrier(1, 1, 0));
	/* registration belongs to the address space, which fork copies */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		T(membarrier(512, 0, 0));
		T(membarrier(8, 0, 0));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (access("/proc/self", F_OK) < 0) {
		mkdir("/proc", 0555);
		if (mount("proc", "/proc", "proc", 0, NULL) < 0) { perror("mount"); return 1; }
	}
	advice();
	barriers();
	printf("done\n");
	return 0;
}
