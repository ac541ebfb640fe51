/*
 * tests/guest/futexwaitv.c - futex_waitv(2), compared with the host kernel:
 * the argument checks, the index of the futex that was woken (by a thread
 * and by another process through shared memory), EAGAIN, absolute timeouts
 * on both clocks, a signal.
 */
#define _GNU_SOURCE
#include "procs.h"
#define FUTEX_WAKE 1
#define FUTEX_WAKE_PRIVATE 129
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
#define F2_U8 0x00
#define F2_U32 0x02
#define F2_U64 0x03
#define F2_NUMA 0x04
#define F2_PRIVATE 128

struct waitv {
	uint64_t val, uaddr;
	uint32_t flags, reserved;
};

struct kts {
	int64_t sec, nsec;	/* __kernel_timespec, also for i386 */
};

static uint32_t words[4];
static struct waitv wv[130];

static long waitv(struct waitv *w, unsigned n, unsigned flags, struct kts *ts, int clk)
{
	return syscall(SYS_futex_waitv, w, n, flags, ts, clk);
}

static void prep(int n, uint32_t *base, unsigned flags)
{
	memset(wv, 0, sizeof wv);
	for (int i = 0; i < n; i++) {
		wv[i].uaddr = (uintptr_t)&base[i];
		wv[i].val = base[i];
		wv[i].flags = flags;
	}
}

static struct kts in_ms(int clk, long ms)
{
	struct timespec now;
	clock_gettime(clk, &now);
	struct kts k = {now.tv_sec + ms / 1000, now.tv_nsec + (ms % 1000) * 1000000};
	if (k.nsec >= 1000000000) {
		k.sec++;
		k.nsec -= 1000000000;
	}
	return k;
}

static void *waker(void *arg)
{
	usleep(20000);
	words[2] = 7;
	syscall(SYS_futex, &words[2], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	(void)arg;
	return NULL;
}

static void on_usr1(int s)
{
	(void)s;
}

int main(void)
{
	test_as_child();
	struct kts ts = in_ms(CLOCK_MONOTONIC, 1000);
	prep(3, words, F2_U32 | F2_PRIVATE);
	SHOW(waitv(wv, 3, 1, &ts, CLOCK_MONOTONIC));
	SHOW(waitv(wv, 0, 0, &ts, CLOCK_MONOTONIC));
	SHOW(waitv(wv, 129, 0, &ts, CLOCK_MONOTONIC));
	SHOW(waitv(NULL, 1, 0, &ts, CLOCK_MONOTONIC));
	SHOW(waitv(wv, 1, 0, &ts, CLOCK_TAI));
	SHOW(waitv(wv, 1, 0, &ts, CLOCK_BOOTTIME));
	SHOW(waitv(wv, 1, 0, (struct kts *)16, CLOCK_MONOTONIC));
	struct kts bad = {0, 1000000000};
	SHOW(waitv(wv, 1, 0, &bad, CLOCK_MONOTONIC));
	bad.sec = -1;
	bad.nsec = 0;
	SHOW(waitv(wv, 1, 0, &bad, CLOCK_MONOTONIC));
	SHOW(waitv((struct waitv *)16, 1, 0, &ts, CLOCK_MONOTONIC));
	wv[1].flags = F2_PRIVATE;
	SHOW(waitv(wv, 3, 0, &ts, CLOCK_MONOTONIC));
	wv[1].flags = F2_U64 | F2_PRIVATE;
	SHOW(waitv(wv, 3, 0, &ts, CLOCK_MONOTONIC));
	wv[1].flags = F2_U32 | 0x40;
	SHOW(waitv(wv, 3, 0, &ts, CLOCK_MONOTONIC));
	wv[1].flags = F2_U32;
	wv[1].reserved = 1;
	SHOW(waitv(wv, 3, 0, &ts, CLOCK_MONOTONIC));
	wv[1].reserved = 0;
	wv[1].val = 1ULL << 32;
	SHOW(waitv(wv, 3, 0, &ts, CLOCK_MONOTONIC));
	wv[1].val = 0;
	wv[1].uaddr = (uintptr_t)&words[1] + 2;
	SHOW(waitv(wv, 3, 0, &ts, CLOCK_MONOTONIC));
	wv[1].uaddr = 0;
	SHOW(waitv(wv, 3, 0, &ts, CLOCK_MONOTONIC));
	/* a value that is not what the word holds */
	prep(3, words, F2_U32 | F2_PRIVATE);
	wv[2].val = 5;
	SHOW(waitv(wv, 3, 0, &ts, CLOCK_MONOTONIC));
	/* deadlines passed and passing, both clocks */
	prep(3, words, F2_U32 | F2_PRIVATE);
	struct kts past = in_ms(CLOCK_MONOTONIC, 0);
	past.sec -= 1;
	SHOW(waitv(wv, 3, 0, &past, CLOCK_MONOTONIC));
	struct kts soon = in_ms(CLOCK_REALTIME, 20);
	SHOW(waitv(wv, 3, 0, &soon, CLOCK_REALTIME));
	/* woken: the index of the word that was woken */
	pthread_t th;
	pthread_create(&th, NULL, waker, NULL);
	ts = in_ms(CLOCK_MONOTONIC, 5000);
	SHOW(waitv(wv, 3, 0, &ts, CLOCK_MONOTONIC));
	pthread_join(th, NULL);
	words[2] = 0;
	/* shared memory, another process, no timeout at all */
	uint32_t *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	prep(2, sh, F2_U32);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(20000);
		sh[1] = 1;
		syscall(SYS_futex, &sh[1], FUTEX_WAKE, 1, NULL, NULL, 0);
		_exit(0);
	}
	SHOW(waitv(wv, 2, 0, NULL, 0));
	waitpid(pid, NULL, 0);
	/* a signal with a handler ends the wait */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	pid_t me = getpid();
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		usleep(20000);
		kill(me, SIGUSR1);
		_exit(0);
	}
	prep(3, words, F2_U32 | F2_PRIVATE);
	ts = in_ms(CLOCK_MONOTONIC, 5000);
	SHOW(waitv(wv, 3, 0, &ts, CLOCK_MONOTONIC));
	waitpid(pid, NULL, 0);
	/* 128 futexes is the most */
	static uint32_t many[128];
	prep(128, many, F2_U32 | F2_PRIVATE);
	SHOW(waitv(wv, 128, 0, &past, CLOCK_MONOTONIC));
	return 0;
}
