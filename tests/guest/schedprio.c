/* schedprio: scheduling policies and I/O priorities as a program sets and
 * reads them back: sched_setscheduler/setparam/getscheduler/getparam,
 * sched_get_priority_max/min, sched_rr_get_interval, SCHED_RESET_ON_FORK
 * and what a child inherits; ioprio_set/ioprio_get for a task, a process
 * group and a user, with their errors.  One result per line; compared
 * with the host (as root). */
#define _GNU_SOURCE
#include "procs.h"
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#ifndef SCHED_BATCH
#define SCHED_BATCH 3
#endif
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif
#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif
#define BE(l) ((2 << 13) | (l))
#define RT(l) ((1 << 13) | (l))
#define IDLE(l) ((3 << 13) | (l))

#define T(expr) do { errno = 0; long _r = (long)(expr); \
	if (_r < 0) printf("%s = -1 %s\n", #expr, strerror(errno)); \
	else printf("%s = %ld\n", #expr, _r); } while (0)
#define TX(expr) do { errno = 0; long _r = (long)(expr); \
	if (_r < 0) printf("%s = -1 %s\n", #expr, strerror(errno)); \
	else printf("%s = %#lx\n", #expr, _r); } while (0)

/* raw calls: the libc wrappers differ (musl has no sched_setscheduler) */
static long setsched(pid_t pid, int policy, int prio)
{
	struct sched_param p = { .sched_priority = prio };
	return syscall(SYS_sched_setscheduler, pid, policy, &p);
}

static long setparam(pid_t pid, int prio)
{
	struct sched_param p = { .sched_priority = prio };
	return syscall(SYS_sched_setparam, pid, &p);
}

static long getsched(pid_t pid)
{
	return syscall(SYS_sched_getscheduler, pid);
}

static long getparam(pid_t pid)
{
	struct sched_param p = { .sched_priority = -7 };
	long r = syscall(SYS_sched_getparam, pid, &p);
	return r < 0 ? r : p.sched_priority;
}

static void rr(pid_t pid)
{
	struct timespec ts = { -1, -1 };
	long r = syscall(SYS_sched_rr_get_interval, pid, &ts);
	if (r < 0)
		printf("rr_get_interval = -1 %s\n", strerror(errno));
	else
		printf("rr_get_interval = %ld.%09ld\n", (long)ts.tv_sec, (long)ts.tv_nsec);
}

/* i386: the same with a 64-bit time_t (sched_rr_get_interval_time64) */
static void rr64(pid_t pid)
{
#ifdef __i386__
	struct { long long sec, nsec; } ts = { -1, -1 };
	long r = syscall(423, pid, &ts);
	if (r < 0)
		printf("rr_get_interval_time64 = -1 %s\n", strerror(errno));
	else
		printf("rr_get_interval_time64 = %lld.%09lld\n", ts.sec, ts.nsec);
#else
	(void)pid;
#endif
}

static long ioprio_set(int which, int who, int prio)
{
	return syscall(SYS_ioprio_set, which, who, prio);
}

static long ioprio_get(int which, int who)
{
	return syscall(SYS_ioprio_get, which, who);
}

/* priority, nice, rt_priority and policy as /proc/self/stat shows them */
static void show_stat(void)
{
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	if (!f || !fgets(buf, sizeof buf, f)) { printf("no /proc/self/stat\n"); return; }
	fclose(f);
	char *p = strrchr(buf, ')') + 2;         /* field 3 */
	long v[60];
	int n = 0;
	for (char *tok = strtok(p, " "); tok && n < 60; tok = strtok(NULL, " "))
		v[n++] = strtol(tok, NULL, 10);
	printf("stat: priority %ld nice %ld rt_priority %ld policy %ld\n",
	       v[18 - 3], v[19 - 3], v[40 - 3], v[41 - 3]);
}

static pid_t gone_pid(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static void policies(void)
{
	pid_t gone = gone_pid();
	T(getsched(0));
	T(getparam(0));
	for (int p = -1; p <= 7; p++)
		printf("policy %d: max %ld min %ld\n", p,
		       syscall(SYS_sched_get_priority_max, p) < 0 ? -errno : syscall(SYS_sched_get_priority_max, p),
		       syscall(SYS_sched_get_priority_min, p) < 0 ? -errno : syscall(SYS_sched_get_priority_min, p));

	show_stat();
	T(setsched(0, SCHED_FIFO, 10));
	T(getsched(0));
	T(getparam(0));
	show_stat();
	T(getparam(getpid()));
	rr(0);
	T(setparam(0, 20));
	T(getparam(0));
	T(setparam(0, 0));
	T(setparam(0, 100));
	T(setparam(0, -1));
	T(setsched(0, SCHED_RR, 5));
	T(getsched(0));
	rr(0);
	rr64(0);
	rr64(gone);
	T(setsched(0, SCHED_OTHER, 5));
	T(setsched(0, SCHED_OTHER, 0));
	T(getparam(0));
	T(setparam(0, 0));
	T(setparam(0, 1));
	T(setsched(0, SCHED_BATCH, 0));
	T(getsched(0));
	T(setsched(0, SCHED_IDLE, 0));
	T(getsched(0));
	T(setsched(0, SCHED_FIFO, 0));
	T(setsched(0, 4, 0));
	T(setsched(0, 6, 0));
	T(setsched(0, 7, 0));
	T(setsched(0, -1, 0));
	T(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL));
	T(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, (void *)8));
	T(syscall(SYS_sched_setparam, 0, NULL));
	T(syscall(SYS_sched_getparam, 0, NULL));
	T(syscall(SYS_sched_getparam, 0, (void *)8));
	T(syscall(SYS_sched_rr_get_interval, 0, (void *)8));
	T(setsched(-1, SCHED_OTHER, 0));
	T(getsched(-1));
	T(setsched(gone, SCHED_OTHER, 0));
	T(getsched(gone));
	T(getparam(gone));
	rr(gone);
	T(setsched(0, SCHED_OTHER, 0));
	T(syscall(SYS_sched_rr_get_interval, 0, &(struct timespec){0, 0}));

	/* what a child inherits, and what SCHED_RESET_ON_FORK takes away */
	T(setsched(0, SCHED_FIFO, 7));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child: policy %ld prio %ld\n", getsched(0), getparam(0));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	TX(setsched(0, SCHED_RR | SCHED_RESET_ON_FORK, 3));
	TX(getsched(0));
	T(getparam(0));
	T(setparam(0, 4));
	TX(getsched(0));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		printf("child after reset-on-fork: policy %ld prio %ld\n", getsched(0), getparam(0));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	T(setsched(0, SCHED_OTHER, 0));
	T(setpriority(PRIO_PROCESS, 0, -5));
	T(setsched(0, SCHED_BATCH | SCHED_RESET_ON_FORK, 0));
	show_stat();
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		printf("child: policy %ld nice %d\n", getsched(0), getpriority(PRIO_PROCESS, 0));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	T(setsched(0, SCHED_OTHER, 0));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		printf("child: policy %ld nice %d\n", getsched(0), getpriority(PRIO_PROCESS, 0));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	T(setpriority(PRIO_PROCESS, 0, 0));

	/* another task's policy, by its pid */
	int go[2];
	pipe(go);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char c;
		read(go[0], &c, 1);
		printf("child sees itself: policy %ld prio %ld\n", getsched(0), getparam(0));
		fflush(stdout);
		_exit(0);
	}
	T(setsched(pid, SCHED_RR, 33));
	T(getsched(pid));
	T(getparam(pid));
	write(go[1], "x", 1);
	waitpid(pid, NULL, 0);
	close(go[0]);
	close(go[1]);
}

static void ioprio(void)
{
	pid_t gone = gone_pid();
	TX(ioprio_get(1, 0));
	TX(ioprio_set(1, 0, BE(3)));
	TX(ioprio_get(1, 0));
	TX(ioprio_get(1, getpid()));
	TX(ioprio_set(1, 0, RT(0)));
	TX(ioprio_get(1, 0));
	TX(ioprio_set(1, 0, IDLE(7)));
	TX(ioprio_get(1, 0));
	TX(ioprio_set(1, 0, BE(8)));
	TX(ioprio_get(1, 0));
	TX(ioprio_set(1, 0, 1));
	TX(ioprio_set(1, 0, 4 << 13));
	TX(ioprio_set(1, 0, 7 << 13));
	TX(ioprio_set(1, 0, 1 << 16));
	TX(ioprio_set(1, 0, -1));
	TX(ioprio_set(0, 0, BE(1)));
	TX(ioprio_set(4, 0, BE(1)));
	TX(ioprio_get(0, 0));
	TX(ioprio_get(4, 0));
	TX(ioprio_set(1, gone, BE(1)));
	TX(ioprio_get(1, gone));
	TX(ioprio_get(1, -1));
	TX(ioprio_get(3, 4242));
	TX(ioprio_set(3, 4242, BE(1)));

	/* a process group of its own: the group's best is its own */
	setpgid(0, 0);
	TX(ioprio_set(1, 0, BE(5)));
	TX(ioprio_get(2, 0));
	TX(ioprio_get(2, getpgrp()));
	TX(ioprio_set(1, 0, 0));
	TX(ioprio_get(1, 0));
	TX(ioprio_get(2, 0));
	setpriority(PRIO_PROCESS, 0, 10);
	TX(ioprio_get(2, 0));
	setpriority(PRIO_PROCESS, 0, 0);
	setsched(0, SCHED_FIFO, 1);
	TX(ioprio_get(2, 0));
	setsched(0, SCHED_IDLE, 0);
	TX(ioprio_get(2, 0));
	setsched(0, SCHED_OTHER, 0);
	TX(ioprio_set(2, 0, BE(1)));
	TX(ioprio_get(1, 0));

	/* fork copies it */
	TX(ioprio_set(1, 0, BE(2)));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child ioprio %#lx\n", ioprio_get(1, 0));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

int main(void)
{
	if (access("/proc/self", F_OK) < 0) {
		mkdir("/proc", 0555);
		if (mount("proc", "/proc", "proc", 0, NULL) < 0) { perror("mount"); return 1; }
	}
	test_as_child();
	setvbuf(stdout, NULL, _IONBF, 0);
	policies();
	ioprio();
	printf("done\n");
	return 0;
}
