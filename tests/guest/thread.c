/*
 * thread: threads and futexes.  thread MODE:
 *   pthread   create/join, mutexes under contention, condition variables,
 *             thread-local storage, return values, ids
 *   raw       clone(2) with every thread flag: SETTLS, PARENT_SETTID,
 *             CHILD_SETTID, CHILD_CLEARTID (joined with a futex wait)
 *   futex     the futex operations and their errors; a shared futex in
 *             MAP_SHARED memory between two processes
 *   signals   per-thread and per-process delivery, masks per thread,
 *             a handler interrupting a futex wait
 *   exit      exit_group from a thread, the main thread exiting first,
 *             execve from a thread (SELF: this program's path)
 *   robust    robust mutexes: the owner dies, the next locker gets EOWNERDEAD
 *   fpu       each thread keeps its own FP/SSE registers across switches
 *   fpustub   ... and its MXCSR/x87 control state across the kernel's stub
 *             batches (munmap of touched pages), which clobber only the
 *             general registers of the host thread
 */
#include "procs.h"
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

/* musl-gcc has no kernel headers: the constants from <linux/futex.h> */
#define ARCH_GET_FS 0x1003
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_REQUEUE_PRIVATE (FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_CMP_REQUEUE_PRIVATE (FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_OP_PRIVATE (FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_BITSET_PRIVATE (FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY 0xffffffff
#define FUTEX_OP_ADD 1
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP(op, oparg, cmp, cmparg) \
	((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))

static long futex(void *uaddr, int op, int val, void *timeout_or_val2, void *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, timeout_or_val2, uaddr2, val3);
}

static pid_t gettid_(void)
{
	return syscall(SYS_gettid);
}

/* -- pthread ------------------------------------------------------------- */

#define NTHREADS 6
#define ITERS 2000

static __thread long tls_value = 5;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static pid_t tids[NTHREADS];
static int pid_same[NTHREADS];

static void *worker(void *arg)
{
	long id = (long)arg;
	tls_value = id * 100;
	tids[id] = gettid_();
	pid_same[id] = getpid() == getpid();
	for (int i = 0; i < ITERS; i++) {
		pthread_mutex_lock(&lock);
		long c = counter;
		if (i % 97 == 0)
			sched_yield();          /* hold the lock across a switch */
		counter = c + 1;
		pthread_mutex_unlock(&lock);
	}
	return (void *)(tls_value + id);
}

#define QSIZE 4
static int queue[QSIZE], qhead, qtail, qcount, produced_done;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER, not_full = PTHREAD_COND_INITIALIZER;

static void *producer(void *arg)
{
	(void)arg;
	for (int i = 1; i <= 500; i++) {
		pthread_mutex_lock(&qlock);
		while (qcount == QSIZE)
			pthread_cond_wait(&not_full, &qlock);
		queue[qtail] = i;
		qtail = (qtail + 1) % QSIZE;
		qcount++;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&qlock);
	}
	pthread_mutex_lock(&qlock);
	produced_done = 1;
	pthread_cond_broadcast(&not_empty);
	pthread_mutex_unlock(&qlock);
	return NULL;
}

static void *consumer(void *arg)
{
	long sum = 0;
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&qlock);
		while (qcount == 0 && !produced_done)
			pthread_cond_wait(&not_empty, &qlock);
		if (qcount == 0 && produced_done) {
			pthread_mutex_unlock(&qlock);
			break;
		}
		sum += queue[qhead];
		qhead = (qhead + 1) % QSIZE;
		qcount--;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&qlock);
	}
	return (void *)sum;
}

static pthread_barrier_t barrier;
static void *barrier_worker(void *arg)
{
	int r = pthread_barrier_wait(&barrier);
	(void)arg;
	return (void *)(long)(r == PTHREAD_BARRIER_SERIAL_THREAD);
}

static void *timedlock_fn(void *arg)
{
	int r = pthread_mutex_timedlock(&lock, arg);
	if (r == 0)
		pthread_mutex_unlock(&lock);
	return (void *)(long)r;
}

static void do_pthread(void)
{
	pthread_t th[NTHREADS];
	for (long i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	long total = 0;
	for (int i = 0; i < NTHREADS; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		total += (long)ret;
	}
	printf("counter %ld (want %d), return values sum %ld, main's tls %ld\n", counter,
	       NTHREADS * ITERS, total, tls_value);
	int distinct = 1, same = 1;
	for (int i = 0; i < NTHREADS; i++) {
		same &= pid_same[i];
		for (int j = 0; j < i; j++)
			distinct &= tids[i] != tids[j] && tids[i] != getpid();
	}
	printf("tids distinct %d, getpid the same %d\n", distinct, same);
	/* condition variables: 2 consumers, 1 producer */
	pthread_t p, c1, c2;
	pthread_create(&c1, NULL, consumer, NULL);
	pthread_create(&c2, NULL, consumer, NULL);
	pthread_create(&p, NULL, producer, NULL);
	void *s1, *s2;
	pthread_join(p, NULL);
	pthread_join(c1, &s1);
	pthread_join(c2, &s2);
	printf("consumed sum %ld (want %d)\n", (long)s1 + (long)s2, 500 * 501 / 2);
	/* barrier */
	pthread_barrier_init(&barrier, NULL, 4);
	pthread_t b[4];
	long serial = 0;
	for (int i = 0; i < 4; i++)
		pthread_create(&b[i], NULL, barrier_worker, NULL);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(b[i], &r);
		serial += (long)r;
	}
	printf("barrier: one serial thread %ld\n", serial);
	/* detached threads and many short-lived ones */
	for (int i = 0; i < 50; i++) {
		pthread_t t;
		pthread_create(&t, NULL, barrier_worker, NULL);
		pthread_detach(t);
	}
	pthread_barrier_init(&barrier, NULL, 1);
	usleep(100000);
	printf("50 detached threads ran\n");
	/* timed lock that times out */
	pthread_mutex_lock(&lock);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 50000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_t t;
	void *tr;
	pthread_create(&t, NULL, timedlock_fn, &ts);
	pthread_join(t, &tr);
	pthread_mutex_unlock(&lock);
	printf("mutex_timedlock while held -> %s\n", strerror((int)(long)tr));
	struct timespec abs;
	clock_gettime(CLOCK_REALTIME, &abs);
	abs.tv_nsec += 30000000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&qlock);
	int r = pthread_cond_timedwait(&not_empty, &qlock, &abs);
	pthread_mutex_unlock(&qlock);
	printf("cond_timedwait -> %s\n", strerror(r));
}

/* -- raw clone ---------------------------------------------------------- */

static char raw_stack[65536] __attribute__((aligned(16)));
static volatile pid_t ptid, ctid;
static volatile int raw_ran;
static unsigned long raw_tls_seen;
static long tls_block[64];

static int raw_fn(void *arg)
{
	(void)arg;
	syscall(SYS_arch_prctl, ARCH_GET_FS, &raw_tls_seen);
	raw_ran = (ctid == gettid_()) ? 1 : 2;
	return 0;
}

static void raw(void)
{
	tls_block[0] = (long)tls_block;
	int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
		    CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
		    CLONE_CHILD_CLEARTID;
	/* musl's and glibc's clone() wrappers run fn and exit the thread */
	pid_t t = clone(raw_fn, raw_stack + sizeof raw_stack, flags, NULL, &ptid, tls_block, &ctid);
	printf("clone returned the tid, written to ptid %d\n", t > 0 && ptid == t);
	/* the kernel writes ctid when the thread first runs, clears it and
	 * wakes us when the thread is gone */
	pid_t v;
	while (!raw_ran)
		usleep(1000);
	while ((v = ctid) != 0)
		futex((void *)&ctid, FUTEX_WAIT, v, NULL, NULL, 0);
	printf("thread ran %d, saw its own tid in ctid, its fs base was the tls %d\n", raw_ran,
	       raw_tls_seen == (unsigned long)tls_block);
	int i;
	for (i = 0; i < 1000 && syscall(SYS_tgkill, getpid(), t, 0) == 0; i++)
		usleep(1000);
	printf("thread is gone: tgkill -> %s\n", i < 1000 ? strerror(errno) : "still there");
}

/* -- futex ops ------------------------------------------------------------ */

static int fw = 0;
static int fw2 = 0;
static volatile int woke_count, about_to_wait;

static void *futex_waiter(void *arg)
{
	int *word = arg;
	__sync_fetch_and_add(&about_to_wait, 1);
	long r = futex(word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	__sync_fetch_and_add(&woke_count, r == 0);
	return NULL;
}

static void *bitset_waiter(void *arg)
{
	long bit = (long)arg;
	__sync_fetch_and_add(&about_to_wait, 1);
	long r = futex(&fw, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, 1 << bit);
	__sync_fetch_and_add(&woke_count, r == 0 ? (1 << bit) : 0);
	return NULL;
}

static void wait_for_waiters(int *word, int n)
{
	/* every waiter is about to call futex(); give them time to be in it */
	(void)word;
	while (about_to_wait < n)
		usleep(1000);
	about_to_wait = 0;
	for (int i = 0; i < 20; i++)
		usleep(5000);
}

static void futex_ops(void)
{
	struct timespec ts = {0, 20000000};
	SHOW(futex(&fw, FUTEX_WAIT, 1, NULL, NULL, 0));
	SHOW(futex(&fw, FUTEX_WAIT, 0, &ts, NULL, 0));
	SHOW(futex(&fw, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0));
	SHOW(futex(&fw, FUTEX_WAKE, 5, NULL, NULL, 0));
	SHOW(futex((char *)&fw + 1, FUTEX_WAIT, 0, &ts, NULL, 0));
	SHOW(futex((void *)8, FUTEX_WAIT, 0, &ts, NULL, 0));
	SHOW(futex(&fw, FUTEX_WAIT_BITSET, 0, &ts, NULL, 0));
	struct timespec bad = {0, -1};
	SHOW(futex(&fw, FUTEX_WAIT, 0, &bad, NULL, 0));
	SHOW(futex(&fw, 99, 0, NULL, NULL, 0));
	SHOW(futex(&fw, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0));
	/* WAIT_BITSET takes an absolute time */
	struct timespec abs;
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_nsec += 20000000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	SHOW(futex(&fw, FUTEX_WAIT_BITSET, 0, &abs, NULL, FUTEX_BITSET_MATCH_ANY));
	clock_gettime(CLOCK_REALTIME, &abs);
	abs.tv_nsec += 20000000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	SHOW(futex(&fw, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, &abs, NULL, FUTEX_BITSET_MATCH_ANY));
	/* wake counts */
	pthread_t th[4];
	woke_count = 0;
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, futex_waiter, &fw);
	wait_for_waiters(&fw, 4);
	SHOW(futex(&fw, FUTEX_WAKE_PRIVATE, 3, NULL, NULL, 0));
	SHOW(futex(&fw, FUTEX_WAKE_PRIVATE, 3, NULL, NULL, 0));
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	printf("woke %d\n", woke_count);
	/* bitsets: wake only matching waiters */
	woke_count = 0;
	for (long i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, bitset_waiter, (void *)i);
	wait_for_waiters(&fw, 3);
	SHOW(futex(&fw, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 0x2));
	SHOW(futex(&fw, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 0x5));
	SHOW(futex(&fw, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 0));
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	printf("bitset mask of woken %d\n", woke_count);
	/* requeue: wake 1, move 2 to fw2, then wake them there */
	woke_count = 0;
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, futex_waiter, &fw);
	wait_for_waiters(&fw, 4);
	SHOW(futex(&fw, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)2, &fw2, 1));
	SHOW(futex(&fw, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)2, &fw2, 0));
	SHOW(futex(&fw, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0));
	SHOW(futex(&fw2, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0));
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	printf("woke %d\n", woke_count);
	woke_count = 0;
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, futex_waiter, &fw);
	wait_for_waiters(&fw, 2);
	SHOW(futex(&fw, FUTEX_REQUEUE_PRIVATE, 0, (void *)5, &fw2, 0));
	SHOW(futex(&fw2, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0));
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	/* WAKE_OP: fw2 += 1, wake on fw, and on fw2 if the old value was 0 */
	fw2 = 0;
	SHOW(futex(&fw, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &fw2,
		   FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0)));
	printf("fw2 now %d\n", fw2);
	/* a shared futex in MAP_SHARED memory, between two processes */
	int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	*shared = 0;
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		long r = futex(shared, FUTEX_WAIT, 0, NULL, NULL, 0);
		_exit(r == 0 && *shared == 1 ? 0 : 1);
	}
	usleep(100000);
	*shared = 1;
	long n;
	while ((n = futex(shared, FUTEX_WAKE, 1, NULL, NULL, 0)) == 0)
		usleep(1000);
	printf("woke the other process: %ld\n", n);
	wait_describe("shared futex child", c);
}

/* -- signals -------------------------------------------------------------- */

static volatile pid_t handled_by[4];
static volatile int nhandled;

static void on_sig(int sig)
{
	(void)sig;
	pid_t me = gettid_();           /* a system call: others may run */
	handled_by[nhandled & 3] = me;
	__sync_synchronize();
	nhandled++;
}

static volatile int stop_threads;
static volatile pid_t sig_tids[2];

static void *sig_thread(void *arg)
{
	long id = (long)arg;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	/* thread 0 blocks SIGUSR1, thread 1 does not */
	pthread_sigmask(id == 0 ? SIG_BLOCK : SIG_UNBLOCK, &s, NULL);
	sig_tids[id] = gettid_();
	while (!stop_threads)
		usleep(1000);
	return NULL;
}

static int futex_eintr_word;
static volatile long futex_eintr_result;
static volatile pid_t futex_tid;

static void *futex_sleeper(void *arg)
{
	(void)arg;
	futex_tid = gettid_();
	futex_eintr_result = futex(&futex_eintr_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0) < 0 ? -errno : 0;
	return NULL;
}

static void signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sig;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	/* main blocks SIGUSR1: a process-directed SIGUSR1 goes to thread 1 */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	pthread_t th[2];
	for (long i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, sig_thread, (void *)i);
	while (!sig_tids[0] || !sig_tids[1])
		usleep(1000);
	usleep(20000);
	kill(getpid(), SIGUSR1);
	while (nhandled < 1)
		usleep(1000);
	printf("process SIGUSR1 handled by the thread that does not block it: %d\n",
	       handled_by[0] == sig_tids[1]);
	/* thread-directed: tgkill picks the thread, even one that... */
	syscall(SYS_tgkill, getpid(), sig_tids[1], SIGUSR2);
	while (nhandled < 2)
		usleep(1000);
	printf("tgkill SIGUSR2 to thread 1 handled there: %d\n", handled_by[1] == sig_tids[1]);
	syscall(SYS_tgkill, getpid(), sig_tids[0], SIGUSR2);
	while (nhandled < 3)
		usleep(1000);
	printf("tgkill SIGUSR2 to thread 0 handled there: %d\n", handled_by[2] == sig_tids[0]);
	/* a blocked thread-directed signal stays pending for that thread only */
	syscall(SYS_tgkill, getpid(), sig_tids[0], SIGUSR1);
	usleep(50000);
	printf("blocked thread-directed signal not handled elsewhere: %d\n", nhandled == 3);
	stop_threads = 1;
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	/* a handler interrupts a futex wait: EINTR */
	pthread_t f;
	pthread_create(&f, NULL, futex_sleeper, NULL);
	while (!futex_tid)
		usleep(1000);
	usleep(50000);
	syscall(SYS_tgkill, getpid(), futex_tid, SIGUSR2);
	pthread_join(f, NULL);
	printf("futex wait interrupted by a handler: %s\n", strerror((int)-futex_eintr_result));
}

/* -- exit ------------------------------------------------------------------ */

static void *exit_group_thread(void *arg)
{
	(void)arg;
	usleep(20000);
	exit(21);
}

static void *spinner(void *arg)
{
	(void)arg;
	for (;;)
		usleep(1000);
	return NULL;
}

static void *last_thread(void *arg)
{
	(void)arg;
	usleep(50000);
	printf("last thread: getpid still the process %d\n", getpid() == (pid_t)(long)arg);
	fflush(stdout);
	return (void *)7;
}

static const char *self_path;

static void *exec_thread(void *arg)
{
	(void)arg;
	char pid[16];
	snprintf(pid, sizeof pid, "%d", getpid());
	char *argv[] = {(char *)self_path, "after-exec", pid, NULL};
	execv(self_path, argv);
	printf("exec failed %s\n", strerror(errno));
	return NULL;
}

static void do_exit(const char *self)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		pthread_t a, b;
		pthread_create(&a, NULL, spinner, NULL);
		pthread_create(&b, NULL, exit_group_thread, NULL);
		for (;;)
			pause();
	}
	wait_describe("exit() from a thread ends all", c);
#ifdef __GLIBC__       /* musl hangs here natively: its last thread never exits */
	if ((c = fork()) == 0) {
		pthread_t a;
		pthread_create(&a, NULL, last_thread, (void *)(long)getpid());
		pthread_exit(NULL);     /* main goes first; the process lives on */
	}
	wait_describe("main thread exited first", c);
#endif
	if ((c = fork()) == 0) {
		pthread_t a, b;
		pthread_create(&a, NULL, spinner, NULL);
		pthread_create(&b, NULL, spinner, NULL);
		usleep(20000);
		raise(SIGTERM);
		for (;;)
			pause();
	}
	wait_describe("fatal signal with threads", c);
	self_path = self;
	if ((c = fork()) == 0) {
		pthread_t a, b;
		pthread_create(&a, NULL, spinner, NULL);
		pthread_create(&b, NULL, exec_thread, NULL);
		for (;;)
			pause();
	}
	wait_describe("exec from a thread", c);
}

/* -- group stop ------------------------------------------------------------------ */

static volatile long *stop_counters;

static void *counting(void *arg)
{
	long i = (long)arg;
	for (;;) {
		stop_counters[i]++;
		usleep(1000);
	}
	return NULL;
}

static long total(void)
{
	long s = 0;
	for (int i = 0; i < 3; i++)
		s += stop_counters[i];
	return s;
}

static void group_stop(void)
{
	stop_counters = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		pthread_t t[2];
		pthread_create(&t[0], NULL, counting, (void *)1L);
		pthread_create(&t[1], NULL, counting, (void *)2L);
		counting((void *)0L);
	}
	while (!stop_counters[0] || !stop_counters[1] || !stop_counters[2])
		usleep(1000);
	kill(c, SIGSTOP);
	int st;
	waitpid(c, &st, WUNTRACED);
	describe_status("threaded child", st);
	long a = total();
	usleep(100000);
	printf("every thread stopped: %d\n", total() == a);
	kill(c, SIGCONT);
	waitpid(c, &st, WCONTINUED);
	describe_status("threaded child", st);
	long b = total();
	for (int i = 0; i < 2000 && total() < b + 6; i++)
		usleep(1000);
	printf("running again: %d\n", total() >= b + 6);
	kill(c, SIGKILL);
	wait_describe("threaded child", c);
}

/* -- robust ------------------------------------------------------------------ */

static pthread_mutex_t robust;

static void *die_holding(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&robust);
	return NULL;            /* exits with the lock held */
}

static void do_robust(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&robust, &a);
	pthread_t t;
	pthread_create(&t, NULL, die_holding, NULL);
	pthread_join(t, NULL);
	int r = pthread_mutex_lock(&robust);
	printf("lock after the owner died: %s\n", r == EOWNERDEAD ? "EOWNERDEAD" : strerror(r));
	pthread_mutex_consistent(&robust);
	pthread_mutex_unlock(&robust);
	r = pthread_mutex_lock(&robust);
	printf("then: %d\n", r);
	pthread_mutex_unlock(&robust);
	/* across processes, in shared memory */
	pthread_mutex_t *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(m, &a);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		pthread_mutex_lock(m);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	r = pthread_mutex_lock(m);
	printf("process died holding a shared robust mutex: %s\n",
	       r == EOWNERDEAD ? "EOWNERDEAD" : strerror(r));
}

/* -- fpu ---------------------------------------------------------------------- */

static volatile int fpu_bad;

static void *fpu_thread(void *arg)
{
	long id = (long)arg;
	double base = id * 1.5;
	for (int i = 0; i < 3000; i++) {
		double x;
#ifdef __x86_64__
		__asm__ volatile("movsd %1, %%xmm7\n\t"
				 "mov $24, %%eax\n\tsyscall\n\t"   /* sched_yield: a switch */
				 "movsd %%xmm7, %0"
				 : "=m"(x) : "m"(base) : "rax", "rcx", "r11", "xmm7", "memory");
#else
		/* i386: the x87 stack holds the value across the switch */
		__asm__ volatile("fldl %1\n\t"
				 "mov $158, %%eax\n\tint $0x80\n\t"  /* sched_yield */
				 "fstpl %0"
				 : "=m"(x) : "m"(base) : "eax", "memory");
#endif
		if (x != base)
			fpu_bad++;
	}
	return NULL;
}

static void fpu(void)
{
	pthread_t th[4];
	for (long i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, fpu_thread, (void *)(i + 1));
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	printf("xmm7 clobbered across switches: %d times\n", fpu_bad);
}

/* the x87 control word's rounding field (bits 10-11): held by the FP
 * state, not the general registers, in both subarches */
static void set_rounding(int m)
{
	unsigned short cw;
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	cw = (cw & ~0x0C00) | (m << 10);
	__asm__ volatile("fldcw %0" : : "m"(cw));
}

static int get_rounding(void)
{
	unsigned short cw;
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	return (cw >> 10) & 3;
}

static volatile int fpustub_bad[2];

static void *fpustub_thread(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < 200; i++) {
		int m = (i + id) & 3;
		set_rounding(m);
		char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		p[0] = 1;
		p[4096] = 2;
		munmap(p, 8192);                /* the kernel runs a stub batch */
		if (get_rounding() != m)
			fpustub_bad[id]++;
		if (i % 7 == 0)
			sched_yield();
	}
	return NULL;
}

static void fpustub(void)
{
	pthread_t th[2];
	for (long i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, fpustub_thread, (void *)i);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	printf("rounding mode lost across stub batches: %d %d times\n", fpustub_bad[0], fpustub_bad[1]);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "pthread";
	if (!strcmp(mode, "after-exec")) {
		printf("after exec from a thread: same pid %d, one thread\n", getpid() == atoi(argv[2]));
		fflush(stdout);
		return 4;
	}
	test_as_child();
	if (!strcmp(mode, "pthread"))
		do_pthread();
	else if (!strcmp(mode, "raw"))
		raw();
	else if (!strcmp(mode, "futex"))
		futex_ops();
	else if (!strcmp(mode, "signals"))
		signals();
	else if (!strcmp(mode, "exit"))
		do_exit(argv[2]);
	else if (!strcmp(mode, "robust"))
		do_robust();
	else if (!strcmp(mode, "stop"))
		group_stop();
	else if (!strcmp(mode, "fpu"))
		fpu();
	else if (!strcmp(mode, "fpustub"))
		fpustub();
	fflush(stdout);
	return 0;
}
