/*
 * tests/guest/cachestat.c - cachestat(2) on tmpfs files, memfds, pipes and
 * sockets, and its errors, compared with the host kernel.
 */
#define _GNU_SOURCE
#include "procs.h"
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifndef SYS_cachestat
#define SYS_cachestat 451
#endif

struct range { uint64_t off, len; };
struct cstat { uint64_t cache, dirty, writeback, evicted, recently_evicted; };

static long cs(int fd, uint64_t off, uint64_t len, unsigned flags)
{
	struct range r = {off, len};
	struct cstat c;
	memset(&c, 0xff, sizeof c);
	long ret = syscall(SYS_cachestat, fd, &r, &c, flags);
	if (ret == 0)
		printf("  [%llu,+%llu): cache %llu dirty %llu writeback %llu evicted %llu %llu\n",
		       (unsigned long long)off, (unsigned long long)len,
		       (unsigned long long)c.cache, (unsigned long long)c.dirty,
		       (unsigned long long)c.writeback, (unsigned long long)c.evicted,
		       (unsigned long long)c.recently_evicted);
	return ret;
}

int main(void)
{
	test_as_child();
	char dir[64], name[96];
	snprintf(dir, sizeof dir, "/tmp/cs-%d", getpid());
	mkdir("/tmp", 01777);
	mkdir(dir, 0755);
	/* a tmpfs of our own (natively /tmp may be any file system) */
	SHOW(unshare(CLONE_NEWNS));
	SHOW(mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL));
	SHOW(mount("t", dir, "tmpfs", 0, "size=1m"));
	snprintf(name, sizeof name, "%s/f", dir);
	int fd = open(name, O_RDWR | O_CREAT, 0600);
	static char page[4096];
	memset(page, 'a', sizeof page);
	SHOW(cs(fd, 0, 0, 0));
	for (int i = 0; i < 5; i++)
		write(fd, page, sizeof page);
	SHOW(cs(fd, 0, 0, 0));
	SHOW(cs(fd, 4096, 8192, 0));
	SHOW(cs(fd, 4095, 2, 0));
	SHOW(cs(fd, 8192, 1, 0));
	SHOW(cs(fd, 1 << 30, 0, 0));
	SHOW(cs(fd, -4096ULL, 8192, 0));
	fsync(fd);
	SHOW(cs(fd, 0, 0, 0));
	ftruncate(fd, 3 * 4096 + 10);
	SHOW(cs(fd, 0, 0, 0));
	/* a sparse file: a hole is not cached */
	pwrite(fd, "z", 1, 20 * 4096);
	SHOW(cs(fd, 0, 0, 0));
	SHOW(cs(fd, 0, 1, 1));
	SHOW(cs(fd, 0, 1, -1));
	struct cstat c;
	SHOW(syscall(SYS_cachestat, fd, NULL, &c, 0));
	struct range r = {0, 0};
	SHOW(syscall(SYS_cachestat, fd, &r, NULL, 0));
	SHOW(syscall(SYS_cachestat, -1, &r, &c, 0));
	SHOW(syscall(SYS_cachestat, 4000, &r, &c, 0));
	/* an O_PATH descriptor counts as a descriptor here */
	int path = open(name, O_PATH);
	SHOW(cs(path, 0, 0, 0));
	close(path);
	/* read-only: allowed for the owner or who could write; not for others */
	int ro = open(name, O_RDONLY);
	SHOW(cs(ro, 0, 0, 0));
	chmod(name, 0644);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		setuid(65534);
		SHOW(cs(ro, 0, 0, 0));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	chmod(name, 0666);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		setuid(65534);
		SHOW(cs(ro, 0, 0, 0));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	close(ro);
	/* memfd, pipe, socket */
	int m = memfd_create("cs", 0);
	write(m, page, sizeof page);
	SHOW(cs(m, 0, 0, 0));
	int p[2];
	pipe(p);
	write(p[1], "x", 1);
	SHOW(cs(p[0], 0, 0, 0));
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	SHOW(cs(sv[0], 0, 0, 0));
	/* a shared mapping written through memory */
	char *map = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, m, 0);
	ftruncate(m, 2 * 4096);
	map[4096] = 1;
	SHOW(cs(m, 0, 0, 0));
	close(fd);
	unlink(name);
	umount(dir);
	rmdir(dir);
	return 0;
}
