/* io_uring through the raw system calls (no liburing): io_uring_setup's
 * rings mapped at IORING_OFF_SQ_RING/CQ_RING/SQES, SQEs written and CQEs
 * read by hand, io_uring_enter and io_uring_register.  The same output
 * natively and under pyuml (tests/test_io_uring.py).
 *
 * modes: setup  the parameters and offsets io_uring_setup writes back
 *        rw     NOP, READ/WRITE, READV/WRITEV, FSYNC, READ_FIXED/WRITE_FIXED,
 *               OPENAT/CLOSE, STATX, a link, an eventfd
 *        poll   POLL_ADD on a pipe, a READ that waits for its pipe,
 *               TIMEOUT (by time and by count), ASYNC_CANCEL, LINK_TIMEOUT
 *        errors the errnos of the three calls and of requests
 *        life   a ring shared across fork, requests in flight at exit and
 *               at close, the mapping outliving the ring's fd
 *        fuzz F the 64-byte SQEs in file F, submitted in batches of up to 8
 *               (an addr/off/addr3 whose top byte is 0xA5 is "scratch + low
 *               bits"; pad2 "REG!" makes the record an io_uring_register of
 *               opcode, addr, len instead); under pyuml only
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
#include <sys/wait.h>

/* the ABI (include/uapi/linux/io_uring.h), spelled out: musl has no
 * kernel headers */
struct sqe {
	uint8_t opcode, flags;
	uint16_t ioprio;
	int32_t fd;
	uint64_t off, addr;
	uint32_t len, op_flags;
	uint64_t user_data;
	uint16_t buf_index, personality;
	uint32_t file_index;
	uint64_t addr3, pad2;
};
struct cqe { uint64_t user_data; int32_t res; uint32_t flags; };
struct sqring_offsets { uint32_t head, tail, ring_mask, ring_entries, flags, dropped, array, resv1; uint64_t user_addr; };
struct cqring_offsets { uint32_t head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1; uint64_t user_addr; };
struct params {
	uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd, resv[3];
	struct sqring_offsets sq_off;
	struct cqring_offsets cq_off;
};
struct kts { int64_t sec, nsec; };

enum { OP_NOP, OP_READV, OP_WRITEV, OP_FSYNC, OP_READ_FIXED, OP_WRITE_FIXED, OP_POLL_ADD,
       OP_POLL_REMOVE, OP_SYNC_FILE_RANGE, OP_SENDMSG, OP_RECVMSG, OP_TIMEOUT,
       OP_TIMEOUT_REMOVE, OP_ACCEPT, OP_ASYNC_CANCEL, OP_LINK_TIMEOUT, OP_CONNECT,
       OP_FALLOCATE, OP_OPENAT, OP_CLOSE, OP_FILES_UPDATE, OP_STATX, OP_READ, OP_WRITE };
#define IOSQE_FIXED_FILE 1
#define IOSQE_IO_LINK 4
#define IORING_SETUP_CQSIZE 8
#define IORING_SETUP_CLAMP 16
#define IORING_ENTER_GETEVENTS 1
#define IORING_FEAT_SINGLE_MMAP 1
#define IORING_FEAT_NODROP 2
#define IORING_FEAT_SUBMIT_STABLE 4
#define IORING_FEAT_RW_CUR_POS 8
#define IORING_FEAT_FAST_POLL 32
#define IORING_FEAT_EXT_ARG 256
#define IORING_OFF_SQ_RING 0ULL
#define IORING_OFF_CQ_RING 0x8000000ULL
#define IORING_OFF_SQES 0x10000000ULL
#define REG_BUFFERS 0
#define UNREG_BUFFERS 1
#define REG_FILES 2
#define UNREG_FILES 3
#define REG_EVENTFD 4
#define UNREG_EVENTFD 5
#define REG_PROBE 8

static long setup(unsigned n, struct params *p) { return syscall(425, n, p); }
static long enter(int fd, unsigned sub, unsigned min, unsigned fl)
{
	return syscall(426, fd, sub, min, fl, NULL, 0);
}
static long reg(int fd, unsigned op, void *arg, unsigned nr) { return syscall(427, fd, op, arg, nr); }

struct ring {
	int fd;
	struct params p;
	char *sq, *cq;
	struct sqe *sqes;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct cqe *cqes;
	unsigned queued;
};

static int ring_init(struct ring *r, unsigned entries)
{
	memset(r, 0, sizeof *r);
	r->fd = setup(entries, &r->p);
	if (r->fd < 0) {
		printf("io_uring_setup: %s\n", strerror(errno));
		return -1;
	}
	struct params *p = &r->p;
	size_t sqsz = p->sq_off.array + p->sq_entries * 4;
	size_t cqsz = p->cq_off.cqes + p->cq_entries * sizeof(struct cqe);
	r->sq = mmap(NULL, sqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	r->cq = mmap(NULL, cqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p->sq_entries * sizeof(struct sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sq == MAP_FAILED || r->cq == MAP_FAILED || r->sqes == MAP_FAILED) {
		printf("mmap of the rings: %s\n", strerror(errno));
		return -1;
	}
	r->sq_tail = (unsigned *)(r->sq + p->sq_off.tail);
	r->sq_mask = (unsigned *)(r->sq + p->sq_off.ring_mask);
	r->sq_array = (unsigned *)(r->sq + p->sq_off.array);
	r->cq_head = (unsigned *)(r->cq + p->cq_off.head);
	r->cq_tail = (unsigned *)(r->cq + p->cq_off.tail);
	r->cq_mask = (unsigned *)(r->cq + p->cq_off.ring_mask);
	r->cqes = (struct cqe *)(r->cq + p->cq_off.cqes);
	return 0;
}

static struct sqe *get_sqe(struct ring *r, int op, int fd, uint64_t user_data)
{
	unsigned tail = *r->sq_tail;
	unsigned idx = tail & *r->sq_mask;
	struct sqe *s = &r->sqes[idx];
	memset(s, 0, sizeof *s);
	s->opcode = op;
	s->fd = fd;
	s->user_data = user_data;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	r->queued++;
	return s;
}

/* submit what is queued, wait for `want` CQEs, print them in user_data order */
static void submit_wait(struct ring *r, unsigned want)
{
	long n = enter(r->fd, r->queued, want, IORING_ENTER_GETEVENTS);
	if (n < 0)
		printf("io_uring_enter -> %s\n", strerror(errno));
	else
		printf("io_uring_enter -> %ld\n", n);
	r->queued = 0;
	struct cqe got[64];
	unsigned k = 0;
	unsigned head = *r->cq_head;
	unsigned tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
	while (head != tail && k < 64)
		got[k++] = r->cqes[head++ & *r->cq_mask];
	__atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < k; i++)	/* completion order may differ: sort */
		for (unsigned j = i + 1; j < k; j++)
			if (got[j].user_data < got[i].user_data) {
				struct cqe x = got[i]; got[i] = got[j]; got[j] = x;
			}
	for (unsigned i = 0; i < k; i++) {
		if (got[i].res < 0)
			printf("  cqe %llu: %s\n", (unsigned long long)got[i].user_data, strerror(-got[i].res));
		else
			printf("  cqe %llu: %d\n", (unsigned long long)got[i].user_data, got[i].res);
	}
}

static void ring_exit(struct ring *r) { close(r->fd); }

static char tmpname[64];

static void do_setup(void)
{
	struct params p;
	memset(&p, 0, sizeof p);
	int fd = setup(5, &p);
	printf("fd %s, sq_entries %u cq_entries %u\n", fd >= 0 ? "ok" : strerror(errno),
	       p.sq_entries, p.cq_entries);
	printf("features: single_mmap %d nodrop %d submit_stable %d rw_cur_pos %d fast_poll %d ext_arg %d\n",
	       !!(p.features & IORING_FEAT_SINGLE_MMAP), !!(p.features & IORING_FEAT_NODROP),
	       !!(p.features & IORING_FEAT_SUBMIT_STABLE), !!(p.features & IORING_FEAT_RW_CUR_POS),
	       !!(p.features & IORING_FEAT_FAST_POLL), !!(p.features & IORING_FEAT_EXT_ARG));
	printf("sq_off: head %u tail %u mask %u entries %u flags %u dropped %u array %u\n",
	       p.sq_off.head, p.sq_off.tail, p.sq_off.ring_mask, p.sq_off.ring_entries,
	       p.sq_off.flags, p.sq_off.dropped, p.sq_off.array);
	printf("cq_off: head %u tail %u mask %u entries %u overflow %u cqes %u flags %u\n",
	       p.cq_off.head, p.cq_off.tail, p.cq_off.ring_mask, p.cq_off.ring_entries,
	       p.cq_off.overflow, p.cq_off.cqes, p.cq_off.flags);
	char *sq = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, IORING_OFF_SQ_RING);
	char *cq = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, IORING_OFF_CQ_RING);
	printf("in the ring: sq mask %u entries %u, cq mask %u entries %u, same memory %d\n",
	       *(unsigned *)(sq + p.sq_off.ring_mask), *(unsigned *)(sq + p.sq_off.ring_entries),
	       *(unsigned *)(cq + p.cq_off.ring_mask), *(unsigned *)(cq + p.cq_off.ring_entries),
	       *(unsigned *)(sq + p.cq_off.ring_entries) == *(unsigned *)(cq + p.cq_off.ring_entries));
	close(fd);
	memset(&p, 0, sizeof p);
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 100;
	fd = setup(8, &p);
	printf("CQSIZE 100: sq %u cq %u\n", p.sq_entries, p.cq_entries);
	close(fd);
	memset(&p, 0, sizeof p);
	p.flags = IORING_SETUP_CLAMP;
	fd = setup(100000, &p);
	printf("CLAMP 100000: sq %u cq %u\n", p.sq_entries, p.cq_entries);
	close(fd);
	/* /proc/self/maps names the rings */
	struct ring r;
	if (ring_init(&r, 4) == 0) {
		FILE *m = fopen("/proc/self/maps", "r");
		char line[512];
		int n = 0;
		while (m && fgets(line, sizeof line, m))
			if (strstr(line, "anon_inode:[io_uring]"))
				n++;
		if (m)
			fclose(m);
		printf("maps lines of [io_uring]: %d\n", n);
		ring_exit(&r);
	}
}

static void do_rw(void)
{
	struct ring r;
	if (ring_init(&r, 16))
		return;
	int fd = open(tmpname, O_RDWR | O_CREAT | O_TRUNC, 0644);
	struct sqe *s;

	get_sqe(&r, OP_NOP, -1, 1);
	submit_wait(&r, 1);

	static char a[] = "hello, ", b[] = "io_uring!\n";
	struct iovec wv[2] = { { a, 7 }, { b, 10 } };
	s = get_sqe(&r, OP_WRITEV, fd, 2);
	s->addr = (uintptr_t)wv; s->len = 2; s->off = 0;
	s->flags = IOSQE_IO_LINK;		/* the fsync after it */
	get_sqe(&r, OP_FSYNC, fd, 3);
	submit_wait(&r, 2);

	char buf[64] = {0};
	s = get_sqe(&r, OP_READ, fd, 4);
	s->addr = (uintptr_t)buf; s->len = sizeof buf; s->off = 7;
	submit_wait(&r, 1);
	printf("read: %s", buf);

	char x1[6] = {0}, x2[32] = {0};
	struct iovec rv[2] = { { x1, 5 }, { x2, sizeof x2 - 1 } };
	s = get_sqe(&r, OP_READV, fd, 5);
	s->addr = (uintptr_t)rv; s->len = 2; s->off = 0;
	submit_wait(&r, 1);
	printf("readv: [%s] [%s", x1, x2);

	/* the file position (off -1) moves */
	lseek(fd, 0, SEEK_SET);
	s = get_sqe(&r, OP_WRITE, fd, 6);
	s->addr = (uintptr_t)"HELLO"; s->len = 5; s->off = -1;
	submit_wait(&r, 1);
	printf("position after WRITE at -1: %ld\n", (long)lseek(fd, 0, SEEK_CUR));

	/* registered buffers */
	static char fixed[8192];
	struct iovec fv = { fixed, sizeof fixed };
	SHOW(reg(r.fd, REG_BUFFERS, &fv, 1));
	SHOW(reg(r.fd, REG_BUFFERS, &fv, 1));
	memcpy(fixed, "fixed-buffer", 12);
	s = get_sqe(&r, OP_WRITE_FIXED, fd, 7);
	s->addr = (uintptr_t)fixed; s->len = 12; s->off = 100; s->buf_index = 0;
	s = get_sqe(&r, OP_READ_FIXED, fd, 8);
	s->addr = (uintptr_t)fixed + 4096; s->len = 4; s->off = 0; s->buf_index = 0;
	s = get_sqe(&r, OP_READ_FIXED, fd, 9);		/* outside the buffer */
	s->addr = (uintptr_t)fixed + 8190; s->len = 4; s->off = 0; s->buf_index = 0;
	s = get_sqe(&r, OP_READ_FIXED, fd, 10);		/* no such buffer */
	s->addr = (uintptr_t)fixed; s->len = 4; s->off = 0; s->buf_index = 3;
	submit_wait(&r, 4);
	printf("fixed read: %.4s\n", fixed + 4096);
	SHOW(reg(r.fd, UNREG_BUFFERS, NULL, 0));
	SHOW(reg(r.fd, UNREG_BUFFERS, NULL, 0));

	/* registered files */
	int fds[2] = { -1, fd };
	SHOW(reg(r.fd, REG_FILES, fds, 2));
	memset(buf, 0, sizeof buf);
	s = get_sqe(&r, OP_READ, 1, 11);
	s->flags = IOSQE_FIXED_FILE; s->addr = (uintptr_t)buf; s->len = 5; s->off = 0;
	s = get_sqe(&r, OP_READ, 0, 12);		/* an empty slot */
	s->flags = IOSQE_FIXED_FILE; s->addr = (uintptr_t)buf; s->len = 5; s->off = 0;
	submit_wait(&r, 2);
	printf("fixed file read: %s\n", buf);
	SHOW(reg(r.fd, UNREG_FILES, NULL, 0));

	/* OPENAT, STATX, CLOSE */
	s = get_sqe(&r, OP_OPENAT, AT_FDCWD, 13);
	s->addr = (uintptr_t)tmpname; s->op_flags = O_RDONLY;
	submit_wait(&r, 1);
	struct stat st;
	fstat(fd, &st);
	int fd2 = open(tmpname, O_RDONLY);	/* the one OPENAT made is fd2 - 1 */
	close(fd2);
	printf("openat gave a file of size %ld\n", (long)lseek(fd2 - 1, 0, SEEK_END));
	s = get_sqe(&r, OP_CLOSE, fd2 - 1, 14);
	s = get_sqe(&r, OP_CLOSE, 999, 15);
	submit_wait(&r, 2);
	printf("closed: %d\n", fcntl(fd2 - 1, F_GETFD) < 0);
	static char stx[256];
	s = get_sqe(&r, OP_STATX, AT_FDCWD, 16);
	s->addr = (uintptr_t)tmpname; s->len = 0x7ff; s->off = (uintptr_t)stx;
	submit_wait(&r, 1);
	printf("statx size %llu (fstat %ld)\n", (unsigned long long)*(uint64_t *)(stx + 40), (long)st.st_size);
	s = get_sqe(&r, OP_STATX, AT_FDCWD, 17);
	s->addr = (uintptr_t)"/nonexistent/x"; s->len = 0x7ff; s->off = (uintptr_t)stx;
	submit_wait(&r, 1);

	/* a link broken by a failure: the rest is cancelled */
	s = get_sqe(&r, OP_READ, 999, 18);
	s->addr = (uintptr_t)buf; s->len = 1; s->flags = IOSQE_IO_LINK;
	s = get_sqe(&r, OP_NOP, -1, 19);
	s->flags = IOSQE_IO_LINK;
	get_sqe(&r, OP_NOP, -1, 20);
	submit_wait(&r, 3);

	/* an eventfd told of each completion */
	int efd = eventfd(0, EFD_NONBLOCK);
	SHOW(reg(r.fd, REG_EVENTFD, &efd, 1));
	SHOW(reg(r.fd, REG_EVENTFD, &efd, 1));
	get_sqe(&r, OP_NOP, -1, 21);
	get_sqe(&r, OP_NOP, -1, 22);
	submit_wait(&r, 2);
	uint64_t cnt = 0;
	SHOW(read(efd, &cnt, 8));
	printf("eventfd counted: %d\n", cnt >= 1);	/* Linux may signal once for a batch */
	SHOW(reg(r.fd, UNREG_EVENTFD, NULL, 0));
	SHOW(reg(r.fd, UNREG_EVENTFD, NULL, 0));
	close(efd);
	close(fd);
	unlink(tmpname);
	ring_exit(&r);
}

static void do_poll(void)
{
	struct ring r;
	if (ring_init(&r, 8))
		return;
	int p[2];
	pipe(p);
	struct sqe *s;

	s = get_sqe(&r, OP_POLL_ADD, p[0], 1);
	s->op_flags = POLLIN;
	printf("enter with nothing to wait for: %ld\n", enter(r.fd, 1, 0, 0));
	r.queued = 0;
	printf("cqes before the write: %u\n", *r.cq_tail - *r.cq_head);
	write(p[1], "x", 1);
	submit_wait(&r, 1);		/* the poll: POLLIN */
	char c;
	read(p[0], &c, 1);

	/* a READ of an empty pipe waits for the write */
	char buf[16] = {0};
	s = get_sqe(&r, OP_READ, p[0], 2);
	s->addr = (uintptr_t)buf; s->len = sizeof buf - 1; s->off = -1;
	enter(r.fd, 1, 0, 0);
	r.queued = 0;
	printf("cqes before the write: %u\n", *r.cq_tail - *r.cq_head);
	if (fork() == 0) {
		usleep(20000);
		write(p[1], "late", 4);
		_exit(0);
	}
	submit_wait(&r, 1);
	wait(NULL);
	printf("pipe read: %s\n", buf);

	/* TIMEOUT by time */
	struct kts ts = { 0, 20000000 };
	s = get_sqe(&r, OP_TIMEOUT, -1, 3);
	s->addr = (uintptr_t)&ts; s->len = 1;
	submit_wait(&r, 1);
	/* TIMEOUT by count: done when one other CQE is posted */
	struct kts long_ts = { 60, 0 };
	s = get_sqe(&r, OP_TIMEOUT, -1, 4);
	s->addr = (uintptr_t)&long_ts; s->len = 1; s->off = 1;
	get_sqe(&r, OP_NOP, -1, 5);
	submit_wait(&r, 2);

	/* ASYNC_CANCEL of a poll that waits */
	s = get_sqe(&r, OP_POLL_ADD, p[0], 6);
	s->op_flags = POLLIN;
	enter(r.fd, 1, 0, 0);
	r.queued = 0;
	s = get_sqe(&r, OP_ASYNC_CANCEL, -1, 7);
	s->addr = 6;
	s = get_sqe(&r, OP_ASYNC_CANCEL, -1, 8);
	s->addr = 12345;			/* nothing has that user_data */
	submit_wait(&r, 3);

	/* POLL_REMOVE */
	s = get_sqe(&r, OP_POLL_ADD, p[0], 9);
	s->op_flags = POLLIN;
	s = get_sqe(&r, OP_POLL_REMOVE, -1, 10);
	s->addr = 9;
	submit_wait(&r, 2);

	/* a LINK_TIMEOUT cuts a READ that waits too long */
	s = get_sqe(&r, OP_READ, p[0], 11);
	s->addr = (uintptr_t)buf; s->len = 4; s->off = -1; s->flags = IOSQE_IO_LINK;
	s = get_sqe(&r, OP_LINK_TIMEOUT, -1, 12);
	s->addr = (uintptr_t)&ts; s->len = 1;
	submit_wait(&r, 2);

	/* POLLOUT is there at once */
	s = get_sqe(&r, OP_POLL_ADD, p[1], 13);
	s->op_flags = POLLOUT;
	submit_wait(&r, 1);
	close(p[0]);
	close(p[1]);
	ring_exit(&r);
}

static void do_errors(void)
{
	struct params p;
	memset(&p, 0, sizeof p);
	SHOW(setup(0, &p));
	SHOW(setup(40000, &p));
	p.flags = 1u << 30;
	SHOW(setup(4, &p));
	memset(&p, 0, sizeof p);
	p.resv[1] = 1;
	SHOW(setup(4, &p));
	SHOW(setup(4, NULL));
	memset(&p, 0, sizeof p);
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 2;
	SHOW(setup(4, &p));

	SHOW(enter(-1, 0, 0, 0));
	SHOW(enter(0, 0, 0, 0));
	SHOW(reg(0, REG_PROBE, NULL, 0));

	struct ring r;
	if (ring_init(&r, 4))
		return;
	SHOW(enter(r.fd, 0, 0, 1u << 20));
	SHOW(reg(r.fd, 9999, NULL, 0));
	SHOW(reg(r.fd, UNREG_FILES, NULL, 0));
	SHOW(reg(r.fd, UNREG_EVENTFD, NULL, 0));
	int bad = 77;
	SHOW(reg(r.fd, REG_FILES, &bad, 1));
	SHOW(reg(r.fd, REG_EVENTFD, &bad, 1));
	struct iovec unmapped = { (void *)0x10000, 4096 };
	SHOW(reg(r.fd, REG_BUFFERS, &unmapped, 1));
	SHOW(mmap(NULL, 4096, PROT_READ, MAP_SHARED, r.fd, 0x20000000));
	SHOW(mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, r.fd, 0));
	SHOW(read(r.fd, &bad, 4));

	/* the probe: the opcodes the tests above use are supported */
	static char probe[16 + 64 * 8];
	SHOW(reg(r.fd, REG_PROBE, probe, 64));
	printf("probe last_op >= 23: %d, ops_len = min(64, last_op + 1): %d\n", probe[0] >= 23,
	       (unsigned char)probe[1] == ((unsigned char)probe[0] + 1 < 64 ? (unsigned char)probe[0] + 1 : 64));
	for (int op = 0; op <= OP_WRITE; op++)
		if (!(probe[16 + op * 8 + 2] & 1))
			printf("  op %d not supported\n", op);
	probe[3] = 1;
	SHOW(reg(r.fd, REG_PROBE, probe, 4));	/* a buffer not zeroed */

	/* bad requests, one at a time (a request that cannot be prepared
	 * stops the submission there) */
	struct sqe *s;
	get_sqe(&r, 200, -1, 1);			/* no such opcode */
	submit_wait(&r, 1);
	s = get_sqe(&r, OP_READ, 999, 2);		/* no such fd */
	s->addr = (uintptr_t)&bad; s->len = 4;
	submit_wait(&r, 1);
	s = get_sqe(&r, OP_NOP, -1, 3);
	s->flags = 0x80;				/* no such flag */
	submit_wait(&r, 1);
	int fd = open("/proc/self/exe", O_RDONLY);
	s = get_sqe(&r, OP_WRITE, fd, 4);		/* not open for writing */
	s->addr = (uintptr_t)&bad; s->len = 4;
	submit_wait(&r, 1);
	s = get_sqe(&r, OP_READ, fd, 5);		/* a buffer that is not there */
	s->addr = 0x10000; s->len = 4;
	submit_wait(&r, 1);
	s = get_sqe(&r, OP_TIMEOUT, -1, 6);		/* len must be 1 */
	s->len = 2;
	submit_wait(&r, 1);
	s = get_sqe(&r, OP_POLL_ADD, fd, 7);		/* addr must be 0 */
	s->addr = 1;
	submit_wait(&r, 1);
	s = get_sqe(&r, OP_READV, fd, 8);		/* an iovec array that is not there */
	s->addr = 0x10000; s->len = 1;
	submit_wait(&r, 1);
	close(fd);
	ring_exit(&r);
}

static void do_life(void)
{
	struct ring r;
	if (ring_init(&r, 8))
		return;
	struct sqe *s;
	int p[2];
	pipe(p);

	/* the child submits on the ring it inherited; the parent sees the CQE */
	pid_t c = fork();
	if (c == 0) {
		get_sqe(&r, OP_NOP, -1, 1);
		_exit(enter(r.fd, 1, 0, 0) == 1 ? 0 : 1);
	}
	int st;
	waitpid(c, &st, 0);
	printf("child submitted: exit %d\n", WEXITSTATUS(st));
	r.queued = 0;
	submit_wait(&r, 1);

	/* a process that dies with requests in flight */
	c = fork();
	if (c == 0) {
		struct ring q;
		if (ring_init(&q, 8))
			_exit(1);
		static struct kts ts = { 60, 0 };
		static char buf[8];
		s = get_sqe(&q, OP_POLL_ADD, p[0], 1);
		s->op_flags = POLLIN;
		s = get_sqe(&q, OP_TIMEOUT, -1, 2);
		s->addr = (uintptr_t)&ts; s->len = 1;
		s = get_sqe(&q, OP_READ, p[0], 3);
		s->addr = (uintptr_t)buf; s->len = 8; s->off = -1;
		_exit(enter(q.fd, 3, 0, 0) == 3 ? 0 : 1);
	}
	waitpid(c, &st, 0);
	printf("child with requests in flight: exit %d\n", WEXITSTATUS(st));
	/* the pipe is still whole: nothing the dead ring had is left reading it */
	write(p[1], "y", 1);
	char ch = 0;
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	long got = read(p[0], &ch, 1);
	printf("the byte is still there: %ld %c\n", got, ch);

	/* closing the ring with a request in flight; the mapping stays */
	s = get_sqe(&r, OP_POLL_ADD, p[0], 4);
	s->op_flags = POLLIN;
	enter(r.fd, 1, 0, 0);
	unsigned entries = *(unsigned *)(r.sq + r.p.sq_off.ring_entries);
	close(r.fd);
	printf("after close: sq entries still %u (was %u)\n",
	       *(unsigned *)(r.sq + r.p.sq_off.ring_entries), entries);
	SHOW(enter(r.fd, 0, 0, 0));
	close(p[0]);
	close(p[1]);
}

static char scratch[1 << 20] __attribute__((aligned(4096)));

static uint64_t fix_addr(uint64_t v)
{
	if (v >> 56 == 0xA5)
		return (uintptr_t)scratch + (v & (sizeof scratch - 1));
	return v;
}

static void do_fuzz(const char *path)
{
	struct ring r;
	if (ring_init(&r, 16))
		return;
	/* things for requests to find in the scratch area */
	struct iovec *iov = (struct iovec *)scratch;
	for (int i = 0; i < 8; i++)
		iov[i] = (struct iovec){ scratch + 4096 * (i + 1), 512 };
	struct kts *ts = (struct kts *)(scratch + 256);
	ts[0] = (struct kts){ 0, 1000000 };
	strcpy(scratch + 512, "/tmp/fz");
	int p[2];
	pipe(p);
	open("/tmp/fz", O_RDWR | O_CREAT, 0644);
	int in = open(path, O_RDONLY);
	struct sqe batch[8];
	long n, total = 0, posted = 0;
	while ((n = read(in, batch, sizeof batch)) >= (long)sizeof(struct sqe)) {
		unsigned k = n / sizeof(struct sqe), queued = 0;
		for (unsigned i = 0; i < k; i++) {
			struct sqe *b = &batch[i];
			b->addr = fix_addr(b->addr);
			b->off = fix_addr(b->off);
			b->addr3 = fix_addr(b->addr3);
			if (b->pad2 == 0x21474552) {		/* "REG!" */
				reg(r.fd, b->opcode, (void *)(uintptr_t)b->addr, b->len);
				continue;
			}
			struct sqe *s = get_sqe(&r, 0, 0, 0);
			*s = *b;
			queued++;
		}
		long sub = enter(r.fd, queued, 0, IORING_ENTER_GETEVENTS);
		total += sub > 0 ? sub : 0;
		if (sub < (long)queued) {	/* what was not taken: drop it */
			unsigned head = *(unsigned *)(r.sq + r.p.sq_off.head);
			*r.sq_tail = head;
		}
		unsigned head = *r.cq_head, tail = __atomic_load_n(r.cq_tail, __ATOMIC_ACQUIRE);
		posted += tail - head;
		__atomic_store_n(r.cq_head, tail, __ATOMIC_RELEASE);
	}
	printf("fuzz: %ld submitted, %ld completions seen\n", total, posted);
	ring_exit(&r);
}

int main(int argc, char **argv)
{
	if (access("/proc/self", F_OK) < 0) {	/* pyuml's init: mount it */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	mkdir("/tmp", 0777);
	snprintf(tmpname, sizeof tmpname, "/tmp/iouring-test-%d", getpid());
	test_as_child();
	snprintf(tmpname, sizeof tmpname, "/tmp/iouring-test-%d", getpid());
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
	else if (!strcmp(argv[1], "life"))
		do_life();
	else if (!strcmp(argv[1], "fuzz") && argc > 2)
		do_fuzz(argv[2]);
	else
		return 2;
	return 0;
}
