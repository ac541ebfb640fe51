/*
 * tests/guest/schedattr.c - sched_setattr(2)/sched_getattr(2), compared
 * with the host kernel: every policy with struct sched_attr, SCHED_DEADLINE
 * reservations and their checks, sizes of the struct, flags, fork, what an
 * unprivileged user may not do.  (Deadline bandwidth admission depends on
 * the number of CPUs, so only one reservation at a time is made.)
 */
#define _GNU_SOURCE
#include "procs.h"
#include <sched.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#define SCHED_FLAG_RESET_ON_FORK 0x01
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

struct attr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t prio;
	uint64_t runtime, deadline, period;
	uint32_t umin, umax;
	uint64_t extra[2];
};

static long setattr(pid_t pid, struct attr *a, unsigned flags)
{
	return syscall(SYS_sched_setattr, pid, a, flags);
}

static long getattr(pid_t pid, struct attr *a, unsigned size, unsigned flags)
{
	return syscall(SYS_sched_getattr, pid, a, size, flags);
}

static void show(const char *what, pid_t pid)
{
	struct attr a;
	memset(&a, 0x55, sizeof a);
	if (getattr(pid, &a, sizeof a, 0) < 0) {
		printf("%s: getattr: %s\n", what, strerror(errno));
		return;
	}
	printf("%s: size %u policy %u flags %#llx nice %d prio %u runtime %s deadline %llu "
	       "period %llu util %u %u, after: %#llx\n", what, a.size, a.policy,
	       (unsigned long long)a.flags, a.nice, a.prio,
	       a.policy < 6 && a.runtime ? (a.runtime == 5000000 ? "5ms" : a.runtime == 100000 ?
	       "0.1ms" : a.runtime == 100000000 ? "100ms" : "default") : a.runtime ? "dl" : "0",
	       (unsigned long long)a.deadline, (unsigned long long)a.period, a.umin, a.umax,
	       (unsigned long long)a.extra[0]);
	if (a.policy == 6)
		printf("  runtime %llu\n", (unsigned long long)a.runtime);
}

static struct attr A(uint32_t policy, uint64_t flags, int nice, uint32_t prio)
{
	struct attr a;
	memset(&a, 0, sizeof a);
	a.size = 56;
	a.policy = policy;
	a.flags = flags;
	a.nice = nice;
	a.prio = prio;
	return a;
}

static struct attr DL(uint64_t r, uint64_t d, uint64_t p)
{
	struct attr a = A(SCHED_DEADLINE, 0, 0, 0);
	a.runtime = r;
	a.deadline = d;
	a.period = p;
	return a;
}


int main(void)
{
	test_as_child();
	struct attr a;
	show("initially", 0);
	/* sizes and arguments of getattr */
	memset(&a, 0x55, sizeof a);
	SHOW(getattr(0, &a, 48, 0));
	printf("size field %u, byte 48 untouched %d\n", a.size, ((uint8_t *)&a)[48] == 0x55);
	SHOW(getattr(0, &a, 47, 0));
	SHOW(getattr(0, &a, 4097, 0));
	SHOW(getattr(0, &a, 56, 1));
	SHOW(getattr(0, NULL, 56, 0));
	SHOW(getattr(-1, &a, 56, 0));
	SHOW(getattr(0x7ffffff0, &a, 56, 0));
	SHOW(getattr(0, (void *)16, 56, 0));
	/* sizes and arguments of setattr */
	a = A(SCHED_OTHER, 0, 0, 0);
	a.size = 0;
	SHOW(setattr(0, &a, 0));
	a.size = 47;
	SHOW(setattr(0, &a, 0));
	printf("size written back %u\n", a.size);
	a.size = 72;
	SHOW(setattr(0, &a, 0));
	a.extra[1] = 1;
	SHOW(setattr(0, &a, 0));
	printf("size written back %u\n", a.size);
	a = A(SCHED_OTHER, 0, 0, 0);
	a.size = 5000;
	SHOW(setattr(0, &a, 0));
	SHOW(setattr(0, NULL, 0));
	SHOW(setattr(0, &a, 1));
	SHOW(setattr(-1, &a, 0));
	a = A(SCHED_OTHER, 0, 0, 0);
	SHOW(setattr(0x7ffffff0, &a, 0));
	SHOW(setattr(0, (void *)16, 0));
	/* the policies */
	a = A(7, 0, 0, 0);
	SHOW(setattr(0, &a, 0));
	a = A(-1, 0, 0, 0);
	SHOW(setattr(0, &a, 0));
	a = A(SCHED_FIFO, 0, 0, 10);
	SHOW(setattr(0, &a, 0));
	show("fifo 10", 0);
	printf("getscheduler %d\n", sched_getscheduler(0));
	a = A(SCHED_RR, SCHED_FLAG_RESET_ON_FORK, 0, 99);
	SHOW(setattr(0, &a, 0));
	show("rr 99 reset-on-fork", 0);
	a = A(SCHED_RR, 0, 0, 100);
	SHOW(setattr(0, &a, 0));
	a = A(SCHED_FIFO, 0, 0, 0);
	SHOW(setattr(0, &a, 0));
	a = A(SCHED_OTHER, 0, 0, 1);
	SHOW(setattr(0, &a, 0));
	a = A(SCHED_BATCH, 0, 5, 0);
	SHOW(setattr(0, &a, 0));
	show("batch nice 5", 0);
	printf("getpriority %d\n", getpriority(PRIO_PROCESS, 0));
	a = A(SCHED_OTHER, 0, -30, 0);
	SHOW(setattr(0, &a, 0));
	show("nice -30 (clamped)", 0);
	a = A(SCHED_IDLE, 0, 0, 0);
	SHOW(setattr(0, &a, 0));
	show("idle", 0);
	a = A(SCHED_OTHER, 0, 0, 0);
	a.runtime = 5000000;
	SHOW(setattr(0, &a, 0));
	show("slice 5ms", 0);
	a.runtime = 1;
	SHOW(setattr(0, &a, 0));
	show("slice 1ns", 0);
	a.runtime = 1000000000;
	SHOW(setattr(0, &a, 0));
	show("slice 1s", 0);
	/* flags */
	a = A(SCHED_OTHER, 0x80, 0, 0);
	SHOW(setattr(0, &a, 0));
	a = A(SCHED_OTHER, 0x20, 0, 0);
	SHOW(setattr(0, &a, 0));
	a.size = 48;
	SHOW(setattr(0, &a, 0));
	a = A(SCHED_FIFO, 0, 0, 20);
	setattr(0, &a, 0);
	a = A(SCHED_OTHER, 0x08, 0, 30);
	SHOW(setattr(0, &a, 0));
	show("keep policy, prio 30", 0);
	a = A(SCHED_RR, 0x10, 0, 0);
	SHOW(setattr(0, &a, 0));
	show("keep params, rr", 0);
	/* SCHED_DEADLINE */
	struct attr d = DL(10000000, 30000000, 30000000);
	SHOW(setattr(0, &d, 0));
	show("deadline 10/30/30 ms", 0);
	printf("getscheduler %d\n", sched_getscheduler(0));
	struct sched_param sp;
	SHOW(sched_getparam(0, &sp));
	printf("param prio %d\n", sp.sched_priority);
	SHOW(fork());
	d = DL(20000000, 10000000, 30000000);
	SHOW(setattr(0, &d, 0));
	d = DL(1000, 10000000, 10000000);
	SHOW(setattr(0, &d, 0));
	d = DL(1024, 10000000, 0);
	SHOW(setattr(0, &d, 0));
	show("deadline, period 0", 0);
	d = DL(10000, 10000000, 5000000);
	SHOW(setattr(0, &d, 0));
	d = DL(10000, 50000, 50000);
	SHOW(setattr(0, &d, 0));
	d = DL(10000, 5000000000ULL, 5000000000ULL);
	SHOW(setattr(0, &d, 0));
	d = DL(10000, 0, 10000000);
	SHOW(setattr(0, &d, 0));
	d = DL(10000, 1ULL << 63, 0);
	SHOW(setattr(0, &d, 0));
	d = DL(10000000, 30000000, 30000000);
	d.flags = SCHED_FLAG_RESET_ON_FORK | 0x04;
	SHOW(setattr(0, &d, 0));
	show("deadline, reset on fork, overrun", 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		show("child of a deadline task", 0);
		fflush(stdout);
		_exit(0);
	}
	wait_describe("child", pid);
	a = A(SCHED_OTHER, 0, 0, 0);
	SHOW(setattr(0, &a, 0));
	show("back to normal", 0);
	/* what a user may not do */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = {0, 0};
		setrlimit(RLIMIT_RTPRIO, &rl);
		setuid(65534);
		d = DL(10000000, 30000000, 30000000);
		SHOW(setattr(0, &d, 0));
		a = A(SCHED_FIFO, 0, 0, 1);
		SHOW(setattr(0, &a, 0));
		a = A(SCHED_OTHER, 0, 10, 0);
		SHOW(setattr(0, &a, 0));
		a = A(SCHED_OTHER, 0, 5, 0);
		SHOW(setattr(0, &a, 0));
		a = A(SCHED_OTHER, 0, 15, 0);
		SHOW(setattr(0, &a, 0));
		SHOW(setattr(getppid(), &a, 0));
		show("nobody", 0);
		fflush(stdout);
		_exit(0);
	}
	wait_describe("nobody", pid);
	return 0;
}
