/*
 * tests/guest/userfaultfd.c - userfaultfd(2), compared with the host kernel.
 *
 *   userfaultfd api      flags, UFFDIO_API's answers and errors, read/poll
 *                        before it, /dev/userfaultfd, the EPERM for non-root
 *   userfaultfd missing  a fault thread resolving missing pages with COPY,
 *                        ZEROPAGE and WAKE; EEXIST, ENOENT, partial ranges,
 *                        UNREGISTER, the fault woken by closing the file,
 *                        THREAD_ID and EXACT_ADDRESS, fork
 *   userfaultfd wp       write protection: the WP|WRITE fault, mprotect
 *                        keeping it, UFFDIO_WRITEPROTECT lifting it
 *   userfaultfd shmem    a memfd mapping: MISSING filling the page cache,
 *                        MINOR faults resolved with CONTINUE
 *   userfaultfd poison   UFFDIO_POISON: SIGBUS BUS_MCEERR_AR, EEXIST
 *   userfaultfd move     UFFDIO_MOVE of anonymous pages, holes, EBUSY
 *   userfaultfd sigbus   UFFD_FEATURE_SIGBUS
 *
 * Only the feature bits this kernel implements are compared (the host has
 * hugetlbfs and fork events besides).
 */
#define _GNU_SOURCE
#include "procs.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#define UFFD_API 0xAAULL
#define UFFD_USER_MODE_ONLY 1
#define IOWR(nr, sz) ((3UL << 30) | ((unsigned long)(sz) << 16) | (0xAA << 8) | (nr))
#define IOR(nr, sz) ((2UL << 30) | ((unsigned long)(sz) << 16) | (0xAA << 8) | (nr))
#define UFFDIO_API IOWR(0x3F, 24)
#define UFFDIO_REGISTER IOWR(0x00, 32)
#define UFFDIO_UNREGISTER IOR(0x01, 16)
#define UFFDIO_WAKE IOR(0x02, 16)
#define UFFDIO_COPY IOWR(0x03, 40)
#define UFFDIO_ZEROPAGE IOWR(0x04, 32)
#define UFFDIO_MOVE IOWR(0x05, 40)
#define UFFDIO_WRITEPROTECT IOWR(0x06, 24)
#define UFFDIO_CONTINUE IOWR(0x07, 32)
#define UFFDIO_POISON IOWR(0x08, 32)
#define USERFAULTFD_IOC_NEW ((0xAA << 8) | 0)
#define MODE_MISSING 1
#define MODE_WP 2
#define MODE_MINOR 4
#define F_WP (1 << 0)
#define F_MISSING_SHMEM (1 << 5)
#define F_SIGBUS (1 << 7)
#define F_THREAD_ID (1 << 8)
#define F_MINOR_SHMEM (1 << 10)
#define F_EXACT_ADDRESS (1 << 11)
#define F_POISON (1 << 14)
#define F_MOVE (1 << 16)
#define OURS (F_WP | F_MISSING_SHMEM | F_SIGBUS | F_THREAD_ID | F_MINOR_SHMEM | \
	      F_EXACT_ADDRESS | F_POISON | F_MOVE)

struct api { uint64_t api, features, ioctls; };
struct range { uint64_t start, len; };
struct reg { struct range range; uint64_t mode, ioctls; };
struct copy { uint64_t dst, src, len, mode; int64_t copy; };
struct zero { struct range range; uint64_t mode; int64_t res; };
struct wprot { struct range range; uint64_t mode; };
struct msg {
	uint8_t event, r1;
	uint16_t r2;
	uint32_t r3;
	uint64_t flags, address;
	uint32_t ptid, pad;
};

#define PG 4096
static int uffd = -1;
static char *base;

static pid_t ffork(void)
{
	fflush(stdout);
	return fork();
}

static int new_uffd(int flags, uint64_t features)
{
	int fd = syscall(SYS_userfaultfd, flags);
	if (fd < 0) {
		printf("userfaultfd: %s\n", strerror(errno));
		return -1;
	}
	struct api a = {UFFD_API, features, 0};
	if (ioctl(fd, UFFDIO_API, &a) < 0)
		printf("UFFDIO_API: %s\n", strerror(errno));
	return fd;
}

static long reg(int fd, void *start, size_t len, uint64_t mode)
{
	struct reg r = {{(uintptr_t)start, len}, mode, 0};
	long rc = ioctl(fd, UFFDIO_REGISTER, &r);
	if (rc == 0)
		printf("registered, range ioctls %#llx\n", (unsigned long long)r.ioctls);
	return rc;
}

static char *map(size_t n)
{
	return mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* -- the fault thread ---------------------------------------------------------- */

static char src_page[PG] __attribute__((aligned(PG)));
static volatile int handled;
enum how { H_COPY, H_ZERO, H_WAKE_AFTER_COPY_DONTWAKE, H_WP, H_CONTINUE, H_POISON, H_CLOSE };
static enum how how;
static pid_t faulter_tid;

/* The thread must not take stdio's lock: the faulting thread may hold it
 * (its printf touching the page).  It logs here; main prints after join. */
static char tlog[2048];
static size_t tlen;
#define LOG(...) (tlen += snprintf(tlog + tlen, sizeof tlog - tlen, __VA_ARGS__))

static void show_msg(struct msg *m)
{
	LOG("msg: event %#x flags %#llx offset %#llx tid-is-faulter %d\n", m->event,
	       (unsigned long long)m->flags,
	       (unsigned long long)(m->address - (uintptr_t)base), m->ptid == (uint32_t)faulter_tid);
}

static void *fault_thread(void *arg)
{
	struct pollfd p = {uffd, POLLIN, 0};
	struct msg m;
	(void)arg;
	if (poll(&p, 1, 10000) != 1) {
		LOG("thread: poll timed out\n");
		return NULL;
	}
	LOG("thread: revents %#x\n", p.revents);
	ssize_t n = read(uffd, &m, sizeof m);
	LOG("thread: read %zd\n", n);
	show_msg(&m);
	uint64_t page = m.address & ~(uint64_t)(PG - 1);
	memset(src_page, 'X', PG);
	if (how == H_COPY || how == H_WAKE_AFTER_COPY_DONTWAKE) {
		struct copy c = {page, (uintptr_t)src_page, PG,
				 how == H_COPY ? 0 : 1, 0};
		long rc = ioctl(uffd, UFFDIO_COPY, &c);
		LOG("thread: COPY -> %ld copy %lld\n", rc, (long long)c.copy);
		if (how == H_WAKE_AFTER_COPY_DONTWAKE) {
			usleep(20000);
			struct range r = {page, PG};
			LOG("thread: WAKE -> %d\n", ioctl(uffd, UFFDIO_WAKE, &r));
		}
	} else if (how == H_ZERO) {
		struct zero z = {{page, PG}, 0, 0};
		long rc = ioctl(uffd, UFFDIO_ZEROPAGE, &z);
		LOG("thread: ZEROPAGE -> %ld res %lld\n", rc, (long long)z.res);
	} else if (how == H_WP) {
		LOG("thread: the write is not there yet %d\n", base[0x10] == 0);
		struct wprot w = {{page, PG}, 0};
		LOG("thread: WRITEPROTECT off -> %d\n", ioctl(uffd, UFFDIO_WRITEPROTECT, &w));
	} else if (how == H_CONTINUE) {
		struct zero z = {{page, PG}, 0, 0};
		long rc = ioctl(uffd, UFFDIO_CONTINUE, &z);
		LOG("thread: CONTINUE -> %ld mapped %lld\n", rc, (long long)z.res);
	} else if (how == H_POISON) {
		struct zero z = {{page, PG}, 0, 0};
		long rc = ioctl(uffd, UFFDIO_POISON, &z);
		LOG("thread: POISON -> %ld updated %lld\n", rc, (long long)z.res);
	} else if (how == H_CLOSE) {
		close(uffd);
		uffd = -1;
		LOG("thread: closed the userfaultfd\n");
	}
	handled = 1;
	return NULL;
}

static pthread_t start_thread(enum how h)
{
	pthread_t th;
	how = h;
	handled = 0;
	tlen = 0;
	tlog[0] = 0;
	faulter_tid = syscall(SYS_gettid);
	fflush(stdout);
	pthread_create(&th, NULL, fault_thread, NULL);
	return th;
}

static void join(pthread_t th)
{
	pthread_join(th, NULL);
	fputs(tlog, stdout);
}

/* -- modes ----------------------------------------------------------------------- */

static void do_api(void)
{
	SHOW(syscall(SYS_userfaultfd, 0x1000));
	int fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	printf("fd flags: cloexec %d nonblock %d rdonly %d\n", !!(fcntl(fd, F_GETFD) & FD_CLOEXEC),
	       !!(fcntl(fd, F_GETFL) & O_NONBLOCK), (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY);
	char buf[64];
	SHOW(read(fd, buf, sizeof buf));
	struct pollfd p = {fd, POLLIN, 0};
	SHOW(poll(&p, 1, 0));
	printf("revents %#x\n", p.revents);
	struct reg r = {{0x100000, PG}, MODE_MISSING, 0};
	SHOW(ioctl(fd, UFFDIO_REGISTER, &r));
	struct api a = {0xAB, 0, 0};
	SHOW(ioctl(fd, UFFDIO_API, &a));
	printf("after a bad api: %llx %llx %llx\n", (unsigned long long)a.api,
	       (unsigned long long)a.features, (unsigned long long)a.ioctls);
	a.api = UFFD_API;
	a.features = 1ULL << 40;
	SHOW(ioctl(fd, UFFDIO_API, &a));
	a.features = 0;
	SHOW(ioctl(fd, UFFDIO_API, &a));
	printf("api %#llx our features %#llx ioctls %#llx\n", (unsigned long long)a.api,
	       (unsigned long long)(a.features & OURS), (unsigned long long)a.ioctls);
	SHOW(ioctl(fd, UFFDIO_API, &a));
	SHOW(ioctl(fd, UFFDIO_API, (void *)16));
	SHOW(read(fd, buf, sizeof buf));
	SHOW(read(fd, buf, 31));
	SHOW(poll(&p, 1, 0));
	SHOW(ioctl(fd, IOWR(0x30, 8), buf));
	close(fd);
	if (access("/dev/userfaultfd", F_OK) < 0)	/* pyuml's initramfs: devtmpfs */
		mount("dev", "/dev", "devtmpfs", 0, NULL);
	fd = open("/dev/userfaultfd", O_RDWR);
	printf("/dev/userfaultfd opened %d\n", fd >= 0);
	int fd2 = ioctl(fd, USERFAULTFD_IOC_NEW, O_CLOEXEC);
	printf("USERFAULTFD_IOC_NEW gave a userfaultfd %d\n", fd2 >= 0);
	SHOW(ioctl(fd, USERFAULTFD_IOC_NEW, 0x1000));
	SHOW(ioctl(fd, 0x1234, 0));
	close(fd2);
	close(fd);
	pid_t pid = ffork();
	if (pid == 0) {
		setuid(65534);
		SHOW(syscall(SYS_userfaultfd, 0));
		fd = syscall(SYS_userfaultfd, UFFD_USER_MODE_ONLY);
		printf("nobody with UFFD_USER_MODE_ONLY %d\n", fd >= 0);
		SHOW(open("/dev/userfaultfd", O_RDWR));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("nobody", pid);
}

static void do_missing(void)
{
	uffd = new_uffd(O_CLOEXEC, F_THREAD_ID);
	base = map(8 * PG);
	/* bad registrations */
	SHOW(reg(uffd, base + 1, PG, MODE_MISSING));
	SHOW(reg(uffd, base, PG + 1, MODE_MISSING));
	SHOW(reg(uffd, base, 0, MODE_MISSING));
	SHOW(reg(uffd, base, PG, 0));
	SHOW(reg(uffd, base, PG, 8));
	SHOW(reg(uffd, (void *)0x1000, PG, MODE_MISSING));
	SHOW(reg(uffd, (void *)(0x7ffffffff000UL & ~4095UL) + (sizeof(long) == 4 ? 0 : PG), PG,
		 MODE_MISSING));
	char *hole = map(PG);
	munmap(hole, PG);
	SHOW(reg(uffd, hole, PG, MODE_MISSING));
	char *ro = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SHOW(reg(uffd, ro, PG, MODE_MISSING));
	SHOW(reg(uffd, base, 4 * PG, MODE_MISSING));
	base[5 * PG] = 1;	/* not registered: an ordinary page */

	/* COPY resolves a read */
	pthread_t th = start_thread(H_COPY);
	printf("read %c\n", base[0x20]);
	join(th);
	/* ZEROPAGE resolves a write */
	th = start_thread(H_ZERO);
	base[PG + 8] = 'w';
	join(th);
	printf("page 1: %d %c\n", base[PG], base[PG + 8]);
	/* COPY with DONTWAKE: the faulter sleeps until WAKE */
	th = start_thread(H_WAKE_AFTER_COPY_DONTWAKE);
	printf("read %c\n", base[2 * PG + 1]);
	join(th);

	/* the ioctls' own errors */
	struct copy c = {(uintptr_t)base, (uintptr_t)src_page, PG, 0, 0};
	SHOW(ioctl(uffd, UFFDIO_COPY, &c));
	printf("copy %lld\n", (long long)c.copy);
	c.dst = (uintptr_t)base + 2 * PG;
	c.len = 2 * PG;
	SHOW(ioctl(uffd, UFFDIO_COPY, &c));
	printf("copy %lld\n", (long long)c.copy);
	c.dst = (uintptr_t)base + 3 * PG;
	c.len = 2 * PG;
	SHOW(ioctl(uffd, UFFDIO_COPY, &c));
	printf("copy %lld\n", (long long)c.copy);
	c.dst = (uintptr_t)base + 6 * PG;
	c.len = PG;
	SHOW(ioctl(uffd, UFFDIO_COPY, &c));
	c.dst = (uintptr_t)base + 1;
	SHOW(ioctl(uffd, UFFDIO_COPY, &c));
	c.dst = (uintptr_t)base;
	c.mode = 4;
	SHOW(ioctl(uffd, UFFDIO_COPY, &c));
	c.mode = 2;
	SHOW(ioctl(uffd, UFFDIO_COPY, &c));
	c.mode = 0;
	c.src = (uint64_t)-PG;
	SHOW(ioctl(uffd, UFFDIO_COPY, &c));
	SHOW(ioctl(uffd, UFFDIO_COPY, (void *)16));
	struct zero z = {{(uintptr_t)base, PG}, 2, 0};
	SHOW(ioctl(uffd, UFFDIO_ZEROPAGE, &z));
	struct range r = {(uintptr_t)base, 0};
	SHOW(ioctl(uffd, UFFDIO_WAKE, &r));
	struct wprot w = {{(uintptr_t)base, PG}, 1};
	SHOW(ioctl(uffd, UFFDIO_WRITEPROTECT, &w));
	SHOW(ioctl(uffd, UFFDIO_CONTINUE, &z));

	/* closing the file: the sleeping fault retries as an ordinary one */
	th = start_thread(H_CLOSE);
	printf("read after close: %d\n", base[4 * PG - 1]);
	join(th);

	/* a new one: UNREGISTER, then exact addresses */
	uffd = new_uffd(O_CLOEXEC, F_EXACT_ADDRESS);
	char *b2 = map(2 * PG);
	SHOW(reg(uffd, b2, 2 * PG, MODE_MISSING));
	r.start = (uintptr_t)b2 + PG;
	r.len = PG;
	SHOW(ioctl(uffd, UFFDIO_UNREGISTER, &r));
	printf("unregistered page reads %d\n", b2[PG + 5]);
	base = b2;
	th = start_thread(H_COPY);
	printf("read %c\n", b2[0x123]);
	join(th);
	/* fork: the child's memory is not registered */
	char *b3 = map(PG);
	SHOW(reg(uffd, b3, PG, MODE_MISSING));
	pid_t pid = ffork();
	if (pid == 0) {
		printf("child reads %d\n", b3[7]);
		fflush(stdout);
		_exit(0);
	}
	wait_describe("child", pid);
	/* non-blocking read of nothing */
	int nb = new_uffd(O_NONBLOCK, 0);
	char buf[32];
	SHOW(read(nb, buf, sizeof buf));
	close(nb);
	close(uffd);
}

static void do_wp(void)
{
	uffd = new_uffd(O_CLOEXEC, F_WP);
	base = map(2 * PG);
	memset(base, 0, 2 * PG);
	SHOW(reg(uffd, base, 2 * PG, MODE_WP));
	struct wprot w = {{(uintptr_t)base, PG}, 1};
	SHOW(ioctl(uffd, UFFDIO_WRITEPROTECT, &w));
	w.mode = 3;
	SHOW(ioctl(uffd, UFFDIO_WRITEPROTECT, &w));
	w.mode = 4;
	SHOW(ioctl(uffd, UFFDIO_WRITEPROTECT, &w));
	w.mode = 1;
	printf("reading a protected page is fine: %d\n", base[5]);
	/* mprotect does not lift it */
	mprotect(base, PG, PROT_READ);
	mprotect(base, PG, PROT_READ | PROT_WRITE);
	pthread_t th = start_thread(H_WP);
	base[0x10] = 'W';
	join(th);
	printf("written: %c\n", base[0x10]);
	base[PG + 1] = 1;	/* never protected */
	/* protecting outside the registration */
	char *other = map(PG);
	other[0] = 1;
	w.range.start = (uintptr_t)other;
	SHOW(ioctl(uffd, UFFDIO_WRITEPROTECT, &w));
	/* WP on memory that is not anonymous is refused here (the host's
	   shmem write protection needs pte markers) - not compared */
	close(uffd);
}

static void do_shmem(void)
{
	uffd = new_uffd(O_CLOEXEC, F_MISSING_SHMEM | F_MINOR_SHMEM);
	int mfd = memfd_create("uffd", 0);
	ftruncate(mfd, 4 * PG);
	pwrite(mfd, "cached", 6, 2 * PG);
	base = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	SHOW(reg(uffd, base, 2 * PG, MODE_MISSING));
	SHOW(reg(uffd, base + 2 * PG, 2 * PG, MODE_MINOR));
	char *anon = map(PG);
	SHOW(reg(uffd, anon, PG, MODE_MINOR));
	pthread_t th = start_thread(H_COPY);
	printf("read %c\n", base[0x40]);
	join(th);
	char buf[8] = {0};
	pread(mfd, buf, 4, 0x40);
	printf("the file has it: %.4s\n", buf);
	/* COPY into a page the file already has */
	struct copy c = {(uintptr_t)base, (uintptr_t)src_page, PG, 0, 0};
	SHOW(ioctl(uffd, UFFDIO_COPY, &c));
	/* MINOR: the page is cached, just not mapped */
	th = start_thread(H_CONTINUE);
	char got[8] = {0};
	memcpy(got, base + 2 * PG, 6);
	printf("read %s\n", got);
	join(th);
	/* CONTINUE needs the page in the cache */
	struct zero z = {{(uintptr_t)base + 3 * PG, PG}, 0, 0};
	SHOW(ioctl(uffd, UFFDIO_CONTINUE, &z));
	printf("mapped %lld\n", (long long)z.res);
	pwrite(mfd, "late", 4, 3 * PG);
	SHOW(ioctl(uffd, UFFDIO_CONTINUE, &z));
	memcpy(got, base + 3 * PG, 4);
	got[4] = 0;
	printf("mapped %lld, reads %s\n", (long long)z.res, got);
	SHOW(ioctl(uffd, UFFDIO_CONTINUE, &z));
	/* ZEROPAGE on shmem */
	z.range.start = (uintptr_t)base + PG;
	SHOW(ioctl(uffd, UFFDIO_ZEROPAGE, &z));
	printf("zeropage %lld reads %d\n", (long long)z.res, base[PG + 9]);
	close(uffd);
	munmap(base, 4 * PG);
	close(mfd);
}

static sigjmp_buf jb;
static volatile int bus_code;
static volatile uintptr_t bus_addr;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
	bus_code = si->si_code;
	bus_addr = (uintptr_t)si->si_addr;
	(void)sig;
	(void)uc;
	siglongjmp(jb, 1);
}

static void catch_bus(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
}

static void do_poison(void)
{
	catch_bus();
	uffd = new_uffd(O_CLOEXEC, F_POISON);
	base = map(3 * PG);
	SHOW(reg(uffd, base, 3 * PG, MODE_MISSING));
	pthread_t th = start_thread(H_POISON);
	if (sigsetjmp(jb, 1) == 0)
		printf("read %d\n", base[0x30]);
	else
		printf("SIGBUS code %d at offset %#lx\n", bus_code,
		       (unsigned long)(bus_addr - (uintptr_t)base));
	join(th);
	struct zero z = {{(uintptr_t)base, PG}, 0, 0};
	SHOW(ioctl(uffd, UFFDIO_POISON, &z));
	printf("updated %lld\n", (long long)z.res);
	struct copy c = {(uintptr_t)base, (uintptr_t)src_page, PG, 0, 0};
	SHOW(ioctl(uffd, UFFDIO_COPY, &c));
	z.range.start = (uintptr_t)base + PG;
	z.mode = 1;
	SHOW(ioctl(uffd, UFFDIO_POISON, &z));
	z.mode = 2;
	SHOW(ioctl(uffd, UFFDIO_POISON, &z));
	close(uffd);
	/* the marker stays after the registration is gone */
	if (sigsetjmp(jb, 1) == 0)
		printf("write %d\n", base[PG] = 1);
	else
		printf("SIGBUS again, code %d\n", bus_code);
	/* munmap takes it away */
	munmap(base, 3 * PG);
	char *again = mmap(base, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			   -1, 0);
	printf("fresh page reads %d\n", again[0]);
}

struct mv { uint64_t dst, src, len, mode; int64_t move; };

static void do_move(void)
{
	uffd = new_uffd(O_CLOEXEC, F_MOVE);
	base = map(4 * PG);
	char *src = map(4 * PG);
	SHOW(reg(uffd, base, 4 * PG, MODE_MISSING));
	strcpy(src, "moved page");
	struct mv m = {(uintptr_t)base, (uintptr_t)src, PG, 0, 0};
	SHOW(ioctl(uffd, UFFDIO_MOVE, &m));
	char got[16] = {0};
	memcpy(got, base, 10);
	printf("move %lld: dst \"%s\"\n", (long long)m.move, got);
	/* the source is now a hole */
	m.dst = (uintptr_t)base + PG;
	SHOW(ioctl(uffd, UFFDIO_MOVE, &m));
	printf("move %lld\n", (long long)m.move);
	m.mode = 2;
	SHOW(ioctl(uffd, UFFDIO_MOVE, &m));
	printf("move %lld\n", (long long)m.move);
	m.mode = 0;
	src[PG] = 'b';
	m.src = (uintptr_t)src + PG;
	m.dst = (uintptr_t)base;
	SHOW(ioctl(uffd, UFFDIO_MOVE, &m));
	printf("move %lld\n", (long long)m.move);
	/* a page shared with a child (copy-on-write) cannot move */
	src[2 * PG] = 'c';
	pid_t pid = ffork();
	if (pid == 0) {
		usleep(100000);
		_exit(0);
	}
	m.src = (uintptr_t)src + 2 * PG;
	m.dst = (uintptr_t)base + 2 * PG;
	SHOW(ioctl(uffd, UFFDIO_MOVE, &m));
	printf("move %lld\n", (long long)m.move);
	waitpid(pid, NULL, 0);
	m.src = (uintptr_t)src;
	m.dst = (uintptr_t)src + PG;
	SHOW(ioctl(uffd, UFFDIO_MOVE, &m));
	m.dst = (uintptr_t)base + 3 * PG;
	m.mode = 8;
	SHOW(ioctl(uffd, UFFDIO_MOVE, &m));
	close(uffd);
}

static void do_sigbus(void)
{
	catch_bus();
	uffd = new_uffd(O_CLOEXEC, F_SIGBUS);
	base = map(PG);
	SHOW(reg(uffd, base, PG, MODE_MISSING));
	if (sigsetjmp(jb, 1) == 0)
		printf("read %d\n", base[0x44]);
	else
		printf("SIGBUS code %d at offset %#lx\n", bus_code,
		       (unsigned long)(bus_addr - (uintptr_t)base));
	struct zero z = {{(uintptr_t)base, PG}, 0, 0};
	SHOW(ioctl(uffd, UFFDIO_ZEROPAGE, &z));
	printf("then reads %d\n", base[0x44]);
	close(uffd);
}

/* pyuml only: the kernel's own access to a missing registered page is
   EFAULT (Linux would sleep until the fault thread fills it) */
static void do_uaccess(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	uffd = new_uffd(O_CLOEXEC, 0);
	base = map(PG);
	SHOW(reg(uffd, base, PG, MODE_MISSING));
	int p[2];
	pipe(p);
	write(p[1], "data", 4);
	SHOW(read(p[0], base, 4));
	SHOW(write(p[1], base, 4));
	struct zero z = {{(uintptr_t)base, PG}, 0, 0};
	SHOW(ioctl(uffd, UFFDIO_ZEROPAGE, &z));
	write(p[1], "more", 4);
	SHOW(read(p[0], base, 4));
	printf("then: %.4s\n", base);
	close(uffd);
}

int main(int argc, char **argv)
{
	test_as_child();
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "api"))
		do_api();
	else if (!strcmp(argv[1], "missing"))
		do_missing();
	else if (!strcmp(argv[1], "wp"))
		do_wp();
	else if (!strcmp(argv[1], "shmem"))
		do_shmem();
	else if (!strcmp(argv[1], "poison"))
		do_poison();
	else if (!strcmp(argv[1], "move"))
		do_move();
	else if (!strcmp(argv[1], "sigbus"))
		do_sigbus();
	else if (!strcmp(argv[1], "uaccess"))
		do_uaccess();
	else
		return 2;
	return 0;
}
