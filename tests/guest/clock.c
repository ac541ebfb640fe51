/*
 * clock: time and scheduling.  clock MODE:
 *   clocks    clock_gettime/getres on every clock, gettimeofday, time, errors
 *   sleep     nanosleep and clock_nanosleep (relative, absolute) sleep at
 *             least as long as asked; bad arguments
 *   alarm     alarm(2): the remaining seconds, SIGALRM, its default action
 *   itimer    setitimer/getitimer: ITIMER_REAL periodic, ITIMER_VIRTUAL and
 *             ITIMER_PROF charged by running
 *   usage     times(), getrusage, CPU-time clocks, sched_yield
 *   preempt   two busy loops both progress while an interactive process
 *             keeps doing pipe round trips
 */
#include "procs.h"
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>

static long long ns(struct timespec ts)
{
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long now(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return ns(ts);
}

static void burn(long long nsec)
{
	long long end = now(CLOCK_THREAD_CPUTIME_ID) + nsec;
	volatile unsigned long x = 0;
	while (now(CLOCK_THREAD_CPUTIME_ID) < end)
		for (int i = 0; i < 10000; i++)
			x += i;
}

static void clocks(void)
{
	clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
			   CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
			   CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME};
	for (unsigned i = 0; i < sizeof ids / sizeof *ids; i++) {
		struct timespec a, b, res;
		int r1 = clock_gettime(ids[i], &a);
		burn(1000000);
		int r2 = clock_gettime(ids[i], &b);
		int r3 = clock_getres(ids[i], &res);
		printf("clock %d: ok %d %d, advances %d, not backwards %d, res %ld ns\n", ids[i],
		       r1 == 0, r2 == 0, ns(b) > ns(a) || ids[i] == CLOCK_REALTIME_COARSE ||
		       ids[i] == CLOCK_MONOTONIC_COARSE, ns(b) >= ns(a), (long)(r3 ? -1 : res.tv_nsec));
	}
	struct timespec ts;
	SHOW(syscall(SYS_clock_gettime, 99, &ts));
	SHOW(syscall(SYS_clock_gettime, -1, &ts));
	SHOW(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)8));
	SHOW(syscall(SYS_clock_getres, 99, &ts));
	SHOW(syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
	SHOW(syscall(SYS_clock_settime, CLOCK_MONOTONIC, &ts));
	/* realtime agrees with gettimeofday and time */
	struct timeval tv;
	syscall(SYS_gettimeofday, &tv, NULL);
	long long rt = now(CLOCK_REALTIME);
	long t = syscall(SYS_time, NULL);
	printf("gettimeofday ~ realtime %d, time ~ realtime %d\n",
	       llabs(rt - (tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL)) < 1000000000LL,
	       labs(t - rt / 1000000000LL) <= 1);
	time_t tt = 0;
	long r = syscall(SYS_time, &tt);
	printf("time(&t) stores it %d\n", r == tt);
	SHOW(syscall(SYS_time, (void *)8));
	/* the monotonic clock is monotonic across many reads */
	long long prev = now(CLOCK_MONOTONIC), bad = 0;
	for (int i = 0; i < 2000; i++) {
		long long n = now(CLOCK_MONOTONIC);
		bad += n < prev;
		prev = n;
	}
	printf("monotonic went backwards %lld times\n", bad);
}

static void sleeps(void)
{
	struct timespec req = {0, 30000000}, rem;
	long long t0 = now(CLOCK_MONOTONIC);
	SHOW(nanosleep(&req, &rem));
	printf("slept at least 30 ms %d\n", now(CLOCK_MONOTONIC) - t0 >= 30000000);
	struct timespec bad = {0, 1000000000};
	SHOW(nanosleep(&bad, NULL));
	struct timespec neg = {-1, 0};
	SHOW(nanosleep(&neg, NULL));
	SHOW(nanosleep((void *)8, NULL));
	struct timespec zero = {0, 0};
	SHOW(nanosleep(&zero, NULL));
	t0 = now(CLOCK_MONOTONIC);
	SHOW(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL));
	printf("clock_nanosleep relative >= 30 ms %d\n", now(CLOCK_MONOTONIC) - t0 >= 30000000);
	struct timespec abs;
	clock_gettime(CLOCK_REALTIME, &abs);
	abs.tv_nsec += 40000000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	SHOW(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &abs, NULL));
	printf("woke after the absolute time %d\n", now(CLOCK_REALTIME) >= ns(abs));
	struct timespec past = {1, 0};
	SHOW(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));
	SHOW(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL));
	SHOW(syscall(SYS_clock_nanosleep, 99, 0, &req, NULL));
	SHOW(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad, NULL));
	/* other processes run while one sleeps */
	int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		for (int i = 0; i < 100; i++) {
			(*shared)++;
			sched_yield();
		}
		_exit(0);
	}
	struct timespec s20 = {0, 20000000};
	for (int i = 0; i < 500 && *shared != 100; i++)
		nanosleep(&s20, NULL);
	printf("the child ran while we slept: %d\n", *shared == 100);
	wait_describe("child", c);
}

static volatile int alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void do_alarm(void)
{
	signal(SIGALRM, on_alarm);
	SHOW(alarm(5));
	SHOW(alarm(3));
	SHOW(alarm(0));
	SHOW(alarm(0));
	alarm(1);
	long long t0 = now(CLOCK_MONOTONIC);
	while (!alarms)
		pause();
	printf("SIGALRM after >= 1 s: %d\n", now(CLOCK_MONOTONIC) - t0 >= 900000000);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		signal(SIGALRM, SIG_DFL);
		alarm(1);
		pause();
		_exit(0);
	}
	wait_describe("default SIGALRM", c);
	/* alarm is per process and not inherited */
	alarm(10);
	if ((c = fork()) == 0) {
		_exit(alarm(0));
	}
	wait_describe("child's pending alarm", c);
	alarm(0);
}

static void itimer(void)
{
	struct itimerval it = {{0, 20000}, {0, 20000}}, old, cur;
	signal(SIGALRM, on_alarm);
	SHOW(setitimer(ITIMER_REAL, &it, &old));
	printf("old was disarmed %d\n", old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0);
	getitimer(ITIMER_REAL, &cur);
	printf("getitimer: interval %ld us, value in (0, 20ms] %d\n", (long)cur.it_interval.tv_usec,
	       cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 20000);
	while (alarms < 5)
		pause();
	struct itimerval off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &off, &old);
	printf("5 periodic SIGALRMs; old interval %ld\n", (long)old.it_interval.tv_usec);
	struct itimerval bad = {{0, 0}, {0, 1000000}};
	SHOW(setitimer(ITIMER_REAL, &bad, NULL));
	SHOW(setitimer(7, &it, NULL));
	SHOW(getitimer(7, &cur));
	SHOW(syscall(SYS_getitimer, ITIMER_REAL, (void *)8));
	/* virtual and profiling timers count CPU time */
	static volatile int vt, pr;
	signal(SIGVTALRM, on_alarm);
	alarms = 0;
	struct itimerval v = {{0, 0}, {0, 50000}};
	setitimer(ITIMER_VIRTUAL, &v, NULL);
	while (!alarms)
		burn(1000000);
	vt = alarms;
	signal(SIGPROF, on_alarm);
	alarms = 0;
	setitimer(ITIMER_PROF, &v, NULL);
	while (!alarms)
		burn(1000000);
	pr = alarms;
	printf("ITIMER_VIRTUAL fired %d, ITIMER_PROF fired %d\n", vt, pr);
	getitimer(ITIMER_VIRTUAL, &cur);
	printf("one-shot virtual timer now disarmed %d\n", cur.it_value.tv_usec == 0 && cur.it_value.tv_sec == 0);
	/* sleeping does not run the virtual timer */
	alarms = 0;
	setitimer(ITIMER_VIRTUAL, &v, NULL);
	usleep(200000);
	printf("virtual timer while sleeping: %d fired\n", alarms);
	setitimer(ITIMER_VIRTUAL, &off, NULL);
}

static void usage(void)
{
	struct tms t0, t1;
	clock_t c0 = times(&t0);
	burn(200000000);
	clock_t c1 = times(&t1);
	printf("times: return advances %d, utime+stime grew %d\n", c1 > c0,
	       t1.tms_utime + t1.tms_stime > t0.tms_utime + t0.tms_stime);
	struct rusage ru;
	SHOW(getrusage(RUSAGE_SELF, &ru));
	printf("rusage self CPU >= 0.1 s %d\n",
	       ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6 >= 0.1);
	SHOW(getrusage(RUSAGE_CHILDREN, &ru));
	printf("no children yet: %d\n", ru.ru_utime.tv_sec == 0 && ru.ru_utime.tv_usec < 50000);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		burn(200000000);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("after a busy child: children CPU >= 0.1 s %d\n",
	       ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6 >= 0.1);
	struct tms t2;
	times(&t2);
	printf("times: children's time %d\n", t2.tms_cutime + t2.tms_cstime >= 10);
	SHOW(getrusage(5, &ru));
	SHOW(getrusage(RUSAGE_SELF, (void *)8));
	SHOW(sched_yield());
	/* a yield beside a task that never sleeps steps aside once, then
	 * comes back (it does not wait for the spinner to finish) */
	fflush(stdout);
	pid_t spinner = fork();
	if (spinner == 0)
		for (volatile long n = 0;; n++)
			;
	for (int i = 0; i < 3; i++)
		sched_yield();
	kill(spinner, SIGKILL);
	wait_describe("the spinner beside sched_yield", spinner);
	clockid_t cid;
	clock_getcpuclockid(getpid(), &cid);
	long long p = now(cid), self = now(CLOCK_PROCESS_CPUTIME_ID);
	printf("process CPU clock by id agrees %d\n", llabs(p - self) < 50000000);
}

static void busy(volatile long *counter)
{
	for (;;)
		(*counter)++;
}

static void preempt(void)
{
	volatile long *ctr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fflush(stdout);
	pid_t a = fork();
	if (a == 0)
		busy(&ctr[0]);
	pid_t b = fork();
	if (b == 0)
		busy(&ctr[1]);
	/* an interactive partner: 50 round trips through pipes */
	int p[2], q[2];
	pipe(p);
	pipe(q);
	pid_t e = fork();
	if (e == 0) {
		char x;
		close(p[1]);
		close(q[0]);
		while (read(p[0], &x, 1) == 1)
			write(q[1], &x, 1);
		_exit(0);
	}
	for (int i = 0; i < 50; i++) {
		char x = 'a';
		write(p[1], &x, 1);
		read(q[0], &x, 1);
	}
	close(p[1]);
	long a1 = ctr[0], b1 = ctr[1];
	usleep(300000);
	long a2 = ctr[0], b2 = ctr[1];
	printf("50 round trips done beside two busy loops\n");
	printf("both busy loops progressed %d %d\n", a2 > a1, b2 > b1);
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	wait_describe("busy a", a);
	wait_describe("busy b", b);
	wait_describe("echo", e);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "clocks";
	test_as_child();
	if (!strcmp(mode, "clocks"))
		clocks();
	else if (!strcmp(mode, "sleep"))
		sleeps();
	else if (!strcmp(mode, "alarm"))
		do_alarm();
	else if (!strcmp(mode, "itimer"))
		itimer();
	else if (!strcmp(mode, "usage"))
		usage();
	else if (!strcmp(mode, "preempt"))
		preempt();
	fflush(stdout);
	return 0;
}
