/* pifutex: priority-inheritance futexes, raw and as glibc/musl use them
 * (PTHREAD_PRIO_INHERIT mutexes, robust PI mutexes).  Prints results and
 * the futex word's shape (owner is who?, FUTEX_WAITERS, FUTEX_OWNER_DIED),
 * never TIDs or times. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* <linux/futex.h>, which musl-gcc does not see */
#define FUTEX_LOCK_PI_PRIVATE	(6 | 128)
#define FUTEX_UNLOCK_PI_PRIVATE	(7 | 128)
#define FUTEX_TRYLOCK_PI_PRIVATE (8 | 128)
#define FUTEX_WAITERS		0x80000000u
#define FUTEX_OWNER_DIED	0x40000000u
#define FUTEX_TID_MASK		0x3fffffffu

static long futex(uint32_t *w, int op, uint32_t val, const struct timespec *ts)
{
	long r = syscall(SYS_futex, w, op, val, ts, NULL, 0);
	return r < 0 ? -errno : r;
}

static int gettid_(void) { return syscall(SYS_gettid); }

static const char *who(uint32_t w, int me, int other)
{
	int tid = w & FUTEX_TID_MASK;
	return tid == 0 ? "nobody" : tid == me ? "me" : tid == other ? "other" : "a stranger";
}

static void show(const char *what, uint32_t w, int me, int other)
{
	printf("%-28s owner %s%s%s\n", what, who(w, me, other),
	       w & FUTEX_WAITERS ? " +WAITERS" : "", w & FUTEX_OWNER_DIED ? " +OWNER_DIED" : "");
}

static uint32_t word;
static volatile int child_tid, child_locked, child_result, go, main_tid;

static void wait_until_asleep(int tid)
{
	/* until tid sleeps (state S in /proc/self/task/TID/stat) */
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
	for (;;) {
		FILE *f = fopen(path, "r");
		if (!f)
			return;
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[n] = 0;
		char *p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'S')
			return;
		sched_yield();
	}
}

static void wait_until_waiters(void)
{
	/* the other thread sleeps in the kernel once the word says so */
	while (!(__atomic_load_n(&word, __ATOMIC_SEQ_CST) & FUTEX_WAITERS))
		sched_yield();
}

static void *locker(void *arg)
{
	child_tid = gettid_();
	long r = futex(&word, FUTEX_LOCK_PI_PRIVATE, 0, NULL);
	child_result = r;
	child_locked = 1;
	if (arg) {			/* hold it, and die once main sleeps on it */
		while (!go)
			sched_yield();
		wait_until_asleep(main_tid);
		return NULL;
	}
	futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL);
	return NULL;
}

static void raw(void)
{
	int me = gettid_();
	main_tid = me;
	word = 0;
	printf("trylock free: %ld\n", futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL));
	show("after trylock", word, me, 0);
	printf("trylock again: %ld\n", futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL));
	printf("lock own: %ld\n", futex(&word, FUTEX_LOCK_PI_PRIVATE, 0, NULL));
	printf("unlock: %ld\n", futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL));
	show("after unlock", word, me, 0);
	printf("unlock not owner: %ld\n", futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL));
	printf("lock free: %ld\n", futex(&word, FUTEX_LOCK_PI_PRIVATE, 0, NULL));
	futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL);
	printf("misaligned: %ld\n", futex((uint32_t *)((char *)&word + 1), FUTEX_LOCK_PI_PRIVATE, 0, NULL));
	printf("bad address: %ld\n", futex((uint32_t *)16, FUTEX_LOCK_PI_PRIVATE, 0, NULL));

	/* held by another live thread: trylock refuses, a past deadline times out */
	word = 0;
	futex(&word, FUTEX_LOCK_PI_PRIVATE, 0, NULL);
	pthread_t th;
	child_locked = 0;
	pthread_create(&th, NULL, locker, NULL);
	wait_until_waiters();
	show("contended", word, me, child_tid);
	printf("unlock hands over: %ld\n", futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL));
	pthread_join(th, NULL);
	printf("child got it: %d result %d\n", child_locked, child_result);
	show("after the child unlocked", word, me, child_tid);

	/* the owner exits holding it: the waiter is handed it, OWNER_DIED */
	word = 0;
	child_locked = 0;
	pthread_create(&th, NULL, locker, (void *)1);
	while (!child_locked)
		sched_yield();
	struct timespec past = { 1, 0 };
	printf("child holds it: %d\n", child_result);
	printf("lock, deadline passed: %ld\n", futex(&word, FUTEX_LOCK_PI_PRIVATE, 0, &past));
	printf("trylock held: %ld\n", futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL));
	show("after the timeout", word, me, child_tid);
	go = 1;
	printf("lock, owner dies meanwhile: %ld\n", futex(&word, FUTEX_LOCK_PI_PRIVATE, 0, NULL));
	pthread_join(th, NULL);
	show("handed over", word, me, child_tid);
	printf("unlock: %ld\n", futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL));
	show("after unlock", word, me, child_tid);
}

/* pthread mutexes with PTHREAD_PRIO_INHERIT, contended by four threads */
static pthread_mutex_t m;
static long counter;

static void *adder(void *arg)
{
	for (int i = 0; i < 3000; i++) {
		pthread_mutex_lock(&m);
		long c = counter;
		if ((i & 63) == 0)
			sched_yield();	/* let the others pile up on the lock */
		counter = c + 1;
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

static pthread_mutex_t rm;

static volatile int holding;

static void *die_holding(void *arg)
{
	pthread_mutex_lock(&rm);
	holding = 1;
	if (arg)
		usleep(20000);		/* main is (most likely) asleep on it by now */
	return NULL;
}

static void mutexes(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	printf("setprotocol: %d\n", pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT));
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&m, &a);
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, adder, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	printf("counter %ld\n", counter);
	pthread_mutex_lock(&m);
	printf("relock (errorcheck): %s\n", strerror(pthread_mutex_lock(&m)));
	printf("trylock held: %s\n", strerror(pthread_mutex_trylock(&m)));
	pthread_mutex_unlock(&m);

	/* robust PI: the owner dies; the next locker is told, once */
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_NORMAL);
	pthread_mutex_init(&rm, &a);
	pthread_t d;
	pthread_create(&d, NULL, die_holding, NULL);
	pthread_join(d, NULL);
	printf("robust, owner gone: %s\n", strerror(pthread_mutex_lock(&rm)));
	printf("consistent: %d\n", pthread_mutex_consistent(&rm));
	pthread_mutex_unlock(&rm);
	printf("then: %s\n", strerror(pthread_mutex_lock(&rm)));
	pthread_mutex_unlock(&rm);
	/* ... and while we sleep on it */
	holding = 0;
	pthread_create(&d, NULL, die_holding, (void *)1);
	while (!holding)
		sched_yield();
	printf("robust, dies while we wait: %s\n", strerror(pthread_mutex_lock(&rm)));
	pthread_mutex_consistent(&rm);
	pthread_mutex_unlock(&rm);
	pthread_join(d, NULL);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	raw();
	mutexes();
	return 0;
}
