/* wallclock: the guest's own CLOCK_REALTIME - set it and watch everything
 * that reads the wall clock follow (tests/test_wallclock.py).  It sets the
 * clock, so it runs as pyuml's init only, never natively. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT_BITSET 9
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_MATCH_ANY 0xffffffff
#define T0 946697145L           /* 2000-01-01 03:25:45 UTC */

static void check(int cond, const char *what)
{
	printf("%s %s\n", cond ? "ok" : "FAIL", what);
}

static int near(long got, long want)
{
	return got >= want && got < want + 5;
}

static long now_sec(void)
{
	struct timespec ts;
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

static void set_sec(long sec)
{
	struct timespec ts = { sec, 0 };
	if (clock_settime(CLOCK_REALTIME, &ts))
		printf("FAIL clock_settime: %d\n", errno);
}

/* a child that sleeps until a wall-clock time an hour on, woken by the
 * parent setting the clock past it */
enum { NANOSLEEP, FUTEX, MQUEUE };

static void sleeps_until_clock_set(int how, const char *what)
{
	long start = now_sec();
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec until = { start + 3600, 0 };
		alarm(20);              /* not woken: SIGALRM fails the check */
		if (how == MQUEUE) {
			struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = 8 };
			char msg[8];
			mqd_t q = mq_open("/wallclock", O_CREAT | O_RDWR, 0600, &attr);
			ssize_t r = mq_timedreceive(q, msg, sizeof(msg), NULL, &until);
			_exit(r == -1 && errno == ETIMEDOUT ? 0 : 1);
		}
		if (how == FUTEX) {
			uint32_t word = 0;
			long r = syscall(SYS_futex, &word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME,
					 0, &until, NULL, FUTEX_BITSET_MATCH_ANY);
			_exit(r == -1 && errno == ETIMEDOUT ? 0 : 1);
		}
		_exit(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL));
	}
	usleep(300000);
	set_sec(start + 7200);
	int status;
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, what);
}

/* adjtimex: Linux's validation, clamping and units, and its two clock
 * changes: ADJ_SETOFFSET and ADJ_TAI */
static void adjtimex_checks(void)
{
	struct timex tx = { 0 };
	struct timespec rt, tai;

	check(adjtimex(&tx) == TIME_ERROR && tx.status & STA_UNSYNC, "adjtimex: unsynchronised");
	check(tx.tick == 10000 && tx.tolerance == 32768000 && tx.precision == 1,
	      "adjtimex: tick, tolerance, precision");
	tx.modes = ADJ_TICK;
	tx.tick = 8999;
	check(adjtimex(&tx) == -1 && errno == EINVAL, "adjtimex: a tick 10% off: EINVAL");
	tx.modes = 0x8000;
	check(adjtimex(&tx) == -1 && errno == EINVAL, "adjtimex: ADJ_ADJTIME alone: EINVAL");
	tx.modes = ADJ_FREQUENCY | ADJ_MAXERROR | ADJ_STATUS | ADJ_TIMECONST;
	tx.freq = 100 << 16;
	tx.maxerror = 1 << 30;
	tx.status = STA_PLL;
	tx.constant = 3;
	check(adjtimex(&tx) == TIME_OK && tx.freq == 100 << 16 && tx.maxerror == 16000000 &&
	      tx.status == STA_PLL && tx.constant == 7, "adjtimex: set, clamped, read back");
	tx.modes = ADJ_FREQUENCY;
	tx.freq = 1000 << 16;
	adjtimex(&tx);
	check(tx.freq == 500 << 16, "adjtimex: the frequency is clamped to 500 ppm");
	tx.modes = ADJ_TAI;
	tx.constant = 37;
	adjtimex(&tx);
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_TAI, &tai);
	check(tx.tai == 37 && tai.tv_sec - rt.tv_sec >= 36 && tai.tv_sec - rt.tv_sec <= 37,
	      "adjtimex: ADJ_TAI moves CLOCK_TAI");
	long before = now_sec();
	tx.modes = ADJ_SETOFFSET | ADJ_NANO;
	tx.time.tv_sec = 100;
	tx.time.tv_usec = 0;
	check(adjtimex(&tx) >= 0 && near(now_sec(), before + 100), "adjtimex: ADJ_SETOFFSET");
	tx.modes = ADJ_MICRO;
	adjtimex(&tx);
	check(!(tx.status & STA_NANO), "adjtimex: ADJ_MICRO");
	tx.modes = ADJ_STATUS;
	tx.status = 0;
	adjtimex(&tx);
}

/* STA_INS: 23:59:59 UTC comes twice, TAI moves one second on */
static void leap_second(void)
{
	struct timex tx = { 0 };
	long midnight = (now_sec() / 86400 + 1) * 86400;
	int seen_ins = 0, seen_oop = 0, state;

	set_sec(midnight - 2);
	tx.modes = ADJ_STATUS;
	tx.status = STA_INS;
	adjtimex(&tx);
	long tai0 = tx.tai;
	for (int i = 0; i < 40; i++) {
		tx.modes = 0;
		state = adjtimex(&tx);
		seen_ins |= state == TIME_INS;
		seen_oop |= state == TIME_OOP;
		if (tx.time.tv_sec >= midnight + 1)
			break;
		usleep(200000);
	}
	check(seen_ins && seen_oop && state == TIME_WAIT && tx.tai == tai0 + 1,
	      "a leap second: TIME_INS, TIME_OOP, TIME_WAIT, TAI + 1");
	long late = now_sec() - midnight;       /* about 2 s have gone by, 1 of them repeated */
	check(late >= 0 && late <= 2, "the leap second is repeated");
	tx.modes = ADJ_STATUS;
	tx.status = 0;
	check(adjtimex(&tx) == TIME_WAIT, "STA_INS cleared: TIME_WAIT");
	tx.modes = 0;
	usleep(1100000);
	check(adjtimex(&tx) == TIME_OK, "then TIME_OK");
}

int main(void)
{
	struct timeval tv = { T0, 500000 };
	struct timespec ts;
	struct stat st;
	pid_t pid;
	int status;

	if (getpid() != 1) {
		printf("refusing to set the host's clock: run me as pyuml's init\n");
		return 1;
	}
	check(settimeofday(&tv, NULL) == 0, "settimeofday");
	clock_gettime(CLOCK_REALTIME, &ts);            /* the vDSO's */
	check(near(ts.tv_sec, T0), "clock_gettime(CLOCK_REALTIME) follows");
	check(near(now_sec(), T0), "the clock_gettime system call follows");
	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	check(near(ts.tv_sec, T0 - 1), "CLOCK_REALTIME_COARSE follows");
	clock_gettime(CLOCK_TAI, &ts);
	check(near(ts.tv_sec, T0), "CLOCK_TAI follows");
	gettimeofday(&tv, NULL);
	check(near(tv.tv_sec, T0), "gettimeofday follows");
	check(near(time(NULL), T0), "time follows");
	int fd = open("/stamp", O_CREAT | O_WRONLY, 0644);
	fstat(fd, &st);
	close(fd);
	check(near(st.st_mtime, T0), "a new file's mtime follows");

	ts.tv_sec = T0 + 1000;
	ts.tv_nsec = 0;
	check(clock_settime(CLOCK_REALTIME, &ts) == 0 && near(time(NULL), T0 + 1000),
	      "clock_settime(CLOCK_REALTIME)");
	ts.tv_nsec = 1000000000;
	check(clock_settime(CLOCK_REALTIME, &ts) == -1 && errno == EINVAL, "a bad tv_nsec: EINVAL");
	ts.tv_nsec = 0;
	check(clock_settime(CLOCK_MONOTONIC, &ts) == -1 && errno == EINVAL, "CLOCK_MONOTONIC: EINVAL");
	struct timeval before_boot = { 1, 0 };      /* CLOCK_MONOTONIC is later */
	check(settimeofday(&before_boot, NULL) == -1 && errno == EINVAL, "a time before boot: EINVAL");
#ifdef SYS_stime
	long sec = T0 + 2000;
	check(syscall(SYS_stime, &sec) == 0 && near(time(NULL), T0 + 2000), "stime");
#endif

	/* timerfd: TFD_TIMER_CANCEL_ON_SET sees the clock set, once */
	int tfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	struct itimerspec its = { { 0, 0 }, { now_sec() + 3600, 0 } };
	timerfd_settime(tfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL);
	uint64_t ticks;
	check(read(tfd, &ticks, 8) == -1 && errno == EAGAIN, "timerfd: not yet");
	set_sec(now_sec() + 10);
	check(read(tfd, &ticks, 8) == -1 && errno == ECANCELED, "timerfd: ECANCELED when the clock is set");
	check(read(tfd, &ticks, 8) == -1 && errno == EAGAIN, "timerfd: ECANCELED once");
	close(tfd);

	/* an absolute timer moves with the clock; a relative one keeps its wait */
	timer_t abs_timer, rel_timer;
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	timer_create(CLOCK_REALTIME, &sev, &abs_timer);
	timer_create(CLOCK_REALTIME, &sev, &rel_timer);
	its.it_value.tv_sec = now_sec() + 3600;
	timer_settime(abs_timer, TIMER_ABSTIME, &its, NULL);
	its.it_value.tv_sec = 3600;
	timer_settime(rel_timer, 0, &its, NULL);
	set_sec(now_sec() + 3000);
	timer_gettime(abs_timer, &its);
	check(its.it_value.tv_sec > 590 && its.it_value.tv_sec <= 600, "an absolute CLOCK_REALTIME timer");
	timer_gettime(rel_timer, &its);
	check(its.it_value.tv_sec > 3590 && its.it_value.tv_sec <= 3600, "a relative CLOCK_REALTIME timer");

	sleeps_until_clock_set(NANOSLEEP, "clock_nanosleep(TIMER_ABSTIME) wakes when the clock passes it");
	sleeps_until_clock_set(FUTEX, "FUTEX_CLOCK_REALTIME times out when the clock passes it");
	sleeps_until_clock_set(MQUEUE, "mq_timedreceive times out when the clock passes it");

	/* a relative CLOCK_REALTIME sleep is a wait: setting the clock back
	 * does not stretch it */
	pid = fork();
	if (pid == 0) {
		struct timespec wait = { 1, 0 }, begin, end;
		clock_gettime(CLOCK_MONOTONIC, &begin);
		clock_nanosleep(CLOCK_REALTIME, 0, &wait, NULL);
		clock_gettime(CLOCK_MONOTONIC, &end);
		_exit(end.tv_sec - begin.tv_sec < 3 ? 0 : 1);
	}
	usleep(300000);
	set_sec(now_sec() - 3600);
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a relative clock_nanosleep keeps its length");

	adjtimex_checks();
	leap_second();

	/* only CAP_SYS_TIME sets it */
	pid = fork();
	if (pid == 0) {
		setuid(1000);
		tv.tv_sec = T0;
		ts.tv_sec = T0;
		struct timex tx = { .modes = ADJ_MAXERROR };
		_exit(!(settimeofday(&tv, NULL) == -1 && errno == EPERM &&
			clock_settime(CLOCK_REALTIME, &ts) == -1 && errno == EPERM &&
			adjtimex(&tx) == -1 && errno == EPERM));
	}
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "unprivileged: EPERM");
	return 0;
}
