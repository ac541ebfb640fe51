/*
 * tests/guest/splicefds.c - which kinds of file splice(2) takes, compared
 * with the host kernel.
 *
 * Linux splices a file into a pipe through its f_op->splice_read and a
 * pipe into a file through ->splice_write; a kind of file with neither (a
 * directory, epoll, eventfd, signalfd, timerfd, pidfd, inotify, fanotify)
 * is EINVAL, before the call would wait on the pipe.  For each kind this
 * splices it into a pipe and a pipe into it, with SPLICE_F_NONBLOCK, and
 * prints the result; then the argument checks that come before any file
 * is looked at (a length of 0, unknown flags).
 */
#define _GNU_SOURCE
#include "procs.h"
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif

static int p[2];                /* the pipe every file is spliced with */

static long splice_(int in, int out, size_t len, unsigned flags)
{
	return syscall(SYS_splice, in, NULL, out, NULL, len, flags);
}

/* the pipe holds exactly "0123456789abcdef" */
static void refill(void)
{
	char buf[65536];
	while (read(p[0], buf, sizeof buf) > 0)
		;
	if (write(p[1], "0123456789abcdef", 16) != 16)
		printf("refill: %s\n", strerror(errno));
}

static void show(const char *what, long r, int e)
{
	if (r < 0)
		printf("%-22s %ld (%s)\n", what, r, strerror(e));
	else
		printf("%-22s %ld\n", what, r);
}

static void try_fd(const char *name, int fd)
{
	char what[64];
	long r;

	if (fd < 0) {
		printf("%s: cannot make one (%s)\n", name, strerror(errno));
		return;
	}
	refill();
	snprintf(what, sizeof what, "%s -> pipe:", name);
	errno = 0;
	r = splice_(fd, p[1], 8, SPLICE_F_NONBLOCK);
	show(what, r, errno);

	refill();
	snprintf(what, sizeof what, "pipe -> %s:", name);
	errno = 0;
	r = splice_(p[0], fd, 8, SPLICE_F_NONBLOCK);
	show(what, r, errno);
	close(fd);
}

int main(void)
{
	int s[2], fd;
	sigset_t mask;

	test_as_child();
	if (access("/proc/self", F_OK) < 0) {
		mkdir("/proc", 0555);
		if (mount("proc", "/proc", "proc", 0, NULL) < 0) {
			perror("mount");
			return 1;
		}
	}
	mkdir("/tmp", 01777);           /* a bare initramfs has none */
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(p, O_NONBLOCK) < 0) {
		perror("pipe2");
		return 1;
	}

	try_fd("directory", open("/", O_RDONLY | O_DIRECTORY));
	try_fd("eventfd", eventfd(5, 0));
	try_fd("epoll", epoll_create1(0));
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	try_fd("signalfd", signalfd(-1, &mask, 0));
	try_fd("timerfd", timerfd_create(CLOCK_MONOTONIC, 0));
	try_fd("pidfd", syscall(SYS_pidfd_open, getpid(), 0));
	try_fd("inotify", inotify_init1(0));
	try_fd("fanotify", fanotify_init(FAN_CLASS_NOTIF, O_RDWR));

	char path[64];
	snprintf(path, sizeof path, "/tmp/splicefds-%d", (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (write(fd, "regular file data", 17) != 17 || lseek(fd, 0, SEEK_SET) != 0)
		printf("regular file: %s\n", strerror(errno));
	try_fd("regular file", fd);
	unlink(path);

	int q[2];
	pipe2(q, O_NONBLOCK);
	write(q[1], "other pipe", 10);
	try_fd("pipe (read end)", q[0]);
	try_fd("pipe (write end)", q[1]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, s);
	write(s[1], "from the peer", 13);
	try_fd("socket", s[0]);
	close(s[1]);

	/* /dev/null takes a splice but gives none; /dev/full gives, takes none */
	if (access("/dev/zero", F_OK) < 0) {    /* a bare initramfs has only null */
		mknod("/dev/zero", S_IFCHR | 0666, makedev(1, 5));
		mknod("/dev/full", S_IFCHR | 0666, makedev(1, 7));
		mknod("/dev/urandom", S_IFCHR | 0666, makedev(1, 9));
	}
	/* /proc/PID's files have neither (but mounts and mountinfo can be
	 * read), nor have mem and pagemap; the files of /proc itself can be
	 * read */
	static const struct { const char *path; int flags; } files[] = {
		{ "/dev/null", O_RDWR }, { "/dev/zero", O_RDWR },
		{ "/dev/full", O_RDWR }, { "/dev/urandom", O_RDWR },
		{ "/proc/self/status", O_RDONLY }, { "/proc/self/stat", O_RDONLY },
		{ "/proc/self/maps", O_RDONLY }, { "/proc/self/cmdline", O_RDONLY },
		{ "/proc/self/comm", O_RDWR }, { "/proc/self/mounts", O_RDONLY },
		{ "/proc/meminfo", O_RDONLY }, { "/proc/self/mem", O_RDWR },
		{ "/proc/self/pagemap", O_RDONLY },
	};
	for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++)
		try_fd(files[i].path, open(files[i].path, files[i].flags));

	/* memfd_secret: neither; a pipe's data must stay in the pipe */
	fd = syscall(SYS_memfd_secret, 0);
	if (fd >= 0 && ftruncate(fd, 4096) < 0)
		printf("memfd_secret ftruncate: %s\n", strerror(errno));
	try_fd("memfd_secret", fd);
	char left[64];
	long n = read(p[0], left, sizeof left);
	printf("the pipe still holds %ld bytes\n", n);

	/* before the fds: a length of 0 is 0, unknown flags EINVAL */
	SHOW(splice_(-1, -1, 0, 0));
	SHOW(splice_(-1, -1, 0, 0x10));
	SHOW(splice_(-1, -1, 8, 0x10));
	SHOW(splice_(-1, p[1], 8, 0));
	fd = eventfd(0, 0);
	SHOW(splice_(fd, p[1], 0, 0));
	SHOW(splice_(p[0], fd, 0, 0));
	close(fd);
	return 0;
}
