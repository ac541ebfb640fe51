/*
 * tests/guest/procmapquery.c - ioctl(PROCMAP_QUERY) on /proc/self/maps
 * (Linux 6.11), compared with the host kernel: the covering or next VMA,
 * the permission and file filters, names, build IDs, and the errors.
 */
#define _GNU_SOURCE
#include "procs.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>

struct pq {
	uint64_t size, flags, addr, start, end, vflags, psize, off, ino;
	uint32_t major, minor, name_size, bid_size;
	uint64_t name_addr, bid_addr;
};
#define PROCMAP_QUERY 0xC0686611UL
#define Q_R 1
#define Q_W 2
#define Q_X 4
#define Q_S 8
#define Q_NEXT 0x10
#define Q_FILE 0x20

static int fd;
static char *base;
static char name[256];
static unsigned char bid[64];
static char exe_path[256];

static long q(struct pq *p)
{
	return ioctl(fd, PROCMAP_QUERY, p);
}

static void show(const char *what, uint64_t addr, uint64_t flags, int want_name, int want_bid)
{
	struct pq p;
	memset(&p, 0, sizeof p);
	p.size = sizeof p;
	p.addr = addr;
	p.flags = flags;
	if (want_name) {
		p.name_addr = (uintptr_t)name;
		p.name_size = sizeof name;
	}
	if (want_bid) {
		p.bid_addr = (uintptr_t)bid;
		p.bid_size = sizeof bid;
	}
	memset(name, 0, sizeof name);
	errno = 0;
	long r = q(&p);
	if (r < 0) {
		printf("%s: %s\n", what, strerror(errno));
		return;
	}
	/* where the VMAs of the program and the stack end is the loader's and
	   the stack rlimit's business: only the ones we made have known sizes */
	int known = p.start == (uintptr_t)base || p.start == addr ||
		    p.start == (uintptr_t)base + 3 * 4096;
	printf("%s: start %s len %#llx flags %#llx psize %llu file %d covers %d", what,
	       p.start == (uintptr_t)base ? "=base" : p.start == addr ? "=addr" :
	       p.start == (uintptr_t)base + 3 * 4096 ? "=base+3 pages" :
	       p.start > addr ? "after" : "before",
	       known ? (unsigned long long)(p.end - p.start) : 0, (unsigned long long)p.vflags,
	       (unsigned long long)p.psize, p.ino != 0, p.start <= addr && addr < p.end);
	if (want_name) {
		int prog = !strcmp(name, exe_path);
		printf(" name_size %s name %s", prog ? (p.name_size == strlen(exe_path) + 1 ?
		       "right" : "wrong") : (sprintf((char *)bid, "%u", p.name_size), (char *)bid),
		       prog ? "(the program)" : name);
	}
	if (want_bid)
		printf(" build-id %u bytes", p.bid_size);
	printf("\n");
}

int main(void)
{
	if (access("/proc/self", F_OK) < 0) {
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	test_as_child();
	readlink("/proc/self/exe", exe_path, sizeof exe_path - 1);
	fd = open("/proc/self/maps", O_RDONLY);
	base = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(base + 4096, 4096, PROT_READ);
	munmap(base + 2 * 4096, 4096);
	mprotect(base + 3 * 4096, 4096, PROT_READ | PROT_EXEC);
	show("base", (uintptr_t)base, 0, 1, 1);
	show("base+1", (uintptr_t)base + 1, 0, 1, 0);
	show("read-only part", (uintptr_t)base + 4096, 0, 1, 0);
	show("hole", (uintptr_t)base + 2 * 4096, 0, 0, 0);
	show("writable only, covering", (uintptr_t)base + 4096, Q_W, 0, 0);
	show("hole, or next readable", (uintptr_t)base + 2 * 4096, Q_NEXT | Q_R, 0, 0);
	show("executable", (uintptr_t)main, Q_X, 1, 1);
	show("executable, but shared", (uintptr_t)main, Q_X | Q_S, 0, 0);
	show("file-backed from 0", 0, Q_NEXT | Q_FILE, 1, 0);
	int x;
	show("stack", (uintptr_t)&x, 0, 1, 0);
	int mfd = memfd_create("pq", 0);
	ftruncate(mfd, 4096);
	char *sh = mmap(NULL, 4096, PROT_READ, MAP_SHARED, mfd, 0);
	show("memfd", (uintptr_t)sh, 0, 1, 0);
	show("memfd, shared", (uintptr_t)sh, Q_S, 0, 1);
	show("nothing beyond", (uint64_t)-4096, Q_NEXT, 0, 0);
	/* errors */
	struct pq p;
	memset(&p, 0, sizeof p);
	p.size = 5000;
	SHOW(q(&p));
	p.size = 23;
	SHOW(q(&p));
	p.size = 24;
	p.addr = (uintptr_t)base;
	SHOW(q(&p));
	p.size = sizeof p;
	p.flags = 0x40;
	SHOW(q(&p));
	p.flags = 0;
	p.name_size = 8;
	SHOW(q(&p));
	p.name_size = 0;
	p.name_addr = (uintptr_t)name;
	SHOW(q(&p));
	p.name_addr = 0;
	p.bid_size = 4;
	p.bid_addr = (uintptr_t)bid;
	p.addr = (uintptr_t)main;
	SHOW(q(&p));
	p.bid_size = 0;
	p.bid_addr = 0;
	p.name_size = 3;
	p.name_addr = (uintptr_t)name;
	SHOW(q(&p));
	char big[200];
	memset(big, 0, sizeof big);
	memcpy(big, &p, sizeof p);
	((struct pq *)big)->size = 200;
	((struct pq *)big)->name_size = 0;
	((struct pq *)big)->name_addr = 0;
	SHOW(q((struct pq *)big));
	big[150] = 1;
	SHOW(q((struct pq *)big));
	SHOW(ioctl(fd, PROCMAP_QUERY, (void *)16));
	SHOW(ioctl(fd, 0x1234, &p));
	int st = open("/proc/self/status", O_RDONLY);
	SHOW(ioctl(st, PROCMAP_QUERY, &p));
	return 0;
}
