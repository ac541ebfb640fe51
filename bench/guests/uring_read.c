/* uring_read: 256-byte READs of a small file through io_uring, 8 SQEs per
 * io_uring_enter (submit and wait for all 8); ns per READ.  The rings are
 * driven by hand with the raw system calls, as liburing does. */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "bench.h"

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
struct params {
	uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd, resv[3];
	uint32_t sq_off[6], sq_array, sq_resv; uint64_t sq_user;
	uint32_t cq_off[6], cq_flags, cq_resv; uint64_t cq_user;
};
#define BATCH 8

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000;
	const char *path = "/tmp/pyuml-bench-uring";
	static char buf[BATCH][256];
	mkdir("/tmp", 01777);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	for (int i = 0; i < 100; i++)
		write(fd, "0123456789\n", 11);
	struct params p;
	memset(&p, 0, sizeof p);
	int ring = syscall(425, BATCH, &p);
	if (ring < 0)
		return 1;
	/* one mapping holds both rings (IORING_FEAT_SINGLE_MMAP) */
	size_t sz = p.sq_array + p.sq_entries * 4;
	if (p.cq_off[5] + p.cq_entries * sizeof(struct cqe) > sz)
		sz = p.cq_off[5] + p.cq_entries * sizeof(struct cqe);
	char *r = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, 0);
	struct sqe *sqes = mmap(NULL, p.sq_entries * sizeof(struct sqe), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_POPULATE, ring, 0x10000000);
	if (r == MAP_FAILED || sqes == MAP_FAILED)
		return 1;
	unsigned *sq_tail = (unsigned *)(r + p.sq_off[1]), *sq_array = (unsigned *)(r + p.sq_array);
	unsigned *cq_head = (unsigned *)(r + p.cq_off[0]), *cq_tail = (unsigned *)(r + p.cq_off[1]);
	struct cqe *cqes = (struct cqe *)(r + p.cq_off[5]);
	unsigned sq_mask = p.sq_entries - 1, cq_mask = p.cq_entries - 1;
	double t0 = now_ns();
	for (long done = 0; done < n; done += BATCH) {
		unsigned tail = *sq_tail;
		for (int i = 0; i < BATCH; i++, tail++) {
			struct sqe *s = &sqes[tail & sq_mask];
			memset(s, 0, sizeof *s);
			s->opcode = 22;			/* IORING_OP_READ */
			s->fd = fd;
			s->addr = (uintptr_t)buf[i];
			s->len = sizeof buf[i];
			s->off = i * 64;
			s->user_data = i;
			sq_array[tail & sq_mask] = tail & sq_mask;
		}
		__atomic_store_n(sq_tail, tail, __ATOMIC_RELEASE);
		if (syscall(426, ring, BATCH, BATCH, 1, NULL, 0) != BATCH)
			return 1;
		unsigned head = *cq_head, ctail = __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE);
		for (; head != ctail; head++)
			if (cqes[head & cq_mask].res != 256)
				return 1;
		__atomic_store_n(cq_head, head, __ATOMIC_RELEASE);
	}
	report(t0, n);
	unlink(path);
	return 0;
}
