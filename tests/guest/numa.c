/*
 * tests/guest/numa.c - NUMA system calls on a one-node machine, compared
 * with the host kernel (which has one node too: nr_node_ids 1, 1024
 * possible in a mask).
 *
 *   numa policy    set_mempolicy/get_mempolicy: every mode and flag, node
 *                  masks of every size, the errors
 *   numa mbind     VMA policies: ranges, holes, splitting, fork, the home
 *                  node
 *   numa migrate   migrate_pages and move_pages (status and moves)
 *   numa sysfs     /sys/devices/system/node and Mems_allowed
 */
#define _GNU_SOURCE
#include "procs.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define MPOL_DEFAULT 0
#define MPOL_PREFERRED 1
#define MPOL_BIND 2
#define MPOL_INTERLEAVE 3
#define MPOL_LOCAL 4
#define MPOL_PREFERRED_MANY 5
#define MPOL_WEIGHTED_INTERLEAVE 6
#define MPOL_F_STATIC_NODES (1 << 15)
#define MPOL_F_RELATIVE_NODES (1 << 14)
#define MPOL_F_NUMA_BALANCING (1 << 13)
#define MPOL_F_NODE 1
#define MPOL_F_ADDR 2
#define MPOL_F_MEMS_ALLOWED 4
#define MPOL_MF_STRICT 1
#define MPOL_MF_MOVE 2
#define MPOL_MF_MOVE_ALL 4

#define PG 4096
static unsigned long mask[1024];	/* 65536 bits */

static long setp(int mode, unsigned long *m, unsigned long maxnode)
{
	return syscall(SYS_set_mempolicy, mode, m, maxnode);
}

static long getp(int *pol, unsigned long *m, unsigned long maxnode, void *addr, unsigned long fl)
{
	return syscall(SYS_get_mempolicy, pol, m, maxnode, addr, fl);
}

static long mbind_(void *a, unsigned long len, int mode, unsigned long *m, unsigned long maxnode,
		   unsigned fl)
{
	return syscall(SYS_mbind, a, len, mode, m, maxnode, fl);
}

static void show_policy(const char *what, void *addr, unsigned long fl)
{
	int pol = -99;
	unsigned long m[4] = {0xdead, 0xbeef, 0, 0};	/* 128 bits: 2 or 4 longs */
	long r = getp(&pol, m, 128, addr, fl);
	if (r < 0)
		printf("%s: get_mempolicy: %s\n", what, strerror(errno));
	else
		printf("%s: policy %#x mask %#lx %#lx\n", what, pol, m[0], m[1]);
}

#define LBITS (8 * sizeof(long))
static void setbit_(unsigned n, int on)
{
	if (on)
		mask[n / LBITS] |= 1UL << (n % LBITS);
	else
		mask[n / LBITS] &= ~(1UL << (n % LBITS));
}

static void node0(void)
{
	memset(mask, 0, sizeof mask);
	mask[0] = 1;
}

static void do_policy(void)
{
	static const int modes[] = {MPOL_DEFAULT, MPOL_PREFERRED, MPOL_BIND, MPOL_INTERLEAVE,
				    MPOL_LOCAL, MPOL_PREFERRED_MANY, MPOL_WEIGHTED_INTERLEAVE};
	show_policy("initially", NULL, 0);
	for (unsigned i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		char what[64];
		node0();
		errno = 0;
		long r = setp(modes[i], mask, 64);
		snprintf(what, sizeof what, "mode %d, node 0: %ld %s", modes[i], r,
			 r ? strerror(errno) : "");
		show_policy(what, NULL, 0);
		r = setp(modes[i], NULL, 0);
		snprintf(what, sizeof what, "mode %d, no nodes: %ld %s", modes[i], r,
			 r ? strerror(errno) : "");
		show_policy(what, NULL, 0);
	}
	/* mode flags */
	node0();
	SHOW(setp(MPOL_BIND | MPOL_F_STATIC_NODES, mask, 64));
	show_policy("static", NULL, 0);
	mask[0] = 6;
	SHOW(setp(MPOL_INTERLEAVE | MPOL_F_RELATIVE_NODES, mask, 64));
	show_policy("relative nodes 1,2", NULL, 0);
	SHOW(setp(MPOL_BIND | MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES, mask, 64));
	node0();
	SHOW(setp(MPOL_BIND | MPOL_F_NUMA_BALANCING, mask, 64));
	show_policy("numa balancing", NULL, 0);
	SHOW(setp(MPOL_INTERLEAVE | MPOL_F_NUMA_BALANCING, mask, 64));
	SHOW(setp(MPOL_PREFERRED | MPOL_F_STATIC_NODES, NULL, 0));
	SHOW(setp(MPOL_LOCAL | MPOL_F_STATIC_NODES, NULL, 0));
	SHOW(setp(7, mask, 64));
	SHOW(setp(-1, mask, 64));
	SHOW(setp(1 << 12, mask, 64));
	SHOW(setp(MPOL_BIND | (1 << 16), mask, 64));
	/* masks: only nodes that do not exist, sizes, bits beyond 1024 */
	memset(mask, 0, sizeof mask);
	mask[0] = 2;
	SHOW(setp(MPOL_BIND, mask, 64));
	SHOW(setp(MPOL_DEFAULT, mask, 64));
	mask[0] = 3;
	SHOW(setp(MPOL_BIND, mask, 64));
	show_policy("nodes 0,1", NULL, 0);
	node0();
	SHOW(setp(MPOL_BIND, mask, 0));
	SHOW(setp(MPOL_BIND, mask, 1));
	SHOW(setp(MPOL_BIND, mask, 2));
	SHOW(setp(MPOL_BIND, mask, 1025));
	SHOW(setp(MPOL_BIND, mask, 4096 * 8));
	SHOW(setp(MPOL_BIND, mask, 4096 * 8 + 1));
	SHOW(setp(MPOL_BIND, mask, 4096 * 8 + 2));
	setbit_(1024, 1);		/* node 1024 */
	SHOW(setp(MPOL_BIND, mask, 1025));
	SHOW(setp(MPOL_BIND, mask, 1026));
	SHOW(setp(MPOL_BIND, mask, 4096));
	setbit_(1024, 0);
	setbit_(1000, 1);		/* node 1000: in range, absent */
	SHOW(setp(MPOL_BIND, mask, 4096));
	SHOW(setp(MPOL_BIND, (unsigned long *)16, 64));
	SHOW(setp(MPOL_DEFAULT, NULL, 0));
	/* get_mempolicy's own rules */
	int pol;
	SHOW(getp(&pol, mask, 0, NULL, 0));
	SHOW(getp(&pol, NULL, 0, NULL, 0));
	SHOW(getp(&pol, mask, 1, NULL, 0));
	printf("mask %#lx\n", mask[0]);
	memset(mask, 0xff, 64);
	SHOW(getp(&pol, mask, 512, NULL, 0));
	printf("mask %#lx %#lx %#lx\n", mask[0], mask[1], mask[7]);
	SHOW(getp(&pol, mask, 4096 * 8 + 2, NULL, 0));
	SHOW(getp(&pol, mask, 65536, NULL, 0));
	SHOW(getp(&pol, mask, 128, NULL, 8));
	SHOW(getp(&pol, mask, 128, (void *)4096, 0));
	SHOW(getp(&pol, mask, 128, NULL, MPOL_F_MEMS_ALLOWED));
	printf("mems allowed: %#lx pol %d\n", mask[0], pol);
	SHOW(getp(&pol, mask, 128, NULL, MPOL_F_MEMS_ALLOWED | MPOL_F_NODE));
	SHOW(getp(&pol, NULL, 0, NULL, MPOL_F_NODE));
	node0();
	setp(MPOL_INTERLEAVE, mask, 64);
	SHOW(getp(&pol, NULL, 0, NULL, MPOL_F_NODE));
	printf("next interleave node %d\n", pol);
	SHOW(getp((int *)16, NULL, 0, NULL, 0));
	SHOW(getp(&pol, (unsigned long *)16, 64, NULL, 0));
	setp(MPOL_DEFAULT, NULL, 0);
	/* inherited by a child, kept across its exec... only fork here */
	node0();
	setp(MPOL_PREFERRED, mask, 64);
	pid_t pid = fork();
	if (pid == 0) {
		show_policy("child", NULL, 0);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	setp(MPOL_DEFAULT, NULL, 0);
}

static void do_mbind(void)
{
	char *m = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	node0();
	SHOW(mbind_(m, 2 * PG, MPOL_INTERLEAVE, mask, 64, 0));
	SHOW(mbind_(m + 4 * PG, 2 * PG, MPOL_BIND, mask, 64, MPOL_MF_STRICT | MPOL_MF_MOVE));
	show_policy("page 0", m, MPOL_F_ADDR);
	show_policy("page 1", m + PG + 5, MPOL_F_ADDR);
	show_policy("page 2", m + 2 * PG, MPOL_F_ADDR);
	show_policy("page 4", m + 4 * PG, MPOL_F_ADDR);
	show_policy("page 6", m + 6 * PG, MPOL_F_ADDR);
	int pol = -1;
	SHOW(getp(&pol, NULL, 0, m + PG, MPOL_F_ADDR | MPOL_F_NODE));
	printf("node of page 1: %d\n", pol);
	/* the VMA was split: a hole in the middle of it now shows */
	munmap(m + 3 * PG, PG);
	SHOW(mbind_(m, 8 * PG, MPOL_BIND, mask, 64, 0));
	SHOW(mbind_(m, 8 * PG, MPOL_DEFAULT, NULL, 0, 0));
	show_policy("page 0 after default", m, MPOL_F_ADDR);
	SHOW(mbind_(m + 3 * PG, PG, MPOL_DEFAULT, NULL, 0, 0));
	SHOW(mbind_(m + 3 * PG, PG, MPOL_BIND, mask, 64, 0));
	SHOW(getp(&pol, NULL, 0, m + 3 * PG, MPOL_F_ADDR));
	SHOW(mbind_(m + 1, PG, MPOL_BIND, mask, 64, 0));
	SHOW(mbind_(m, 0, MPOL_BIND, mask, 64, 0));
	SHOW(mbind_(m, 0, 99, mask, 64, 0));
	SHOW(mbind_(m, PG, MPOL_BIND, mask, 64, 8));
	SHOW(mbind_(m, PG, MPOL_BIND, NULL, 0, 0));
	SHOW(mbind_(m, PG, MPOL_DEFAULT, mask, 64, 0));
	SHOW(mbind_(m, -4096UL, MPOL_BIND, mask, 64, 0));
	SHOW(mbind_(m, PG, MPOL_BIND, (unsigned long *)16, 64, 0));
	/* the vma policy follows fork */
	SHOW(mbind_(m + 6 * PG, PG, MPOL_PREFERRED, mask, 64, 0));
	pid_t pid = fork();
	if (pid == 0) {
		show_policy("child's page 6", m + 6 * PG, MPOL_F_ADDR);
		SHOW(mbind_(m, PG, MPOL_BIND, mask, 64, MPOL_MF_MOVE_ALL));
		setuid(65534);
		SHOW(mbind_(m, PG, MPOL_BIND, mask, 64, MPOL_MF_MOVE_ALL));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	/* the home node */
#ifdef SYS_set_mempolicy_home_node
	long hn = SYS_set_mempolicy_home_node;
#else
	long hn = 450;
#endif
	SHOW(syscall(hn, m + 4 * PG, 2 * PG, 0, 0));
	SHOW(syscall(hn, m + 4 * PG, 2 * PG, 1, 0));
	SHOW(syscall(hn, m + 4 * PG, 2 * PG, 0, 1));
	SHOW(syscall(hn, m + 4 * PG + 1, PG, 0, 0));
	SHOW(syscall(hn, m + 6 * PG, PG, 0, 0));
	SHOW(syscall(hn, m + 7 * PG, PG, 0, 0));
	SHOW(syscall(hn, m, 0, 0, 0));
	SHOW(syscall(hn, m, PG, 5000, 0));
	munmap(m, 8 * PG);
}

static void do_migrate(void)
{
	node0();
	unsigned long empty[2] = {0, 0}, one[2] = {2, 0};
	SHOW(syscall(SYS_migrate_pages, 0, 64, mask, mask));
	SHOW(syscall(SYS_migrate_pages, getpid(), 64, mask, mask));
	SHOW(syscall(SYS_migrate_pages, 0, 64, mask, empty));
	SHOW(syscall(SYS_migrate_pages, 0, 64, mask, one));
	SHOW(syscall(SYS_migrate_pages, 0, 64, empty, mask));
	SHOW(syscall(SYS_migrate_pages, 0, 64, NULL, mask));
	SHOW(syscall(SYS_migrate_pages, 0, 0, mask, mask));
	SHOW(syscall(SYS_migrate_pages, 0, 64, (void *)16, mask));
	SHOW(syscall(SYS_migrate_pages, 0x7ffffff0, 64, mask, mask));
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	SHOW(syscall(SYS_migrate_pages, pid, 64, mask, mask));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	pid = fork();
	if (pid == 0) {
		setuid(65534);
		SHOW(syscall(SYS_migrate_pages, 0, 64, mask, one));
		SHOW(syscall(SYS_migrate_pages, getppid(), 64, mask, mask));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);

	char *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m[0] = 1;
	m[2 * PG] = 1;
	munmap(m + 3 * PG, PG);
	void *pages[5] = {m, m + PG, m + 2 * PG + 7, m + 3 * PG, (void *)8};
	int status[5], nodes[5] = {0, 0, 0, 0, 0};
	memset(status, 0x55, sizeof status);
	SHOW(syscall(SYS_move_pages, 0, 5, pages, NULL, status, 0));
	printf("status %d %d %d %d %d\n", status[0], status[1], status[2], status[3], status[4]);
	memset(status, 0x55, sizeof status);
	SHOW(syscall(SYS_move_pages, 0, 5, pages, nodes, status, MPOL_MF_MOVE));
	printf("status %d %d %d %d %d\n", status[0], status[1], status[2], status[3], status[4]);
	nodes[2] = 1;
	memset(status, 0x55, sizeof status);
	SHOW(syscall(SYS_move_pages, 0, 5, pages, nodes, status, MPOL_MF_MOVE));
	printf("status %d %d %x\n", status[0], status[1], status[2]);
	nodes[2] = -1;
	SHOW(syscall(SYS_move_pages, 0, 5, pages, nodes, status, MPOL_MF_MOVE));
	nodes[2] = 2000;
	SHOW(syscall(SYS_move_pages, 0, 5, pages, nodes, status, MPOL_MF_MOVE));
	nodes[2] = 0;
	SHOW(syscall(SYS_move_pages, 0, 5, pages, nodes, status, 8));
	SHOW(syscall(SYS_move_pages, 0, 5, pages, nodes, status, MPOL_MF_MOVE_ALL));
	SHOW(syscall(SYS_move_pages, 0, 0, NULL, NULL, NULL, 0));
	SHOW(syscall(SYS_move_pages, 0, 5, (void *)16, NULL, status, 0));
	SHOW(syscall(SYS_move_pages, 0, 5, pages, NULL, (void *)16, 0));
	SHOW(syscall(SYS_move_pages, 0, 5, pages, (void *)16, status, 0));
	SHOW(syscall(SYS_move_pages, 0x7ffffff0, 1, pages, NULL, status, 0));
	pid = fork();
	if (pid == 0) {
		setuid(65534);
		SHOW(syscall(SYS_move_pages, 0, 1, pages, nodes, status, MPOL_MF_MOVE_ALL));
		SHOW(syscall(SYS_move_pages, getppid(), 1, pages, NULL, status, 0));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	/* another process's pages, by pid */
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	SHOW(syscall(SYS_move_pages, pid, 1, pages, NULL, status, 0));
	printf("the child's page 0: %d\n", status[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void cat(const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("%s: %s\n", path, strerror(errno));
		return;
	}
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	printf("%s: %s", path, buf);
}

static void do_sysfs(void)
{
	if (access("/sys/devices", F_OK) < 0) {	/* pyuml's initramfs: mount it */
		mkdir("/sys", 0555);
		mount("sysfs", "/sys", "sysfs", 0, NULL);
	}
	cat("/sys/devices/system/node/possible");
	cat("/sys/devices/system/node/online");
	cat("/sys/devices/system/node/has_memory");
	cat("/sys/devices/system/node/has_normal_memory");
	cat("/sys/devices/system/node/node0/distance");
	SHOW(access("/sys/devices/system/node/node1", F_OK));
	FILE *f = fopen("/sys/devices/system/node/node0/meminfo", "r");
	char line[128];
	int n = 0, total = 0, used = 0, free_ = 0;
	while (f && fgets(line, sizeof line, f)) {
		n++;
		total += !strncmp(line, "Node 0 MemTotal:", 16);
		used += !strncmp(line, "Node 0 MemUsed:", 15);
		free_ += !strncmp(line, "Node 0 MemFree:", 15);
	}
	if (f)
		fclose(f);
	printf("node0/meminfo: MemTotal %d MemFree %d MemUsed %d\n", total, free_, used);
	f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "Mems_allowed", 12))
			printf("%s", line);
	if (f)
		fclose(f);
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
	if (!strcmp(argv[1], "policy"))
		do_policy();
	else if (!strcmp(argv[1], "mbind"))
		do_mbind();
	else if (!strcmp(argv[1], "migrate"))
		do_migrate();
	else if (!strcmp(argv[1], "sysfs"))
		do_sysfs();
	else
		return 2;
	return 0;
}
