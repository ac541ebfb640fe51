/* A liburing program (Debian's liburing-dev, linked static with glibc),
 * in the manner of liburing's examples: io_uring-cp's copy of a file with
 * READ/WRITE in flight together, then NOP, READV/WRITEV, FSYNC, POLL_ADD,
 * TIMEOUT and OPENAT/CLOSE through the library's prep helpers, the
 * probe, and reads on an IORING_SETUP_SQPOLL ring.  tests/test_io_uring.py runs it natively and under pyuml and
 * compares the output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define QD 8
#define BS 4096

static struct io_uring ring;

static void show_cqe(const char *what)
{
	struct io_uring_cqe *cqe;
	int ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret < 0) {
		printf("%s: wait_cqe %s\n", what, strerror(-ret));
		return;
	}
	if (cqe->res < 0)
		printf("%s: user_data %llu res %s\n", what, (unsigned long long)cqe->user_data,
		       strerror(-cqe->res));
	else
		printf("%s: user_data %llu res %d\n", what, (unsigned long long)cqe->user_data,
		       cqe->res);
	io_uring_cqe_seen(&ring, cqe);
}

/* io_uring-cp: up to QD reads in flight, each write queued as its read lands */
static int copy_file(int in, int out, off_t size)
{
	struct req { off_t off; size_t len; int writing; char buf[BS]; } *reqs;
	reqs = calloc(QD, sizeof *reqs);
	off_t next = 0;
	int inflight = 0, free_slot[QD], nfree = QD;
	for (int i = 0; i < QD; i++)
		free_slot[i] = i;
	long reads = 0, writes = 0;
	while (next < size || inflight) {
		while (next < size && nfree) {
			int i = free_slot[--nfree];
			reqs[i].off = next;
			reqs[i].len = size - next < BS ? size - next : BS;
			reqs[i].writing = 0;
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
			io_uring_prep_read(sqe, in, reqs[i].buf, reqs[i].len, reqs[i].off);
			io_uring_sqe_set_data(sqe, &reqs[i]);
			next += reqs[i].len;
			inflight++;
		}
		io_uring_submit(&ring);
		struct io_uring_cqe *cqe;
		if (io_uring_wait_cqe(&ring, &cqe) < 0)
			return -1;
		struct req *r = io_uring_cqe_get_data(cqe);
		int res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		if (res < 0 || (size_t)res != r->len) {
			printf("copy: short or failed %s: %d\n", r->writing ? "write" : "read", res);
			return -1;
		}
		if (!r->writing) {
			reads++;
			r->writing = 1;
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
			io_uring_prep_write(sqe, out, r->buf, r->len, r->off);
			io_uring_sqe_set_data(sqe, r);
		} else {
			writes++;
			inflight--;
			free_slot[nfree++] = r - reqs;
		}
	}
	printf("copy: %ld reads, %ld writes\n", reads, writes);
	free(reqs);
	return 0;
}

int main(void)
{
	char src[64], dst[64];
	snprintf(src, sizeof src, "/tmp/uringcp-src-%d", getpid());
	snprintf(dst, sizeof dst, "/tmp/uringcp-dst-%d", getpid());
	mkdir("/tmp", 0777);
	int ret = io_uring_queue_init(QD, &ring, 0);
	if (ret < 0) {
		printf("queue_init: %s\n", strerror(-ret));
		return 1;
	}

	/* a source of 10 blocks and a bit, with a pattern */
	int in = open(src, O_RDWR | O_CREAT | O_TRUNC, 0644);
	static char block[BS];
	for (int b = 0; b < 10; b++) {
		memset(block, 'a' + b, BS);
		write(in, block, BS);
	}
	write(in, "tail", 4);
	int out = open(dst, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (copy_file(in, out, 10 * BS + 4) == 0) {
		static char x[10 * BS + 4], y[10 * BS + 4];
		pread(in, x, sizeof x, 0);
		pread(out, y, sizeof y, 0);
		printf("copy: identical %d\n", !memcmp(x, y, sizeof x));
	}

	struct io_uring_sqe *sqe;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->user_data = 1;
	io_uring_submit(&ring);
	show_cqe("nop");

	char a[5], b[8];
	struct iovec iov[2] = { { a, sizeof a }, { b, sizeof b } };
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_readv(sqe, out, iov, 2, 9 * BS + 1);
	sqe->user_data = 2;
	io_uring_submit(&ring);
	show_cqe("readv");
	printf("readv: %.5s|%.8s\n", a, b);

	struct iovec wv[1] = { { "WRITEV", 6 } };
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_writev(sqe, out, wv, 1, 0);
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = 3;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_fsync(sqe, out, IORING_FSYNC_DATASYNC);
	sqe->user_data = 4;
	io_uring_submit(&ring);
	show_cqe("writev/fsync");
	show_cqe("writev/fsync");

	int p[2];
	pipe(p);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_poll_add(sqe, p[0], POLLIN);
	sqe->user_data = 5;
	io_uring_submit(&ring);
	struct io_uring_cqe *cqe;
	printf("poll before the write: peek %s\n",
	       io_uring_peek_cqe(&ring, &cqe) == -EAGAIN ? "nothing" : "something");
	write(p[1], "z", 1);
	show_cqe("poll");

	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 5000000 };
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_timeout(sqe, &ts, 0, 0);
	sqe->user_data = 6;
	io_uring_submit(&ring);
	show_cqe("timeout");

	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, dst, O_RDONLY, 0);
	sqe->user_data = 7;
	io_uring_submit(&ring);
	io_uring_wait_cqe(&ring, &cqe);
	int fd = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	char head[7] = {0};
	read(fd, head, 6);
	printf("openat: a file that starts %s\n", head);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_close(sqe, fd);
	sqe->user_data = 8;
	io_uring_submit(&ring);
	show_cqe("close");
	printf("closed: %d\n", fcntl(fd, F_GETFD) < 0);

	struct io_uring_probe *probe = io_uring_get_probe_ring(&ring);
	int ops[] = { IORING_OP_NOP, IORING_OP_READV, IORING_OP_WRITEV, IORING_OP_FSYNC,
		      IORING_OP_POLL_ADD, IORING_OP_TIMEOUT, IORING_OP_OPENAT, IORING_OP_CLOSE,
		      IORING_OP_READ, IORING_OP_WRITE };
	int all = probe != NULL;
	for (unsigned i = 0; probe && i < sizeof ops / sizeof ops[0]; i++)
		all &= io_uring_opcode_supported(probe, ops[i]);
	printf("probe: the opcodes used are supported %d\n", all);
	io_uring_free_probe(probe);

	io_uring_queue_exit(&ring);

	/* a ring with a submission thread: liburing wakes it when it sleeps */
	struct io_uring_params params = { .flags = IORING_SETUP_SQPOLL, .sq_thread_idle = 10 };
	ret = io_uring_queue_init_params(QD, &ring, &params);
	if (ret < 0) {
		printf("SQPOLL: %s\n", strerror(-ret));
	} else {
		for (int i = 0; i < 3; i++) {
			char c[4] = {0};
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_read(sqe, in, c, 3, i * BS);
			sqe->user_data = 10 + i;
			io_uring_submit(&ring);
			show_cqe("SQPOLL read");
			printf("SQPOLL read: %s\n", c);
		}
		io_uring_queue_exit(&ring);
	}
	unlink(src);
	unlink(dst);
	return 0;
}
