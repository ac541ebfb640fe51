/* futextest: futex(2) directly and behind pthreads (lab futex).
 *
 *   futextest errors    FUTEX_WAIT's refusals: a changed word, bad addresses
 *   futextest timeout   FUTEX_WAIT with a timeout nobody ends early
 *   futextest wake      two threads asleep on one word: FUTEX_WAKE's counts
 *   futextest mutex     a thread blocked in pthread_mutex_lock, seen by /dev/kstate
 *   futextest shared    a futex in MAP_SHARED memory between two processes
 *   futextest pthreads  producers and consumers on a mutex and condvars
 *
 * alarm() only ends a run that would hang. */
#define _GNU_SOURCE
#include "kstate.h"
#include <errno.h>
#include <signal.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static long futex(void *addr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, addr, op, val, ts, NULL, 0);
}

static const char *res(long r)
{
	static char buf[64];
	snprintf(buf, sizeof buf, "%ld%s%s", r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
	return buf;
}

/* wait, giving the CPU away, until thread (or process) tid sleeps, or
 * until *spurious shows it returned from FUTEX_WAIT without being woken
 * more than a few times (it will not sleep then), or a bound is reached */
static int asleep_in(const char *path, volatile int *spurious, int bound)
{
	char buf[256];
	for (int i = 0; i < bound && (!spurious || *spurious < 20); i++) {
		int fd = open(path, O_RDONLY);
		int n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = 0;
			char *p = strrchr(buf, ')');
			if (p && p[2] == 'S')
				return 1;
		}
		sched_yield();
	}
	return 0;
}

static int asleep(pid_t tid, volatile int *spurious, int bound)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
	return asleep_in(path, spurious, bound);
}

static uint32_t word;
static volatile int go, spurious[2];
static volatile int woke[2];
static volatile pid_t tids[2];

static void *waiter(void *arg)
{
	int i = (int)(intptr_t)arg;
	tids[i] = syscall(SYS_gettid);
	long r;
	for (;;) {
		r = futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL);
		if (go || r != 0)
			break;
		spurious[i]++;		/* back from the wait, but nobody woke us */
	}
	woke[i] = r == 0 ? 1 : -1;
	return NULL;
}

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static volatile pid_t locker;

static void *lock_it(void *arg)
{
	locker = syscall(SYS_gettid);
	pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
	return NULL;
}

static pthread_mutex_t qm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t notempty = PTHREAD_COND_INITIALIZER, notfull = PTHREAD_COND_INITIALIZER;
static int queue[4], qn, consumed_sum;

static void *producer(void *arg)
{
	for (int i = 1; i <= 200; i++) {
		pthread_mutex_lock(&qm);
		while (qn == 4)
			pthread_cond_wait(&notfull, &qm);
		queue[qn++] = i;
		pthread_cond_signal(&notempty);
		pthread_mutex_unlock(&qm);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	for (int i = 0; i < 200; i++) {
		pthread_mutex_lock(&qm);
		while (qn == 0)
			pthread_cond_wait(&notempty, &qm);
		consumed_sum += queue[--qn];
		pthread_cond_signal(&notfull);
		pthread_mutex_unlock(&qm);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *m_ = argc > 1 ? argv[1] : "errors";
	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(10);
	if (!strcmp(m_, "errors")) {
		uint32_t w = 5;
		printf("changed word: %s\n", res(futex(&w, FUTEX_WAIT_PRIVATE, 4, NULL)));
		printf("unaligned: %s\n", res(futex((char *)&w + 1, FUTEX_WAIT_PRIVATE, 5, NULL)));
		printf("bad address: %s\n", res(futex((void *)16, FUTEX_WAIT_PRIVATE, 0, NULL)));
		printf("wake nobody: %s\n", res(futex(&w, FUTEX_WAKE_PRIVATE, 1, NULL)));
	} else if (!strcmp(m_, "timeout")) {
		uint32_t w = 0;
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		printf("wait 50 ms: %s\n", res(futex(&w, FUTEX_WAIT_PRIVATE, 0, &ts)));
	} else if (!strcmp(m_, "wake")) {
		pthread_t th[2];
		for (int i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, waiter, (void *)(intptr_t)i);
		while (!tids[0] || !tids[1])
			sched_yield();
		int s = asleep(tids[0], &spurious[0], 1000000) && asleep(tids[1], &spurious[1], 1000000);
		printf("both waiters asleep: %d\n", s);
		go = 1;
		printf("wake 1: %s\n", res(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL)));
		printf("wake 10: %s\n", res(futex(&word, FUTEX_WAKE_PRIVATE, 10, NULL)));
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		printf("woken: %d %d; wake again: %s\n", woke[0], woke[1],
		       res(futex(&word, FUTEX_WAKE_PRIVATE, 10, NULL)));
	} else if (!strcmp(m_, "mutex")) {
		pthread_t th;
		pthread_mutex_lock(&m);
		pthread_create(&th, NULL, lock_it, NULL);
		while (!locker)
			sched_yield();
		int s = asleep(locker, NULL, 300);
		printf("the locker sleeps: %d\n", s);
		kstate("@mutex-%d-%lx futexes self", locker, (unsigned long)&m);
		pthread_mutex_unlock(&m);
		pthread_join(th, NULL);
		printf("joined\n");
	} else if (!strcmp(m_, "shared")) {
		/* w[0]: the futex word; w[1]: "go"; w[2]: the child's spurious returns */
		volatile uint32_t *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		pid_t c = fork();
		if (c == 0) {
			long r;
			for (;;) {			/* not private: a shared futex */
				r = futex((void *)w, FUTEX_WAIT, 0, NULL);
				if (w[1] || r != 0)
					break;
				w[2]++;
			}
			_exit(r == 0 ? 0 : 1);
		}
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/stat", c);
		int s = asleep_in(path, (volatile int *)&w[2], 1000000);
		printf("the child sleeps: %d\n", s);
		kstate("@shared-%d futexes %d", c, c);
		printf("private wake (another key): %s\n",
		       res(futex((void *)w, FUTEX_WAKE_PRIVATE, 1, NULL)));
		w[1] = 1;
		printf("shared wake: %s\n", res(futex((void *)w, FUTEX_WAKE, 1, NULL)));
		int st;
		if (!s)
			kill(c, SIGKILL);		/* it never slept: do not wait for it */
		waitpid(c, &st, 0);
		printf("child: %d\n", WEXITSTATUS(st));
	} else if (!strcmp(m_, "pthreads")) {
		pthread_t p[2], c[2];
		for (int i = 0; i < 2; i++) {
			pthread_create(&p[i], NULL, producer, NULL);
			pthread_create(&c[i], NULL, consumer, NULL);
		}
		for (int i = 0; i < 2; i++) {
			pthread_join(p[i], NULL);
			pthread_join(c[i], NULL);
		}
		printf("consumed sum %d (want %d)\n", consumed_sum, 2 * 200 * 201 / 2);
	}
	return 0;
}
