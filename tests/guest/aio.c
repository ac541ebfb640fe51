/*
 * tests/guest/aio.c - Linux native AIO (io_setup, io_submit, io_getevents,
 * io_pgetevents, io_cancel, io_destroy), compared with the host kernel.
 *
 *   aio setup     io_setup's errors and limits, the ring's header as libaio
 *                 reads it, its mapping in /proc/self/maps, aio-nr
 *   aio rw        PREAD/PWRITE/PREADV/PWRITEV on a file and a pipe, events
 *                 taken from the ring by hand (as libaio does) and by the
 *                 kernel, FSYNC/FDSYNC, RWF_NOWAIT, an eventfd told of each
 *   aio poll      IOCB_CMD_POLL completed by a write, cancelled, destroyed
 *   aio errors    every argument that makes a call fail, and its errno
 *   aio limits    the ring fills (EAGAIN), drains, takes more; a forked
 *                 child does not have its parent's contexts
 *
 * Raw system calls: musl has no libaio, and the point is the kernel's ABI.
 */
#define _GNU_SOURCE
#include "procs.h"
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

/* <linux/aio_abi.h>, which musl's headers lack */
typedef unsigned long aio_context_t;
enum { IOCB_CMD_PREAD = 0, IOCB_CMD_PWRITE = 1, IOCB_CMD_FSYNC = 2, IOCB_CMD_FDSYNC = 3,
       IOCB_CMD_POLL = 5, IOCB_CMD_NOOP = 6, IOCB_CMD_PREADV = 7, IOCB_CMD_PWRITEV = 8 };
#define IOCB_FLAG_RESFD 1
struct io_event {
	uint64_t data, obj;
	int64_t res, res2;
};
struct iocb {
	uint64_t aio_data;
	uint32_t aio_key, aio_rw_flags;		/* little-endian order */
	uint16_t aio_lio_opcode;
	int16_t aio_reqprio;
	uint32_t aio_fildes;
	uint64_t aio_buf, aio_nbytes;
	int64_t aio_offset;
	uint64_t aio_reserved2;
	uint32_t aio_flags, aio_resfd;
};

#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x8
#endif

struct ring {
	unsigned id, nr, head, tail, magic, compat_features, incompat_features,
		 header_length;
	struct io_event events[];
};

static long io_setup(unsigned nr, aio_context_t *ctx)
{
	return syscall(SYS_io_setup, nr, ctx);
}

static long io_destroy(aio_context_t ctx)
{
	return syscall(SYS_io_destroy, ctx);
}

static long io_submit(aio_context_t ctx, long nr, struct iocb **iocbs)
{
	return syscall(SYS_io_submit, ctx, nr, iocbs);
}

static long io_getevents(aio_context_t ctx, long min, long nr, struct io_event *ev,
			 struct timespec *ts)
{
	return syscall(SYS_io_getevents, ctx, min, nr, ev, ts);
}

static long io_cancel(aio_context_t ctx, struct iocb *cb, struct io_event *ev)
{
	return syscall(SYS_io_cancel, ctx, cb, ev);
}

struct aio_sigset {
	const sigset_t *sigmask;
	size_t sigsetsize;
};

static long io_pgetevents(aio_context_t ctx, long min, long nr, struct io_event *ev,
			  struct timespec *ts, struct aio_sigset *ss)
{
#ifdef SYS_io_pgetevents
	return syscall(SYS_io_pgetevents, ctx, min, nr, ev, ts, ss);
#else
	return syscall(SYS_io_pgetevents_time64, ctx, min, nr, ev, ts, ss);
#endif
}

static struct timespec zero_ts = {0, 0};

static pid_t ffork(void)
{
	fflush(stdout);
	return fork();
}

static void prep(struct iocb *cb, int op, int fd, void *buf, size_t n, long long off)
{
	memset(cb, 0, sizeof *cb);
	cb->aio_lio_opcode = op;
	cb->aio_fildes = fd;
	cb->aio_buf = (uintptr_t)buf;
	cb->aio_nbytes = n;
	cb->aio_offset = off;
	cb->aio_data = 0x1000 + op;
}

static long submit1(aio_context_t ctx, struct iocb *cb)
{
	struct iocb *p = cb;
	return io_submit(ctx, 1, &p);
}

static void show_event(const char *what, struct io_event *e, struct iocb *cb)
{
	printf("%s: data %#llx obj-is-iocb %d res %lld%s%s res2 %lld\n", what,
	       (unsigned long long)e->data, e->obj == (uintptr_t)cb, (long long)e->res,
	       e->res < 0 ? " " : "", e->res < 0 ? strerror(-e->res) : "",
	       (long long)e->res2);
}

/* one event, through the kernel */
static void get1(aio_context_t ctx, const char *what, struct iocb *cb)
{
	struct io_event e;
	struct timespec ts = {5, 0};
	long n = io_getevents(ctx, 1, 1, &e, &ts);
	if (n != 1) {
		printf("%s: io_getevents -> %ld (%s)\n", what, n, strerror(errno));
		return;
	}
	show_event(what, &e, cb);
}

static volatile int usr1_seen;
static void on_usr1(int sig)
{
	usr1_seen++;
	(void)sig;
}

static char tmpname[64];

static int make_file(void)
{
	mkdir("/tmp", 0777);
	snprintf(tmpname, sizeof tmpname, "/tmp/aio-test-%d", getpid());
	int fd = open(tmpname, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		perror("open");
	return fd;
}

static void maps_line(const char *what)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int found = 0;
	while (f && fgets(line, sizeof line, f)) {
		if (strstr(line, "[aio]")) {
			char *perm = strchr(line, ' ');
			printf("%s: maps: %.4s %s", what, perm + 1, strchr(line, '/'));
			found = 1;
		}
	}
	if (!found)
		printf("%s: maps: no [aio] mapping\n", what);
	if (f)
		fclose(f);
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -2;
		fclose(f);
	}
	return v;
}

static void do_setup(void)
{
	aio_context_t ctx = 0;
	long before = read_long("/proc/sys/fs/aio-nr");
	long max = read_long("/proc/sys/fs/aio-max-nr");

	printf("aio-max-nr %ld\n", max);
	SHOW(io_setup(1, NULL));
	ctx = 1;
	SHOW(io_setup(1, &ctx));
	ctx = 0;
	SHOW(io_setup(0, &ctx));
	SHOW(io_setup(-1, &ctx));
	SHOW(io_setup(max + 1, &ctx));
	SHOW(io_setup(0x800000, &ctx));
	SHOW(io_setup(1, &ctx));
	printf("ctx is page aligned %d\n", ctx && !(ctx & 4095));
	printf("aio-nr grew by %ld\n", read_long("/proc/sys/fs/aio-nr") - before);
	struct ring *r = (struct ring *)ctx;
	printf("ring: id %u nr %u head %u tail %u magic %#x compat %u incompat %u hdr %u\n",
	       r->id, r->nr, r->head, r->tail, r->magic, r->compat_features,
	       r->incompat_features, r->header_length);
	maps_line("after io_setup");
	aio_context_t ctx2 = 0;
	SHOW(io_setup(300, &ctx2));
	struct ring *r2 = (struct ring *)ctx2;
	printf("ring2: id %u nr %u\n", r2->id, r2->nr);
	printf("aio-nr grew by %ld\n", read_long("/proc/sys/fs/aio-nr") - before);
	SHOW(io_destroy(ctx2));
	SHOW(io_destroy(ctx2));
	SHOW(io_destroy(ctx));
	maps_line("after io_destroy");
	printf("aio-nr back by %ld\n", read_long("/proc/sys/fs/aio-nr") - before);
	SHOW(io_getevents(ctx, 0, 1, NULL, &zero_ts));
	SHOW(io_destroy(0));
	SHOW(io_destroy(12345));
}

static void do_rw(void)
{
	aio_context_t ctx = 0;
	struct iocb cb, cb2;
	struct io_event ev[4];
	char buf[64], a[8], b[8];
	int fd = make_file();

	SHOW(io_setup(4, &ctx));
	prep(&cb, IOCB_CMD_PWRITE, fd, "hello, aio world", 16, 100);
	SHOW(submit1(ctx, &cb));
	get1(ctx, "pwrite", &cb);
	printf("file size %lld, fd position %lld\n", (long long)lseek(fd, 0, SEEK_END),
	       (long long)lseek(fd, 0, SEEK_CUR));
	lseek(fd, 0, SEEK_SET);

	memset(buf, 0, sizeof buf);
	prep(&cb, IOCB_CMD_PREAD, fd, buf, sizeof buf, 100);
	SHOW(submit1(ctx, &cb));
	get1(ctx, "pread", &cb);
	printf("read \"%s\", fd position %lld\n", buf, (long long)lseek(fd, 0, SEEK_CUR));

	/* vectored, and two at once */
	struct iovec iov[2] = {{a, 5}, {b, 6}};
	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	prep(&cb, IOCB_CMD_PREADV, fd, iov, 2, 100);
	struct iovec wiov[2] = {{"ab", 2}, {"cdef", 4}};
	prep(&cb2, IOCB_CMD_PWRITEV, fd, wiov, 2, 0);
	struct iocb *both[2] = {&cb, &cb2};
	SHOW(io_submit(ctx, 2, both));

	/* take the events from the ring by hand, as libaio does */
	struct ring *r = (struct ring *)ctx;
	printf("ring head %u tail %u\n", r->head, r->tail);
	while (r->head != r->tail) {
		struct io_event *e = &r->events[r->head];
		show_event("from the ring", e, e->obj == (uintptr_t)&cb ? &cb : &cb2);
		r->head = (r->head + 1) % r->nr;
	}
	printf("preadv: \"%.5s\" \"%.6s\"\n", a, b);
	SHOW(io_getevents(ctx, 0, 4, ev, &zero_ts));
	pread(fd, buf, 6, 0);
	printf("pwritev wrote \"%.6s\"\n", buf);

	/* past the end, and at the end */
	prep(&cb, IOCB_CMD_PREAD, fd, buf, sizeof buf, 1000);
	SHOW(submit1(ctx, &cb));
	get1(ctx, "pread past eof", &cb);

	/* fsync, fdatasync */
	prep(&cb, IOCB_CMD_FSYNC, fd, NULL, 0, 0);
	SHOW(submit1(ctx, &cb));
	get1(ctx, "fsync", &cb);
	prep(&cb, IOCB_CMD_FDSYNC, fd, NULL, 0, 0);
	SHOW(submit1(ctx, &cb));
	get1(ctx, "fdsync", &cb);

	/* O_APPEND: the write goes to the end whatever the offset */
	int afd = open(tmpname, O_WRONLY | O_APPEND);
	prep(&cb, IOCB_CMD_PWRITE, afd, "END", 3, 0);
	SHOW(submit1(ctx, &cb));
	get1(ctx, "append", &cb);
	printf("file size %lld\n", (long long)lseek(fd, 0, SEEK_END));
	close(afd);

	/* a pipe: data there, none there with RWF_NOWAIT, a write */
	int p[2];
	pipe(p);
	write(p[1], "piped", 5);
	prep(&cb, IOCB_CMD_PREAD, p[0], buf, sizeof buf, 0);
	SHOW(submit1(ctx, &cb));
	get1(ctx, "pipe read", &cb);
	prep(&cb, IOCB_CMD_PREAD, p[0], buf, sizeof buf, 0);
	cb.aio_rw_flags = RWF_NOWAIT;
	SHOW(submit1(ctx, &cb));
	get1(ctx, "pipe read, nowait", &cb);
	prep(&cb, IOCB_CMD_PWRITE, p[1], "xyz", 3, 0);
	SHOW(submit1(ctx, &cb));
	get1(ctx, "pipe write", &cb);
	printf("pipe holds %zd bytes\n", read(p[0], buf, sizeof buf));
	/* a read that waits for its data: io_submit waits (the child writes) */
	pid_t pid = ffork();
	if (pid == 0) {
		usleep(20000);
		write(p[1], "late", 4);
		_exit(0);
	}
	prep(&cb, IOCB_CMD_PREAD, p[0], buf, sizeof buf, 0);
	SHOW(submit1(ctx, &cb));
	get1(ctx, "pipe read that waited", &cb);
	waitpid(pid, NULL, 0);

	/* eventfd notification */
	int efd = eventfd(0, EFD_NONBLOCK);
	prep(&cb, IOCB_CMD_PWRITE, fd, "e", 1, 0);
	cb.aio_flags = IOCB_FLAG_RESFD;
	cb.aio_resfd = efd;
	prep(&cb2, IOCB_CMD_PWRITE, fd, "f", 1, 1);
	cb2.aio_flags = IOCB_FLAG_RESFD;
	cb2.aio_resfd = efd;
	SHOW(io_submit(ctx, 2, both));
	uint64_t cnt = 0;
	SHOW(read(efd, &cnt, 8));
	printf("eventfd count %llu\n", (unsigned long long)cnt);
	SHOW(io_getevents(ctx, 2, 4, ev, &zero_ts));
	SHOW(io_getevents(ctx, 1, 4, ev, &zero_ts));
	/* a completion may take the count to UINT64_MAX, which write() never
	 * can: the overflow poll() reports as POLLERR (LTP eventfd06) */
	uint64_t max = UINT64_MAX - 1;
	SHOW(write(efd, &max, 8));
	SHOW(io_submit(ctx, 1, both));
	SHOW(io_getevents(ctx, 1, 1, ev, NULL));
	struct pollfd ep = {efd, POLLIN, 0};
	SHOW(poll(&ep, 1, 1000));
	printf("overflow revents %#x\n", ep.revents);
	SHOW(read(efd, &cnt, 8));
	printf("overflow count %llx\n", (unsigned long long)cnt);
	close(efd);
	close(p[0]);
	close(p[1]);

	/* io_pgetevents: a signal left pending until the wait unblocks it */
	sigset_t block, none, now;
	struct aio_sigset ss = {&none, 8};
	struct timespec ts = {10, 0};
	struct sigaction act;
	memset(&act, 0, sizeof act);
	act.sa_handler = on_usr1;
	sigaction(SIGUSR1, &act, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &block, NULL);
	SHOW(io_pgetevents(ctx, 1, 1, ev, &zero_ts, &ss));
	ss.sigsetsize = 4;
	SHOW(io_pgetevents(ctx, 1, 1, ev, &zero_ts, &ss));
	ss.sigsetsize = 8;
	raise(SIGUSR1);
	printf("handler ran before the wait %d\n", usr1_seen);
	SHOW(io_pgetevents(ctx, 1, 1, ev, &ts, &ss));
	printf("handler ran %d\n", usr1_seen);
	sigprocmask(SIG_BLOCK, NULL, &now);
	printf("SIGUSR1 still blocked afterwards %d\n", sigismember(&now, SIGUSR1));
	sigprocmask(SIG_UNBLOCK, &block, NULL);

	SHOW(io_destroy(ctx));
	close(fd);
	unlink(tmpname);
}

static void do_poll(void)
{
	aio_context_t ctx = 0;
	struct iocb cb, cb2, cb3;
	struct io_event ev[4];
	int p[2];

	SHOW(io_setup(8, &ctx));
	pipe(p);
	prep(&cb, IOCB_CMD_POLL, p[0], NULL, 0, 0);
	cb.aio_buf = POLLIN;
	SHOW(submit1(ctx, &cb));
	SHOW(io_getevents(ctx, 1, 4, ev, &zero_ts));
	prep(&cb2, IOCB_CMD_POLL, p[1], NULL, 0, 0);
	cb2.aio_buf = POLLOUT;
	SHOW(submit1(ctx, &cb2));
	get1(ctx, "poll for POLLOUT on a pipe", &cb2);
	write(p[1], "x", 1);
	get1(ctx, "poll for POLLIN after a write", &cb);
	SHOW(io_cancel(ctx, &cb, ev));

	/* cancelled while waiting */
	char c;
	read(p[0], &c, 1);
	prep(&cb, IOCB_CMD_POLL, p[0], NULL, 0, 0);
	cb.aio_buf = POLLIN;
	SHOW(submit1(ctx, &cb));
	SHOW(io_cancel(ctx, &cb, ev));
	get1(ctx, "cancelled poll", &cb);
	SHOW(io_cancel(ctx, &cb, ev));

	/* hang-up ends a poll too (POLLHUP is always asked for) */
	prep(&cb, IOCB_CMD_POLL, p[0], NULL, 0, 0);
	cb.aio_buf = POLLIN;
	SHOW(submit1(ctx, &cb));
	close(p[1]);
	get1(ctx, "poll when the writer closed", &cb);

	/* a regular file is always ready; an eventfd tells */
	int fd = make_file();
	prep(&cb3, IOCB_CMD_POLL, fd, NULL, 0, 0);
	cb3.aio_buf = POLLIN | POLLOUT;
	SHOW(submit1(ctx, &cb3));
	get1(ctx, "poll on a regular file", &cb3);
	int efd = eventfd(0, 0);
	prep(&cb3, IOCB_CMD_POLL, efd, NULL, 0, 0);
	cb3.aio_buf = POLLIN;
	SHOW(submit1(ctx, &cb3));
	uint64_t one = 1;
	write(efd, &one, 8);
	get1(ctx, "poll on an eventfd", &cb3);

	/* bad poll requests */
	prep(&cb3, IOCB_CMD_POLL, efd, NULL, 0, 0);
	cb3.aio_buf = 0x10000;
	SHOW(submit1(ctx, &cb3));
	prep(&cb3, IOCB_CMD_POLL, efd, NULL, 1, 0);
	cb3.aio_buf = POLLIN;
	SHOW(submit1(ctx, &cb3));

	/* a poll still waiting when the context is destroyed */
	int q[2];
	pipe(q);
	prep(&cb, IOCB_CMD_POLL, q[0], NULL, 0, 0);
	cb.aio_buf = POLLIN;
	SHOW(submit1(ctx, &cb));
	SHOW(io_destroy(ctx));
	write(q[1], "y", 1);
	SHOW(io_getevents(ctx, 0, 1, ev, &zero_ts));
	close(fd);
	close(efd);
	unlink(tmpname);
}

static void do_errors(void)
{
	aio_context_t ctx = 0;
	struct iocb cb;
	struct iocb *nullp[1] = {NULL};
	struct io_event ev[2];
	char buf[16];
	int fd = make_file();
	int rdonly = open(tmpname, O_RDONLY);
	int wronly = open(tmpname, O_WRONLY);
	int opath = open(tmpname, O_PATH);

	SHOW(io_setup(2, &ctx));
	prep(&cb, IOCB_CMD_PREAD, fd, buf, sizeof buf, 0);
	struct iocb *p = &cb;
	SHOW(io_submit(0, 1, &p));
	SHOW(io_submit(ctx, -1, &p));
	SHOW(io_submit(ctx, 1, (struct iocb **)-1L));
	SHOW(io_submit(ctx, 1, nullp));
	SHOW(io_submit(ctx, 0, NULL));
	prep(&cb, IOCB_CMD_PREAD, -1, buf, sizeof buf, 0);
	SHOW(submit1(ctx, &cb));
	prep(&cb, IOCB_CMD_PREAD, opath, buf, sizeof buf, 0);
	SHOW(submit1(ctx, &cb));
	prep(&cb, IOCB_CMD_PWRITE, rdonly, buf, sizeof buf, 0);
	SHOW(submit1(ctx, &cb));
	prep(&cb, IOCB_CMD_PREAD, wronly, buf, sizeof buf, 0);
	SHOW(submit1(ctx, &cb));
	prep(&cb, IOCB_CMD_NOOP, fd, buf, sizeof buf, 0);
	SHOW(submit1(ctx, &cb));
	prep(&cb, 99, fd, buf, sizeof buf, 0);
	SHOW(submit1(ctx, &cb));
	prep(&cb, IOCB_CMD_PREAD, fd, buf, sizeof buf, 0);
	cb.aio_reserved2 = 1;
	SHOW(submit1(ctx, &cb));
	prep(&cb, IOCB_CMD_PREAD, fd, buf, (size_t)-1, 0);
	cb.aio_nbytes = 1ULL << 63;
	SHOW(submit1(ctx, &cb));
	prep(&cb, IOCB_CMD_PREAD, fd, buf, sizeof buf, -1);
	SHOW(submit1(ctx, &cb));
	prep(&cb, IOCB_CMD_PREAD, fd, (void *)(uintptr_t)0xfffff000UL, 0x10000, 0);
	if (sizeof(long) == 8)
		cb.aio_buf = 0x7ffffffff000ULL;
	SHOW(submit1(ctx, &cb));
	prep(&cb, IOCB_CMD_PREAD, fd, buf, sizeof buf, 0);
	cb.aio_rw_flags = 0x40000000;
	SHOW(submit1(ctx, &cb));
	prep(&cb, IOCB_CMD_PREADV, fd, (void *)-4096L, 2, 0);
	SHOW(submit1(ctx, &cb));
	prep(&cb, IOCB_CMD_PREADV, fd, buf, 2000, 0);
	SHOW(submit1(ctx, &cb));
	prep(&cb, IOCB_CMD_FSYNC, fd, buf, 0, 0);
	SHOW(submit1(ctx, &cb));
	prep(&cb, IOCB_CMD_FSYNC, fd, NULL, 0, 8);
	SHOW(submit1(ctx, &cb));
	prep(&cb, IOCB_CMD_PWRITE, fd, "x", 1, 0);
	cb.aio_flags = IOCB_FLAG_RESFD;
	cb.aio_resfd = fd;
	SHOW(submit1(ctx, &cb));
	cb.aio_resfd = 999;
	SHOW(submit1(ctx, &cb));
	/* the iocb itself unreadable */
	p = (struct iocb *)-4096L;
	SHOW(io_submit(ctx, 1, &p));
	/* a read into memory the process does not have: the event says so */
	char *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gone, 4096);
	write(fd, "some data", 9);
	prep(&cb, IOCB_CMD_PREAD, fd, gone, 9, 0);
	SHOW(submit1(ctx, &cb));
	get1(ctx, "pread into an unmapped page", &cb);
	/* the first good one counts, the bad second stops the rest */
	struct iocb good, bad;
	prep(&good, IOCB_CMD_PWRITE, fd, "ok", 2, 0);
	prep(&bad, IOCB_CMD_PWRITE, -1, "no", 2, 0);
	struct iocb *two[3] = {&good, &bad, &good};
	SHOW(io_submit(ctx, 3, two));
	get1(ctx, "the good one", &good);

	/* io_getevents and io_cancel */
	SHOW(io_getevents(0, 0, 1, ev, &zero_ts));
	SHOW(io_getevents(ctx, 2, 1, ev, &zero_ts));
	SHOW(io_getevents(ctx, -1, 1, ev, &zero_ts));
	SHOW(io_getevents(ctx, 0, -1, ev, &zero_ts));
	SHOW(io_getevents(ctx, 0, 1, ev, (struct timespec *)-1L));
	struct timespec badns = {0, 2000000000};
	SHOW(io_getevents(ctx, 0, 1, ev, &badns));
	prep(&cb, IOCB_CMD_PWRITE, fd, "x", 1, 0);
	SHOW(submit1(ctx, &cb));
	SHOW(io_getevents(ctx, 1, 1, (struct io_event *)-1L, &zero_ts));
	/* a negative timeout is no timeout (Linux's time arithmetic saturates) */
	struct timespec neg = {-1, 0};
	SHOW(io_getevents(ctx, 1, 1, ev, &neg));
	SHOW(io_cancel(ctx, NULL, ev));
	SHOW(io_cancel(ctx, &cb, ev));
	cb.aio_key = 5;
	SHOW(io_cancel(ctx, &cb, ev));
	cb.aio_key = 0;
	SHOW(io_cancel(0, &cb, ev));
	SHOW(io_destroy(ctx));
	SHOW(submit1(ctx, &cb));
	SHOW(io_cancel(ctx, &cb, ev));
	close(fd);
	close(rdonly);
	close(wronly);
	close(opath);
	unlink(tmpname);
}

static void do_limits(void)
{
	aio_context_t ctx = 0;
	struct iocb cb;
	struct io_event ev[256];
	int fd = make_file();
	long i, n;

	SHOW(io_setup(1, &ctx));
	struct ring *r = (struct ring *)ctx;
	prep(&cb, IOCB_CMD_PWRITE, fd, "", 0, 0);
	for (i = 0; i < 1000; i++)
		if (submit1(ctx, &cb) != 1)
			break;
	printf("full after %s submits: %s\n", i >= 100 && i < (long)r->nr ? "about nr" : "a wrong number of",
	       strerror(errno));
	n = io_getevents(ctx, 0, 256, ev, &zero_ts);
	printf("drained all %d\n", n == i);
	SHOW(submit1(ctx, &cb));
	SHOW(io_getevents(ctx, 1, 256, ev, &zero_ts));
	SHOW(io_getevents(ctx, 0, 256, ev, &zero_ts));
	/* more than the ring holds in one call: cut to its size */
	struct iocb *many[200];
	for (i = 0; i < 200; i++)
		many[i] = &cb;
	n = io_submit(ctx, 200, many);
	printf("200 at once: %s\n", n > 0 && n < (long)r->nr ? "some" : "wrong");
	io_getevents(ctx, 0, 256, ev, &zero_ts);

	/* the child has the mapping but not the context */
	pid_t pid = ffork();
	if (pid == 0) {
		printf("child: ring magic %#x\n", r->magic);
		SHOW(submit1(ctx, &cb));
		SHOW(io_destroy(ctx));
		aio_context_t c2 = 0;
		SHOW(io_setup(1, &c2));
		SHOW(submit1(c2, &cb));
		SHOW(io_getevents(c2, 1, 1, ev, &zero_ts));
		fflush(stdout);
		_exit(0);	/* its context goes with its address space */
	}
	wait_describe("child", pid);
	SHOW(submit1(ctx, &cb));
	SHOW(io_getevents(ctx, 1, 1, ev, &zero_ts));
	/* exec and exit need no io_destroy: leave one behind */
	close(fd);
	unlink(tmpname);
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
	if (!strcmp(argv[1], "setup"))
		do_setup();
	else if (!strcmp(argv[1], "rw"))
		do_rw();
	else if (!strcmp(argv[1], "poll"))
		do_poll();
	else if (!strcmp(argv[1], "errors"))
		do_errors();
	else if (!strcmp(argv[1], "limits"))
		do_limits();
	else
		return 2;
	return 0;
}
