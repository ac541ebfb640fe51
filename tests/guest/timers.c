/*
 * timers: POSIX timers, timerfd and signalfd.  timers MODE [SELF]:
 *   posix     periodic SIGEV_SIGNAL timer into a SA_SIGINFO handler, the
 *             default sigevent (SIGALRM, sival_int = id), TIMER_ABSTIME,
 *             timer_gettime/old values, SIGEV_NONE, CPU-time clocks
 *   overrun   a periodic timer whose (RT) signal stays blocked: one queued
 *             signal, si_overrun and timer_getoverrun
 *   thread    SIGEV_THREAD_ID to one thread, libc's SIGEV_THREAD
 *   timerfd   expiration counts, non-blocking, blocking read, poll/select/
 *             epoll, absolute times, old values, flags
 *   signalfd  reading blocked signals (kill, sigqueue, SIGCHLD, a timer's),
 *             poll/epoll, changing the mask, a blocking read
 *   errors    bad clocks, sigevents, ids, pointers, flags, sizes
 *   exec      timers are not inherited by fork, and exec deletes them
 *   compat32  the old 32-bit itimerspec calls (i386 only; elsewhere the
 *             same output from the ordinary calls)
 * Nothing prints a time: counts, orders, codes and errnos only.
 */
#include "procs.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>

#define MS 1000000LL

/* raw timer calls: the kernel's ids and errors, not libc's */
static long k_timer_create(int clk, void *sev, void *id)
{
	return syscall(SYS_timer_create, clk, sev, id);
}
static long k_timer_settime(int id, int flags, const void *n, void *o)
{
	return syscall(SYS_timer_settime, id, flags, n, o);
}
static long k_timer_gettime(int id, void *cur)
{
	return syscall(SYS_timer_gettime, id, cur);
}

/* the kernel's struct sigevent with the thread id field */
struct ksigevent {
	union sigval value;
	int signo;
	int notify;
	int tid;
	int pad[64 / 4 - 3 - sizeof(union sigval) / 4];
};

#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif

static pid_t gettid_(void) { return syscall(SYS_gettid); }

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * MS };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void its(struct itimerspec *it, long long val_ns, long long int_ns)
{
	it->it_value.tv_sec = val_ns / 1000000000L;
	it->it_value.tv_nsec = val_ns % 1000000000L;
	it->it_interval.tv_sec = int_ns / 1000000000L;
	it->it_interval.tv_nsec = int_ns % 1000000000L;
}

static long long ns_of(struct timespec ts)
{
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#define E(expr) do {							\
	errno = 0;							\
	long _r = (long)(expr);						\
	if (_r < 0)							\
		printf("%-52s -> %ld %s\n", #expr, _r, strerror(errno));\
	else								\
		printf("%-52s -> %ld\n", #expr, _r);			\
} while (0)

/* -- posix ------------------------------------------------------------------ */

static volatile int hits, last_code, last_value, last_timerid_ok, last_sig;
static volatile int expect_timerid, first_overrun;

static void on_timer(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (++hits == 1)
		first_overrun = si->si_overrun;
	last_sig = sig;
	last_code = si->si_code;
	last_value = si->si_value.sival_int;
	last_timerid_ok = si->si_timerid == expect_timerid;
}

static void wait_hits(int n)
{
	sigset_t none;
	sigemptyset(&none);
	while (hits < n)
		sigsuspend(&none);
}

static void handle(int sig)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_timer;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(sig, &sa, NULL);
}

static void posix(void)
{
	struct sigevent sev;
	struct itimerspec it, old, cur;
	timer_t tm;
	int id;

	handle(SIGUSR1);
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR1;
	sev.sigev_value.sival_int = 4242;
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &tm) == 0, "create");
	CHECK(timer_gettime(tm, &cur) == 0 && ns_of(cur.it_value) == 0 && ns_of(cur.it_interval) == 0,
	      "unarmed");
	CHECK(timer_getoverrun(tm) == 0, "no overrun yet");
	/* glibc and musl return the kernel's id for SIGEV_SIGNAL timers */
	expect_timerid = (int)(intptr_t)tm;
	its(&it, 10 * MS, 10 * MS);
	CHECK(timer_settime(tm, 0, &it, &old) == 0 && ns_of(old.it_value) == 0, "settime");
	wait_hits(5);
	printf("periodic: %d signals, sig %d, si_code %d (SI_TIMER %d), value %d, timerid ok %d\n",
	       hits, last_sig, last_code, SI_TIMER, last_value, last_timerid_ok);
	CHECK(timer_gettime(tm, &cur) == 0 && ns_of(cur.it_interval) == 10 * MS
	      && ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 10 * MS, "gettime periodic");
	its(&it, 0, 0);
	CHECK(timer_settime(tm, 0, &it, &old) == 0 && ns_of(old.it_interval) == 10 * MS
	      && ns_of(old.it_value) <= 10 * MS, "disarm returns old");
	CHECK(timer_gettime(tm, &cur) == 0 && ns_of(cur.it_value) == 0 && ns_of(cur.it_interval) == 0,
	      "disarmed");
	/* one-shot, absolute on CLOCK_REALTIME */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	timer_t rt;
	sev.sigev_value.sival_int = 77;
	CHECK(timer_create(CLOCK_REALTIME, &sev, &rt) == 0, "create realtime");
	expect_timerid = (int)(intptr_t)rt;
	now.tv_nsec += 20 * MS;
	if (now.tv_nsec >= 1000000000L) {
		now.tv_sec++;
		now.tv_nsec -= 1000000000L;
	}
	it.it_value = now;
	it.it_interval.tv_sec = it.it_interval.tv_nsec = 0;
	hits = 0;
	CHECK(timer_settime(rt, TIMER_ABSTIME, &it, NULL) == 0, "settime abstime");
	wait_hits(1);
	printf("abstime: %d signal, value %d, timerid ok %d\n", hits, last_value, last_timerid_ok);
	CHECK(timer_gettime(rt, &cur) == 0 && ns_of(cur.it_value) == 0, "one-shot done");
	/* an absolute time in the past: at once */
	it.it_value.tv_sec = 1;
	it.it_value.tv_nsec = 0;
	hits = 0;
	CHECK(timer_settime(rt, TIMER_ABSTIME, &it, NULL) == 0, "settime past");
	wait_hits(1);
	printf("past: %d signal\n", hits);
	timer_delete(rt);
	timer_delete(tm);

	/* no sigevent: SIGALRM with sival_int = the timer id */
	handle(SIGALRM);
	CHECK(k_timer_create(CLOCK_BOOTTIME, NULL, &id) == 0, "create default");
	expect_timerid = id;
	its(&it, 5 * MS, 0);
	hits = 0;
	k_timer_settime(id, 0, &it, NULL);
	wait_hits(1);
	printf("default sigevent: sig %d, code %d, value is id %d, timerid ok %d\n",
	       last_sig, last_code, last_value == id, last_timerid_ok);
	syscall(SYS_timer_delete, id);

	/* SIGEV_NONE: it runs, silently */
	sev.sigev_notify = SIGEV_NONE;
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &tm) == 0, "create none");
	its(&it, 10 * MS, 10 * MS);
	timer_settime(tm, 0, &it, NULL);
	sleep_ms(25);
	CHECK(timer_gettime(tm, &cur) == 0 && ns_of(cur.it_value) > 0
	      && ns_of(cur.it_value) <= 10 * MS && ns_of(cur.it_interval) == 10 * MS, "none periodic");
	its(&it, 2 * MS, 0);
	timer_settime(tm, 0, &it, NULL);
	sleep_ms(10);
	CHECK(timer_gettime(tm, &cur) == 0 && ns_of(cur.it_value) == 0, "none one-shot expired");
	timer_delete(tm);

	/* CPU-time clocks: a busy loop makes them expire */
	clockid_t clocks[] = { CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID };
	for (int i = 0; i < 2; i++) {
		sev.sigev_notify = SIGEV_SIGNAL;
		sev.sigev_signo = SIGUSR1;
		CHECK(timer_create(clocks[i], &sev, &tm) == 0, "create cpu clock %d", i);
		expect_timerid = (int)(intptr_t)tm;
		its(&it, 20 * MS, 0);
		hits = 0;
		timer_settime(tm, 0, &it, NULL);
		volatile unsigned long spin = 0;
		while (!hits)
			spin++;
		printf("cpu clock %d: %d signal, timerid ok %d\n", (int)clocks[i], hits, last_timerid_ok);
		timer_delete(tm);
	}
}

/* -- overrun ------------------------------------------------------------------- */

static void overrun(void)
{
	int sig = SIGRTMIN + 2;
	sigset_t set, pend;
	siginfo_t si;
	struct sigevent sev;
	struct itimerspec it;
	timer_t tm;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = sig;
	sev.sigev_value.sival_ptr = &sev;
	timer_create(CLOCK_MONOTONIC, &sev, &tm);
	its(&it, 50 * MS, 50 * MS);
	timer_settime(tm, 0, &it, NULL);
	sleep_ms(400);
	sigpending(&pend);
	printf("pending while blocked: %d\n", sigismember(&pend, sig));
	int r = sigwaitinfo(&set, &si);
	printf("sigwaitinfo: %s, code %d, value ok %d, overrun > 5: %d, getoverrun == si_overrun: %d\n",
	       r == sig ? "sig" : "other", si.si_code, si.si_value.sival_ptr == &sev,
	       si.si_overrun > 5, timer_getoverrun(tm) == si.si_overrun);
	/* one signal queued per timer, even for a real-time signal */
	struct timespec zero = { 0, 0 };
	sigpending(&pend);
	printf("pending right after taking it: %d\n", sigismember(&pend, sig));
	/* and it runs on */
	r = sigwaitinfo(&set, &si);
	printf("next: %s, code %d\n", r == sig ? "sig" : "other", si.si_code);
	its(&it, 0, 0);
	timer_settime(tm, 0, &it, NULL);
	timer_delete(tm);
	(void)zero;

	/* a timer's pending signal as seen by a handler once unblocked */
	handle(sig);
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &tm) == 0, "create");
	expect_timerid = (int)(intptr_t)tm;
	its(&it, 20 * MS, 20 * MS);
	hits = 0;
	timer_settime(tm, 0, &it, NULL);
	sleep_ms(100);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* (more calls if the next period ends before it is blocked again) */
	printf("after unblocking: >= 1 handler call %d, code %d, timerid ok %d, overrun > 2: %d\n",
	       hits >= 1, last_code, last_timerid_ok, first_overrun > 2);
	timer_delete(tm);

	/* a queued signal goes stale when its timer is reset or deleted: it
	   still shows as pending, but is dropped when it would be taken */
	const char *what[] = { "rearmed later", "disarmed", "deleted", "untouched",
			       "rearmed and expired again" };
	for (int m = 0; m < 5; m++) {
		struct timespec zero = { 0, 0 };
		if (m == 0 || m == 3)
			timer_create(CLOCK_MONOTONIC, &sev, &tm);
		its(&it, MS, 0);
		timer_settime(tm, 0, &it, NULL);
		sleep_ms(10);
		if (m == 0)
			its(&it, 10000 * MS, 0);
		else if (m == 1)
			its(&it, 0, 0);
		if (m < 2)
			timer_settime(tm, 0, &it, NULL);
		else if (m == 2)
			timer_delete(tm);
		else if (m == 4) {
			timer_settime(tm, 0, &it, NULL);
			sleep_ms(10);
		}
		sigpending(&pend);
		r = sigtimedwait(&set, &si, &zero);
		printf("%s: pending %d, taken %d\n", what[m], sigismember(&pend, sig), r == sig);
	}
	timer_delete(tm);
}

/* -- thread -------------------------------------------------------------------- */

static volatile pid_t handled_by;
static volatile int thread_ready, thread_done;
static pid_t worker_tid;

static void on_usr2(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	handled_by = gettid_();
	last_code = si->si_code;
}

static void *worker(void *arg)
{
	(void)arg;
	worker_tid = gettid_();
	thread_ready = 1;
	while (!handled_by)
		sleep_ms(1);
	thread_done = 1;
	return NULL;
}

static int thread_timer;

static void *cpu_timer_thread(void *arg)
{
	struct ksigevent ks;
	struct itimerspec it;
	(void)arg;
	memset(&ks, 0, sizeof ks);
	ks.notify = SIGEV_NONE;
	k_timer_create(CLOCK_THREAD_CPUTIME_ID, &ks, &thread_timer);
	its(&it, 10000 * MS, 0);
	printf("thread clock timer armed: %ld\n", k_timer_settime(thread_timer, 0, &it, NULL));
	return NULL;
}

static volatile int notify_calls;
static pthread_t notify_thread;

static void notified(union sigval v)
{
	notify_calls++;
	notify_thread = pthread_self();
	if (notify_calls == 3)
		*(volatile int *)v.sival_ptr = 1;
}

static void thread(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr2;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR2, &sa, NULL);

	pthread_t th;
	pthread_create(&th, NULL, worker, NULL);
	while (!thread_ready)
		sleep_ms(1);
	struct ksigevent ks;
	memset(&ks, 0, sizeof ks);
	ks.notify = SIGEV_SIGNAL | SIGEV_THREAD_ID;
	ks.signo = SIGUSR2;
	ks.tid = worker_tid;
	int id;
	CHECK(k_timer_create(CLOCK_MONOTONIC, &ks, &id) == 0, "create thread id");
	struct itimerspec it;
	its(&it, 10 * MS, 0);
	k_timer_settime(id, 0, &it, NULL);
	/* the main thread waits too, with the signal unblocked: only the
	   worker may take it */
	while (!thread_done)
		sleep_ms(1);
	pthread_join(th, NULL);
	printf("SIGEV_THREAD_ID: handled by the worker %d, by main %d, code %d\n",
	       handled_by == worker_tid, handled_by == getpid(), last_code);
	syscall(SYS_timer_delete, id);

	/* a thread's CPU-time clock dies with the thread */
	pthread_create(&th, NULL, cpu_timer_thread, NULL);
	pthread_join(th, NULL);
	sleep_ms(20);                   /* the thread is gone, not just joined */
	its(&it, 1000 * MS, 0);
	E(k_timer_settime(thread_timer, 0, &it, NULL));
	struct itimerspec cur;
	E(k_timer_gettime(thread_timer, &cur) == 0 && ns_of(cur.it_value) == 0);
	E(syscall(SYS_timer_delete, thread_timer));

	/* a thread of another process, or none */
	ks.tid = getppid();
	E(k_timer_create(CLOCK_MONOTONIC, &ks, &id));
	ks.tid = 0;
	E(k_timer_create(CLOCK_MONOTONIC, &ks, &id));

	/* SIGEV_THREAD: libc's helper thread calls us */
	volatile int done = 0;
	struct sigevent sev;
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = notified;
	sev.sigev_value.sival_ptr = (void *)&done;
	timer_t tm;
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &tm) == 0, "create SIGEV_THREAD");
	its(&it, 5 * MS, 5 * MS);
	timer_settime(tm, 0, &it, NULL);
	while (!done)
		sleep_ms(1);
	its(&it, 0, 0);
	timer_settime(tm, 0, &it, NULL);
	timer_delete(tm);
	printf("SIGEV_THREAD: >= 3 calls %d, not in main %d\n", notify_calls >= 3,
	       !pthread_equal(notify_thread, pthread_self()));
}

/* -- timerfd ------------------------------------------------------------------- */

static uint64_t rd(int fd, int *err)
{
	uint64_t v = 0;
	*err = read(fd, &v, 8) < 0 ? errno : 0;
	return v;
}

static void timerfd(void)
{
	struct itimerspec it, old, cur;
	int err;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	printf("flags: nonblock %d cloexec %d\n", !!(fcntl(fd, F_GETFL) & O_NONBLOCK),
	       !!(fcntl(fd, F_GETFD) & FD_CLOEXEC));
	rd(fd, &err);
	printf("read unarmed: %s\n", strerror(err));
	char small[4];
	E(read(fd, small, 4));
	CHECK(timerfd_gettime(fd, &cur) == 0 && ns_of(cur.it_value) == 0, "gettime unarmed");

	/* periodic, with epoll */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 99 };
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	its(&it, 10 * MS, 10 * MS);
	CHECK(timerfd_settime(fd, 0, &it, &old) == 0 && ns_of(old.it_value) == 0, "settime");
	struct epoll_event got[2];
	int total = 0, waits = 0;
	while (total < 5) {
		int n = epoll_wait(ep, got, 2, 5000);
		if (n != 1 || got[0].data.u64 != 99 || got[0].events != EPOLLIN) {
			printf("epoll_wait: %d\n", n);
			break;
		}
		uint64_t c = rd(fd, &err);
		total += c;
		waits++;
		if (c < 1)
			printf("read after EPOLLIN: %llu %s\n", (unsigned long long)c, strerror(err));
	}
	printf("epoll: >= 5 expirations %d\n", total >= 5);
	CHECK(timerfd_gettime(fd, &cur) == 0 && ns_of(cur.it_interval) == 10 * MS
	      && ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 10 * MS, "gettime periodic");
	/* expirations accumulate while nobody reads */
	sleep_ms(60);
	uint64_t c = rd(fd, &err);
	printf("after 60 ms: >= 4 %d\n", c >= 4);
	its(&it, 0, 0);
	CHECK(timerfd_settime(fd, 0, &it, &old) == 0 && ns_of(old.it_interval) == 10 * MS, "disarm");
	rd(fd, &err);
	printf("read disarmed: %s\n", strerror(err));
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);

	/* blocking one-shot read, with poll and select */
	int bfd = timerfd_create(CLOCK_REALTIME, 0);
	its(&it, 200 * MS, 0);
	timerfd_settime(bfd, 0, &it, NULL);
	struct pollfd p = { bfd, POLLIN, 0 };
	printf("poll before: %d\n", poll(&p, 1, 0));
	int pr = poll(&p, 1, 5000);
	printf("poll: %d revents %#x\n", pr, p.revents);
	c = rd(bfd, &err);
	printf("blocking read: %llu\n", (unsigned long long)c);
	its(&it, 15 * MS, 0);
	timerfd_settime(bfd, 0, &it, NULL);
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(bfd, &rs);
	struct timeval tv = { 5, 0 };
	pr = select(bfd + 1, &rs, NULL, NULL, &tv);
	printf("select: %d isset %d\n", pr, FD_ISSET(bfd, &rs));
	c = rd(bfd, &err);
	printf("read: %llu\n", (unsigned long long)c);
	its(&it, 10 * MS, 0);
	timerfd_settime(bfd, 0, &it, NULL);
	c = rd(bfd, &err);
	printf("read blocks until it fires: %llu\n", (unsigned long long)c);

	/* absolute, in the past, periodic: the periods since then count */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	it.it_value.tv_sec = now.tv_sec - 1;
	it.it_value.tv_nsec = now.tv_nsec;
	it.it_interval.tv_sec = 0;
	it.it_interval.tv_nsec = 100 * MS;
	int afd = timerfd_create(CLOCK_MONOTONIC, 0);
	CHECK(timerfd_settime(afd, TFD_TIMER_ABSTIME, &it, NULL) == 0, "settime abstime");
	c = rd(afd, &err);
	printf("abstime 1 s ago, 100 ms period: >= 10 %d\n", c >= 10);
	/* settime resets the count */
	its(&it, 1 * MS, 0);
	timerfd_settime(afd, 0, &it, NULL);
	sleep_ms(10);
	its(&it, 10000 * MS, 0);
	timerfd_settime(afd, 0, &it, NULL);
	p.fd = afd;
	printf("after re-setting: poll %d\n", poll(&p, 1, 0));
	/* timerfds survive fork and count for both */
	close(afd);
	close(bfd);
	close(ep);
	close(fd);
}

/* -- signalfd ------------------------------------------------------------------- */

static void show_ssi(const char *what, struct signalfd_siginfo *s)
{
	printf("%s: signo %u code %d errno %d\n", what, s->ssi_signo, s->ssi_code, s->ssi_errno);
}

static void signalfd_test(void)
{
	sigset_t mask, old;
	struct signalfd_siginfo ssi[4];
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGRTMIN);
	sigaddset(&mask, SIGRTMIN + 3);
	sigprocmask(SIG_BLOCK, &mask, &old);
	int fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	printf("flags: nonblock %d cloexec %d\n", !!(fcntl(fd, F_GETFL) & O_NONBLOCK),
	       !!(fcntl(fd, F_GETFD) & FD_CLOEXEC));
	E(read(fd, ssi, sizeof ssi));
	E(read(fd, ssi, 100));

	kill(getpid(), SIGUSR1);
	long n = read(fd, ssi, sizeof ssi);
	printf("kill: %ld bytes\n", n);
	show_ssi("  SIGUSR1", &ssi[0]);
	printf("  pid ok %d uid ok %d\n", ssi[0].ssi_pid == (uint32_t)getpid(),
	       ssi[0].ssi_uid == (uint32_t)getuid());

	/* over fork the fd reads whoever reads it: the child its own */
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		kill(getpid(), SIGUSR1);
		n = read(fd, ssi, sizeof ssi);
		printf("child reads %ld bytes, its own pid %d\n", n,
		       ssi[0].ssi_pid == (uint32_t)getpid());
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	n = read(fd, ssi, sizeof ssi);
	printf("parent then reads: %ld bytes, SIGCHLD %d\n", n, ssi[0].ssi_signo == SIGCHLD);

	union sigval v;
	v.sival_int = 42;
	sigqueue(getpid(), SIGRTMIN, v);
	v.sival_int = 43;
	sigqueue(getpid(), SIGRTMIN, v);
	kill(getpid(), SIGUSR1);
	n = read(fd, ssi, sizeof ssi);
	printf("sigqueue x2 + kill: %ld bytes\n", n);
	for (int i = 0; i < n / (long)sizeof ssi[0]; i++)
		printf("  signo %s code %d int %d\n", ssi[i].ssi_signo == (uint32_t)SIGRTMIN ? "RTMIN"
		       : ssi[i].ssi_signo == SIGUSR1 ? "USR1" : "?", ssi[i].ssi_code, ssi[i].ssi_int);

	/* SIGCHLD, with poll */
	c = fork();
	if (c == 0)
		_exit(7);
	struct pollfd p = { fd, POLLIN, 0 };
	int pr = poll(&p, 1, 5000);
	printf("poll SIGCHLD: %d revents %#x\n", pr, p.revents);
	n = read(fd, ssi, sizeof ssi[0]);
	show_ssi("  SIGCHLD", &ssi[0]);
	printf("  pid ok %d status %d\n", ssi[0].ssi_pid == (uint32_t)c, ssi[0].ssi_status);
	waitpid(c, NULL, 0);

	/* a timer's signal */
	struct sigevent sev;
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGRTMIN + 3;
	sev.sigev_value.sival_int = 555;
	timer_t tm;
	timer_create(CLOCK_MONOTONIC, &sev, &tm);
	struct itimerspec it;
	its(&it, 2 * MS, 2 * MS);
	timer_settime(tm, 0, &it, NULL);
	sleep_ms(30);
	printf("poll timer signal: %d\n", poll(&p, 1, 5000));
	n = read(fd, ssi, sizeof ssi);
	printf("timer: %ld bytes, code %d, int %d, tid ok %d, overrun > 2 %d\n", n,
	       ssi[0].ssi_code, ssi[0].ssi_int, ssi[0].ssi_tid == (uint32_t)(intptr_t)tm,
	       ssi[0].ssi_overrun > 2);
	timer_delete(tm);

	/* epoll, and a new mask through the same fd */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 5 }, got[2];
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	printf("epoll idle: %d\n", epoll_wait(ep, got, 2, 0));
	sigset_t m2;
	sigemptyset(&m2);
	sigaddset(&m2, SIGUSR2);
	sigaddset(&m2, SIGKILL);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	printf("new mask: same fd %d\n", signalfd(fd, &m2, 0) == fd);
	kill(getpid(), SIGUSR1);
	E(read(fd, ssi, sizeof ssi));
	printf("epoll (USR1 not in mask): %d\n", epoll_wait(ep, got, 2, 0));
	kill(getpid(), SIGUSR2);
	int en = epoll_wait(ep, got, 2, 1000);
	printf("epoll (USR2): %d events %#x data %llu\n", en,
	       got[0].events, (unsigned long long)got[0].data.u64);
	n = read(fd, ssi, sizeof ssi);
	show_ssi("  USR2", &ssi[0]);
	sigset_t pend;
	sigpending(&pend);
	printf("USR1 still pending %d, USR2 %d\n", sigismember(&pend, SIGUSR1),
	       sigismember(&pend, SIGUSR2));
	int s2 = signalfd(-1, &mask, 0);
	read(s2, ssi, sizeof ssi[0]);
	show_ssi("  USR1 through a second signalfd", &ssi[0]);

	/* a blocking read: another process sends the signal */
	pid_t parent = getpid();
	c = fork();
	if (c == 0) {
		sleep_ms(20);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	n = read(s2, ssi, sizeof ssi[0]);
	show_ssi("blocking read", &ssi[0]);
	printf("  from the child %d\n", ssi[0].ssi_pid == (uint32_t)c);
	waitpid(c, NULL, 0);
	read(s2, ssi, sizeof ssi[0]);           /* its SIGCHLD */
	close(s2);
	close(ep);
	close(fd);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* -- errors --------------------------------------------------------------------- */

static void errors(void)
{
	struct ksigevent ks;
	struct itimerspec it, cur;
	int id;
	int pfd[2];
	pipe(pfd);

	memset(&ks, 0, sizeof ks);
	ks.notify = SIGEV_SIGNAL;
	ks.signo = SIGUSR1;
	E(k_timer_create(99, &ks, &id));
	E(k_timer_create(10, &ks, &id));
	E(k_timer_create(-1, &ks, &id));
	E(k_timer_create(CLOCK_MONOTONIC_RAW, &ks, &id));
	E(k_timer_create(CLOCK_MONOTONIC_COARSE, &ks, &id));
	E(k_timer_create(CLOCK_MONOTONIC, (void *)8, &id));
	ks.notify = 99;
	E(k_timer_create(CLOCK_MONOTONIC, &ks, &id));
	ks.notify = SIGEV_THREAD_ID;     /* without SIGEV_SIGNAL? it is 0 */
	ks.tid = gettid_();
	E(k_timer_create(CLOCK_MONOTONIC, &ks, &id));
	ks.notify = SIGEV_NONE | SIGEV_THREAD_ID;
	E(k_timer_create(CLOCK_MONOTONIC, &ks, &id));
	ks.notify = SIGEV_SIGNAL;
	ks.signo = 0;
	E(k_timer_create(CLOCK_MONOTONIC, &ks, &id));
	ks.signo = 65;
	E(k_timer_create(CLOCK_MONOTONIC, &ks, &id));
	ks.signo = 64;
	E(k_timer_create(CLOCK_MONOTONIC, &ks, &id) == 0);
	syscall(SYS_timer_delete, id);
	ks.notify = SIGEV_NONE;
	ks.signo = 0;
	E(k_timer_create(CLOCK_MONOTONIC, &ks, &id) == 0);
	ks.signo = SIGUSR1;

	its(&it, MS, 0);
	E(k_timer_settime(id, 0, NULL, NULL));
	E(k_timer_settime(id, 0, (void *)8, NULL));
	E(k_timer_settime(id + 100, 0, &it, NULL));
	E(k_timer_settime(-1, 0, &it, NULL));
	it.it_value.tv_nsec = 1000000000L;
	E(k_timer_settime(id, 0, &it, NULL));
	it.it_value.tv_nsec = -1;
	E(k_timer_settime(id, 0, &it, NULL));
	it.it_value.tv_nsec = 0;
	it.it_value.tv_sec = -1;
	E(k_timer_settime(id, 0, &it, NULL));
	its(&it, 1000 * MS, 0);
	E(k_timer_settime(id, 0, &it, (void *)8));
	E(k_timer_gettime(id, &cur) == 0 && ns_of(cur.it_value) > 0);   /* set despite EFAULT */
	E(k_timer_gettime(id, (void *)8));
	E(k_timer_gettime(id + 100, &cur));
	E(syscall(SYS_timer_getoverrun, id + 100));
	E(syscall(SYS_timer_delete, id));
	E(syscall(SYS_timer_delete, id));
	E(k_timer_gettime(id, &cur));

	/* far in the future: saturates at Linux's limit */
	E(k_timer_create(CLOCK_MONOTONIC, NULL, &id));
	memset(&it, 0, sizeof it);
	it.it_value.tv_sec = sizeof(time_t) == 8 ? (time_t)0x7fffffffffffffffLL : (time_t)0x7fffffff;
	it.it_interval.tv_sec = it.it_value.tv_sec;
	E(k_timer_settime(id, 0, &it, NULL));
	E(k_timer_gettime(id, &cur) == 0 && cur.it_value.tv_sec > 1000000000 - 1);
	printf("interval %s\n", cur.it_interval.tv_sec > 1000000000 ? "large" : "small");
	E(k_timer_settime(id, TIMER_ABSTIME, &it, NULL));
	E(k_timer_gettime(id, &cur) == 0 && cur.it_value.tv_sec > 1000000000 - 1);
	syscall(SYS_timer_delete, id);
	int tfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	E(timerfd_settime(tfd, 0, &it, NULL));
	E(timerfd_gettime(tfd, &cur) == 0 && cur.it_value.tv_sec > 1000000000 - 1);
	E(timerfd_settime(tfd, TFD_TIMER_ABSTIME, &it, NULL));
	E(timerfd_gettime(tfd, &cur) == 0 && cur.it_value.tv_sec > 1000000000 - 1);
	close(tfd);

	/* the CPU clock of a child that is gone */
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	clockid_t cc;
	E(clock_getcpuclockid(child, &cc));
	ks.notify = SIGEV_SIGNAL;
	ks.signo = SIGUSR1;
	E(k_timer_create(cc, &ks, &id));
	its(&it, 1000 * MS, 0);
	E(k_timer_settime(id, 0, &it, NULL));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	E(k_timer_gettime(id, &cur) == 0 && ns_of(cur.it_value) == 0);
	E(k_timer_settime(id, 0, &it, NULL));
	E(k_timer_gettime(id, &cur));
	E(syscall(SYS_timer_delete, id));
	E(k_timer_create(cc, &ks, &id));

	/* timerfd */
	E(timerfd_create(99, 0));
	E(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
	E(timerfd_create(CLOCK_MONOTONIC, 0x10));
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	its(&it, MS, 0);
	E(timerfd_settime(fd, 0x10, &it, NULL));
	E(timerfd_settime(pfd[0], 0, &it, NULL));
	E(timerfd_settime(77, 0, &it, NULL));
	E(syscall(SYS_timerfd_settime, fd, 0, (void *)8, NULL));
	E(syscall(SYS_timerfd_settime, fd, 0, NULL, NULL));
	it.it_interval.tv_nsec = 1000000000L;
	E(timerfd_settime(fd, 0, &it, NULL));
	E(syscall(SYS_timerfd_gettime, fd, (void *)8));
	E(timerfd_gettime(pfd[0], &cur));
	E(timerfd_gettime(-1, &cur));
	E(write(fd, "12345678", 8));
	close(fd);
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	its(&it, MS, 0);
	timerfd_settime(fd, 0, &it, NULL);
	sleep_ms(5);
	E(syscall(SYS_read, fd, (void *)8, 8));
	close(fd);

	/* signalfd */
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	E(syscall(SYS_signalfd4, -1, &m, 8, 0x10));
	E(syscall(SYS_signalfd4, -1, &m, 4, 0));
	E(syscall(SYS_signalfd4, -1, &m, 16, 0));
	E(syscall(SYS_signalfd4, -1, (void *)8, 8, 0));
	E(syscall(SYS_signalfd4, pfd[0], &m, 8, 0));
	E(syscall(SYS_signalfd4, 77, &m, 8, 0));
	int sfd = syscall(SYS_signalfd4, -1, &m, 8, SFD_NONBLOCK);
	E(write(sfd, "x", 1));
	E(lseek(sfd, 0, SEEK_SET));
	fd = timerfd_create(CLOCK_MONOTONIC, 0);
	E(lseek(fd, 0, SEEK_SET));
	close(fd);
	close(sfd);
	close(pfd[0]);
	close(pfd[1]);
}

/* -- exec ----------------------------------------------------------------------- */

static void exec_mode(const char *self)
{
	int id;
	struct itimerspec it, cur;
	CHECK(k_timer_create(CLOCK_MONOTONIC, NULL, &id) == 0, "create");
	its(&it, 10000 * MS, 0);
	k_timer_settime(id, 0, &it, NULL);
	pid_t c = fork();
	if (c == 0) {
		E(k_timer_gettime(id, &cur));
		_exit(0);
	}
	wait_describe("child", c);
	E(k_timer_gettime(id, &cur));
	fflush(stdout);
	char ids[16];
	snprintf(ids, sizeof ids, "%d", id);
	char *argv[] = { (char *)self, "after-exec", ids, NULL };
	execv(self, argv);
	printf("exec: %s\n", strerror(errno));
}

static void after_exec(int id)
{
	struct itimerspec cur;
	E(k_timer_gettime(id, &cur));
	int nid;
	CHECK(k_timer_create(CLOCK_MONOTONIC, NULL, &nid) == 0, "create after exec");
	E(k_timer_gettime(nid, &cur));
}

/* -- compat32 ------------------------------------------------------------------- */

#ifdef __i386__
struct ts32 { int32_t sec, nsec; };
struct its32 { struct ts32 interval, value; };
#define OLD_SETTIME(id, f, n, o) syscall(260, id, f, n, o)      /* timer_settime */
#define OLD_GETTIME(id, c) syscall(261, id, c)
#define OLD_TFD_SETTIME(fd, f, n, o) syscall(325, fd, f, n, o)
#define OLD_TFD_GETTIME(fd, c) syscall(326, fd, c)
#else
#define its32 itimerspec
#define OLD_SETTIME(id, f, n, o) syscall(SYS_timer_settime, id, f, n, o)
#define OLD_GETTIME(id, c) syscall(SYS_timer_gettime, id, c)
#define OLD_TFD_SETTIME(fd, f, n, o) syscall(SYS_timerfd_settime, fd, f, n, o)
#define OLD_TFD_GETTIME(fd, c) syscall(SYS_timerfd_gettime, fd, c)
#endif

#ifdef __x86_64__
/* int $0x80 from 64-bit code is the i386 ABI: i386 numbers, 32-bit layouts
   (the structures must sit below 4 GiB: static data of a non-PIE program) */
static long int80(long nr, long a, long b, long c, long d)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d)
			 : "memory", "r8", "r9", "r10", "r11");
	return r;
}

static struct { int32_t value, signo, notify, tid, pad[12]; } sev32;
static struct { int32_t isec, insec, vsec, vnsec; } its32_in, its32_out;
static int32_t id32;
static uint64_t mask32;

static void compat_int80(void)
{
	sigset_t set;
	siginfo_t si;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sev32.value = 4711;
	sev32.signo = SIGUSR2;
	sev32.notify = SIGEV_SIGNAL | SIGEV_THREAD_ID;
	sev32.tid = gettid_();
	printf("int80 timer_create: %ld\n", int80(259, CLOCK_MONOTONIC, (long)&sev32, (long)&id32, 0));
	its32_in.vnsec = 1000000;
	its32_in.isec = 3;
	printf("int80 timer_settime: %ld\n", int80(260, id32, 0, (long)&its32_in, 0));
	int r = sigwaitinfo(&set, &si);
	printf("int80 timer signal: %d code %d value %d timerid ok %d\n", r == SIGUSR2, si.si_code,
	       si.si_value.sival_int, si.si_timerid == id32);
	long g = int80(261, id32, (long)&its32_out, 0, 0);
	printf("int80 timer_gettime: %ld interval %d.%09d\n", g, its32_out.isec, its32_out.insec);
	printf("int80 timer_gettime bad pointer: %ld\n", int80(261, id32, 8, 0, 0));
	printf("int80 timer_delete: %ld\n", int80(263, id32, 0, 0, 0));
	long fd = int80(322, CLOCK_MONOTONIC, 0, 0, 0);
	printf("int80 timerfd_create: %d\n", fd >= 0);
	printf("int80 timerfd_settime: %ld\n", int80(325, fd, 0, (long)&its32_in, 0));
	uint64_t c = 0;
	read(fd, &c, 8);
	printf("int80 timerfd read: %llu\n", (unsigned long long)c);
	close(fd);
	mask32 = 1ULL << (SIGUSR2 - 1);
	fd = int80(327, -1, (long)&mask32, 8, SFD_NONBLOCK);
	printf("int80 signalfd4: %d, size 4: %ld\n", fd >= 0, int80(327, -1, (long)&mask32, 4, 0));
	kill(getpid(), SIGUSR2);
	struct signalfd_siginfo ssi;
	long n = read(fd, &ssi, sizeof ssi);
	printf("int80 signalfd read: %ld signo %u\n", n, ssi.ssi_signo);
	close(fd);
}
#endif

static void compat32(void)
{
#ifdef __x86_64__
	compat_int80();
#endif
	struct its32 a, b;
	int id;
	memset(&a, 0, sizeof a);
	CHECK(k_timer_create(CLOCK_MONOTONIC, NULL, &id) == 0, "create");
	#ifdef __i386__
	a.value.sec = 5; a.interval.sec = 2; a.interval.nsec = 250000000;
	#else
	a.it_value.tv_sec = 5; a.it_interval.tv_sec = 2; a.it_interval.tv_nsec = 250000000;
	#endif
	E(OLD_SETTIME(id, 0, &a, NULL));
	memset(&b, 0, sizeof b);
	E(OLD_GETTIME(id, &b));
	#ifdef __i386__
	long isec = b.interval.sec, insec = b.interval.nsec, vsec = b.value.sec;
	#else
	long isec = b.it_interval.tv_sec, insec = b.it_interval.tv_nsec, vsec = b.it_value.tv_sec;
	#endif
	printf("old-layout timer: interval %ld.%09ld, value sec <= 5 %d, >= 4 %d\n",
	       isec, insec, vsec <= 5, vsec >= 4);
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	E(OLD_SETTIME(id, 0, &a, &b));
	#ifdef __i386__
	printf("old value: interval %d.%09d\n", b.interval.sec, b.interval.nsec);
	#else
	printf("old value: interval %ld.%09ld\n", (long)b.it_interval.tv_sec, b.it_interval.tv_nsec);
	#endif
	syscall(SYS_timer_delete, id);

	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	memset(&a, 0, sizeof a);
	#ifdef __i386__
	a.value.nsec = 3 * MS; a.interval.sec = 7;
	#else
	a.it_value.tv_nsec = 3 * MS; a.it_interval.tv_sec = 7;
	#endif
	E(OLD_TFD_SETTIME(fd, 0, &a, NULL));
	uint64_t c = 0;
	read(fd, &c, 8);
	printf("old-layout timerfd: %llu\n", (unsigned long long)c);
	memset(&b, 0, sizeof b);
	E(OLD_TFD_GETTIME(fd, &b));
	#ifdef __i386__
	printf("interval %d\n", b.interval.sec);
	#else
	printf("interval %ld\n", (long)b.it_interval.tv_sec);
	#endif
	close(fd);

	/* a 32-bit sigevent: value, signo, notify, thread id */
	struct ksigevent ks;
	memset(&ks, 0, sizeof ks);
	ks.value.sival_int = 31337;
	ks.signo = SIGUSR1;
	ks.notify = SIGEV_SIGNAL | SIGEV_THREAD_ID;
	ks.tid = gettid_();
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	CHECK(k_timer_create(CLOCK_MONOTONIC, &ks, &id) == 0, "create with sigevent");
	struct itimerspec it;
	its(&it, MS, 0);
	k_timer_settime(id, 0, &it, NULL);
	siginfo_t si;
	int r = sigwaitinfo(&set, &si);
	printf("sigevent: sig %d code %d value %d timerid ok %d\n", r, si.si_code,
	       si.si_value.sival_int, si.si_timerid == id);
	int sfd = signalfd(-1, &set, SFD_NONBLOCK);
	kill(getpid(), SIGUSR1);
	struct signalfd_siginfo ssi;
	long n = read(sfd, &ssi, sizeof ssi);
	printf("signalfd: %ld bytes, signo %u\n", n, ssi.ssi_signo);
	close(sfd);
}

/* -- spec: settime/gettime with given values (tests/test_timers.py generates
   them): OP is K:FLAGS:ISEC:INSEC:VSEC:VNSEC, K t (SIGEV_NONE timer),
   s (SIGEV_SIGNAL timer, signal blocked) or f (timerfd) ------------------ */

static void show_spec(const char *what, long r, int err, struct itimerspec *v)
{
	if (r < 0)
		printf("  %s -> %s\n", what, strerror(err));
	else
		printf("  %s -> value %s interval %lld.%09ld\n", what,
		       ns_of(v->it_value) ? "set" : "zero",
		       (long long)v->it_interval.tv_sec, (long)v->it_interval.tv_nsec);
}

static void spec(int n, char **ops)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	struct ksigevent ks;
	memset(&ks, 0, sizeof ks);
	ks.notify = SIGEV_NONE;
	int none, sig;
	k_timer_create(CLOCK_MONOTONIC, &ks, &none);
	ks.notify = SIGEV_SIGNAL;
	ks.signo = SIGUSR1;
	k_timer_create(CLOCK_MONOTONIC, &ks, &sig);
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	for (int i = 0; i < n; i++) {
		char k;
		int flags;
		long long isec, insec, vsec, vnsec;
		if (sscanf(ops[i], "%c:%d:%lld:%lld:%lld:%lld", &k, &flags, &isec, &insec,
			   &vsec, &vnsec) != 6)
			continue;
		struct itimerspec it, old, cur;
		memset(&old, 0, sizeof old);
		memset(&cur, 0, sizeof cur);
		it.it_interval.tv_sec = isec;
		it.it_interval.tv_nsec = insec;
		it.it_value.tv_sec = vsec;
		it.it_value.tv_nsec = vnsec;
		long r, g;
		int e;
		errno = 0;
		if (k == 'f') {
			r = syscall(SYS_timerfd_settime, fd, flags, &it, &old);
			e = errno;
			g = syscall(SYS_timerfd_gettime, fd, &cur);
		} else {
			int id = k == 't' ? none : sig;
			r = k_timer_settime(id, flags, &it, &old);
			e = errno;
			g = k_timer_gettime(id, &cur);
		}
		printf("%s\n", ops[i]);
		show_spec("settime", r, e, &old);
		show_spec("gettime", g, errno, &cur);
	}
	sigset_t pend;
	sigpending(&pend);
	printf("signal pending %d\n", sigismember(&pend, SIGUSR1));
	close(fd);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "posix";
	if (!strcmp(mode, "after-exec")) {
		after_exec(atoi(argv[2]));
		return 0;
	}
	test_as_child();
	if (!strcmp(mode, "posix"))
		posix();
	else if (!strcmp(mode, "overrun"))
		overrun();
	else if (!strcmp(mode, "thread"))
		thread();
	else if (!strcmp(mode, "timerfd"))
		timerfd();
	else if (!strcmp(mode, "signalfd"))
		signalfd_test();
	else if (!strcmp(mode, "errors"))
		errors();
	else if (!strcmp(mode, "exec"))
		exec_mode(argv[2]);
	else if (!strcmp(mode, "compat32"))
		compat32();
	else if (!strcmp(mode, "spec"))
		spec(argc - 2, argv + 2);
	fflush(stdout);
	return 0;
}
