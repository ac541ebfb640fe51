/*
 * tests/guest/teevmsplice.c - tee(2) and vmsplice(2), compared with the
 * host kernel.
 *
 *   teevmsplice tee       duplicating a pipe's buffers: what stays, partial
 *                         lengths, waiting and not, EPIPE, every errno
 *   teevmsplice vmsplice  user memory into a pipe (one buffer per user
 *                         page, as the slot count shows) and a pipe into
 *                         user memory; waiting, EAGAIN, every errno
 */
#define _GNU_SOURCE
#include "procs.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static long tee_(int in, int out, size_t len, unsigned flags)
{
	return syscall(SYS_tee, in, out, len, flags);
}

static long vms(int fd, const struct iovec *iov, unsigned long n, unsigned flags)
{
	return syscall(SYS_vmsplice, fd, iov, n, flags);
}

static int inq(int fd)
{
	int n = -1;
	ioctl(fd, FIONREAD, &n);
	return n;
}

static void drain(int fd, const char *what)
{
	char buf[70000];
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	ssize_t n = read(fd, buf, sizeof buf);
	fcntl(fd, F_SETFL, fl);
	if (n < 0)
		printf("%s: empty (%s)\n", what, strerror(errno));
	else
		printf("%s: %zd bytes \"%.*s\"\n", what, n, (int)(n > 40 ? 40 : n), buf);
}

static void do_tee(void)
{
	int a[2], b[2], c[2];
	pipe(a);
	pipe(b);
	signal(SIGPIPE, SIG_IGN);
	/* arguments first: flags, length 0 (before even the fds), fds */
	SHOW(tee_(a[0], b[1], 10, 0x10));
	SHOW(tee_(-1, -1, 0, 0));
	SHOW(tee_(-1, b[1], 10, 0));
	SHOW(tee_(a[0], 999, 10, 0));
	/* splice from a directory into a pipe: a directory has no
	 * splice_read, so EINVAL (not read's EISDIR) */
	int d = open("/", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_splice, d, NULL, b[1], NULL, 10, 0));
	close(d);
	/* from an empty pipe into an eventfd: EINVAL at once (no
	 * splice_write), not a wait for the pipe */
	int ev = syscall(SYS_eventfd2, 0, 0);
	SHOW(syscall(SYS_splice, a[0], NULL, ev, NULL, 8, 0));
	close(ev);
	SHOW(tee_(a[1], b[1], 10, 0));
	SHOW(tee_(a[0], b[0], 10, 0));
	SHOW(tee_(a[0], a[1], 10, 0));
	char name[64];
	snprintf(name, sizeof name, "/tmp/tv-file-%d", getpid());
	mkdir("/tmp", 01777);
	int fd = open(name, O_RDWR | O_CREAT, 0600);
	unlink(name);
	SHOW(tee_(fd, b[1], 10, 0));
	SHOW(tee_(a[0], fd, 10, 0));
	close(fd);
	/* nothing to duplicate yet */
	SHOW(tee_(a[0], b[1], 10, SPLICE_F_NONBLOCK));
	write(a[1], "hello ", 6);
	write(a[1], "world", 5);
	SHOW(tee_(a[0], b[1], 100, 0));
	printf("in %d out %d\n", inq(a[0]), inq(b[0]));
	SHOW(tee_(a[0], b[1], 3, 0));
	printf("in %d out %d\n", inq(a[0]), inq(b[0]));
	drain(b[0], "copy");
	drain(a[0], "original");
	/* two writes, two buffers: tee copies buffer by buffer */
	char big[5000];
	memset(big, 'B', sizeof big);
	write(a[1], big, sizeof big);
	SHOW(tee_(a[0], b[1], 4097, 0));
	printf("in %d out %d\n", inq(a[0]), inq(b[0]));
	drain(b[0], "copy");
	/* the copies are not merged with later writes: a small pipe fills */
	fcntl(b[1], F_SETPIPE_SZ, 4096);
	SHOW(tee_(a[0], b[1], 10, 0));
	SHOW(tee_(a[0], b[1], 10, SPLICE_F_NONBLOCK));
	fcntl(b[1], F_SETFL, O_NONBLOCK);
	SHOW(write(b[1], "x", 1));
	SHOW(tee_(a[0], b[1], 10, 0));
	fcntl(b[1], F_SETFL, 0);
	drain(b[0], "small pipe");
	drain(a[0], "original");
	/* no writers: end of data; no readers: EPIPE */
	pipe(c);
	close(c[1]);
	SHOW(tee_(c[0], b[1], 10, 0));
	close(c[0]);
	pipe(c);
	write(a[1], "z", 1);
	close(c[0]);
	SHOW(tee_(a[0], c[1], 10, 0));
	close(c[1]);
	/* a tee that waits for data another process writes */
	pid_t pid = fork();
	if (pid == 0) {
		usleep(20000);
		write(a[1], "late", 4);
		_exit(0);
	}
	drain(a[0], "before");
	SHOW(tee_(a[0], b[1], 10, 0));
	waitpid(pid, NULL, 0);
	drain(b[0], "copy of the late data");
}

static void do_vmsplice(void)
{
	int p[2];
	pipe(p);
	signal(SIGPIPE, SIG_IGN);
	static char buf[3 * 4096] __attribute__((aligned(4096)));
	memset(buf, 'v', sizeof buf);
	memcpy(buf + 100, "user memory", 11);
	struct iovec iov = {buf + 100, 8192};
	SHOW(vms(p[1], &iov, 1, 0x10));
	SHOW(vms(-1, &iov, 1, 0));
	char name[64];
	snprintf(name, sizeof name, "/tmp/tv-file-%d", getpid());
	mkdir("/tmp", 01777);
	int fd = open(name, O_RDWR | O_CREAT, 0600);
	unlink(name);
	SHOW(vms(fd, &iov, 1, 0));
	close(fd);
	int path = open("/", O_PATH);
	SHOW(vms(path, &iov, 1, 0));
	close(path);
	SHOW(vms(p[1], &iov, 1025, 0));
	SHOW(vms(p[1], (struct iovec *)16, 1, 0));
	struct iovec bad = {(void *)-8192L, 10};
	SHOW(vms(p[1], &bad, 1, 0));
	struct iovec none = {buf, 0};
	SHOW(vms(p[1], &none, 1, 0));
	SHOW(vms(p[1], &iov, 0, 0));
	/* two slots: an unaligned 8 KiB buffer lies in three pages, so
	   only the first two pages' worth goes in */
	fcntl(p[1], F_SETPIPE_SZ, 8192);
	SHOW(vms(p[1], &iov, 1, 0));
	printf("in the pipe %d\n", inq(p[0]));
	SHOW(vms(p[1], &iov, 1, SPLICE_F_NONBLOCK));
	/* (O_NONBLOCK on the file is not vmsplice's business: it would wait) */
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	SHOW(write(p[1], "x", 1));
	fcntl(p[1], F_SETFL, 0);
	/* back out into user memory, through the read end */
	char out1[50], out2[9000];
	struct iovec two[2] = {{out1, sizeof out1}, {out2, sizeof out2}};
	SHOW(vms(p[0], two, 2, 0));
	printf("got \"%.11s\" and %d more\n", out1, inq(p[0]));
	SHOW(vms(p[0], two, 2, SPLICE_F_NONBLOCK));
	write(p[1], "abc", 3);
	struct iovec badout = {(void *)16, 10};
	SHOW(vms(p[0], &badout, 1, 0));
	printf("still there %d\n", inq(p[0]));
	SHOW(vms(p[0], two, 1, 0));
	/* a reader that waits for a writer */
	pid_t pid = fork();
	if (pid == 0) {
		usleep(20000);
		struct iovec w = {"from the child", 14};
		vms(p[1], &w, 1, 0);
		_exit(0);
	}
	SHOW(vms(p[0], two, 1, 0));
	printf("got \"%.14s\"\n", out1);
	waitpid(pid, NULL, 0);
	/* no writers: 0; no readers: EPIPE */
	int q[2];
	pipe(q);
	close(q[1]);
	SHOW(vms(q[0], two, 1, 0));
	close(q[0]);
	pipe(q);
	close(q[0]);
	SHOW(vms(q[1], &iov, 1, 0));
	close(q[1]);
	/* an O_RDWR FIFO end counts as the writing one */
	char fifo[64];
	snprintf(fifo, sizeof fifo, "/tmp/tv-fifo-%d", getpid());
	mkdir("/tmp", 01777);
	mkfifo(fifo, 0600);
	int rw = open(fifo, O_RDWR);
	SHOW(vms(rw, &iov, 1, SPLICE_F_NONBLOCK));
	printf("fifo holds %d\n", inq(rw));
	close(rw);
	unlink(fifo);
}

int main(int argc, char **argv)
{
	test_as_child();
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "tee"))
		do_tee();
	else if (!strcmp(argv[1], "vmsplice"))
		do_vmsplice();
	else
		return 2;
	return 0;
}
