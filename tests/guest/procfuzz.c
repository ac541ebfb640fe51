/*
 * procfuzz: the process, signal, futex, time, limit and pipe system calls,
 * POSIX timers, timerfd and signalfd
 * with random arguments: valid, invalid, and hostile pointers, odd flags,
 * out-of-range numbers.  procfuzz SEED CALLS
 *
 * Whatever the arguments, the kernel must answer with a result or an
 * errno (tests/test_robustness_procs.py checks its log for oopses).  The
 * calls run in a child that is replaced when one of them kills it (a
 * signal with its default action, a bogus rt_sigreturn...).  Calls that
 * could block for good get short timeouts or WNOHANG; an alarm breaks any
 * other wait.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t state;

static uint64_t rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static unsigned char buf[8192] __attribute__((aligned(64)));

static long arg(void)
{
	switch (rnd() % 14) {
	case 0: return 0;
	case 1: return -1;
	case 2: return rnd() % 70;
	case 3: return (long)buf;
	case 4: return (long)(buf + 1 + rnd() % 64);
	case 5: return 8;
	case 6: return (long)0xffffffff81000000UL;
	case 7: return (long)0x7f8000001000UL;                 /* the stub */
	case 8: return (long)0x7ffffffff000UL;
	case 9: return (long)rnd();
	case 10: return (long)(buf + 4096);
	case 11: return getpid();
	case 12: return 1L << (rnd() % 63);
	default: return rnd() % 4096;
	}
}

/* a signal the fuzzer may send itself: never one that stops it (its
 * parent does not wait for stops) */
static long sendable(long sig)
{
	sig = (unsigned long)sig % 65;
	if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
		return 0;
	return sig;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static const long calls[] = {
	SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigpending, SYS_rt_sigtimedwait,
	SYS_rt_sigqueueinfo, SYS_rt_tgsigqueueinfo, SYS_tgkill, SYS_tkill, SYS_kill,
	SYS_sigaltstack, SYS_futex, SYS_wait4, SYS_waitid, SYS_setpgid, SYS_getpgid,
	SYS_getsid, SYS_setsid, SYS_prlimit64, SYS_getrlimit, SYS_setrlimit, SYS_getitimer,
	SYS_setitimer, SYS_alarm, SYS_clock_gettime, SYS_clock_getres, SYS_clock_nanosleep,
	SYS_nanosleep, SYS_times, SYS_getrusage, SYS_sched_yield, SYS_pipe2, SYS_pipe,
	SYS_set_robust_list, SYS_get_robust_list, SYS_set_tid_address, SYS_getppid,
	SYS_clone3, SYS_restart_syscall, SYS_time, SYS_gettimeofday,
	SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_futex, SYS_futex, SYS_rt_sigtimedwait,
	SYS_timer_create, SYS_timer_settime, SYS_timer_gettime, SYS_timer_getoverrun,
	SYS_timer_delete, SYS_timer_create, SYS_timer_settime, SYS_timerfd_create,
	SYS_timerfd_settime, SYS_timerfd_gettime, SYS_signalfd4, SYS_signalfd, SYS_read,
	SYS_read,
};

/* a sigevent or signalfd mask pointer: the scratch buffer (its signal made
   sendable), or nothing, or a bad address */
static long sev_ptr(void)
{
	static const long bad[] = { 0, 8, (long)0xffffffff81000000UL };
	if (rnd() % 4)
		return (long)buf;
	return bad[rnd() % 3];
}

static void fuzz(long n)
{
	/* survive the signals we send ourselves, mostly */
	for (int s = 1; s < 65; s++)
		if (s != SIGKILL && s != SIGSTOP && s != SIGSEGV && s != SIGBUS)
			signal(s, on_alarm);
	for (long i = 0; i < n; i++) {
		long nr = calls[rnd() % (sizeof calls / sizeof *calls)];
		long a[6];
		for (int j = 0; j < 6; j++)
			a[j] = arg();
		for (size_t j = 0; j < sizeof buf; j += 8)
			*(uint64_t *)(buf + j) = rnd() % 3 ? 0 : rnd();
		switch (nr) {
		case SYS_kill:
		case SYS_tgkill:
		case SYS_tkill:
			/* only ourselves, and never SIGKILL/SIGSTOP's flood */
			a[0] = getpid();
			if (nr == SYS_tgkill) {
				a[1] = getpid();
				a[2] = sendable(a[2]);
			} else {
				a[1] = sendable(a[1]);
			}
			break;
		case SYS_rt_sigqueueinfo:
		case SYS_rt_tgsigqueueinfo:
			a[0] = getpid();
			if (nr == SYS_rt_tgsigqueueinfo) {
				a[1] = getpid();
				a[2] = sendable(a[2]);
			} else {
				a[1] = sendable(a[1]);
			}
			break;
		case SYS_rt_sigtimedwait:
		case SYS_clock_nanosleep:
		case SYS_nanosleep: {
			struct timespec *ts = (void *)(buf + 2048);
			ts->tv_sec = 0;
			ts->tv_nsec = rnd() % 2000000;
			a[nr == SYS_nanosleep ? 0 : 2] = (long)ts;
			if (nr == SYS_clock_nanosleep)
				a[1] &= 1;
			break;
		}
		case SYS_futex: {
			struct timespec *ts = (void *)(buf + 2048);
			ts->tv_sec = 0;
			ts->tv_nsec = rnd() % 2000000;
			a[1] = rnd() % 14 | (rnd() % 2 ? 128 : 0) | (rnd() % 4 ? 0 : 256);
			/* a wait always has a timeout; other ops take a count */
			if ((a[1] & 127) == 0 || (a[1] & 127) == 9 || (a[1] & 127) == 11)
				a[3] = (long)ts;
			break;
		}
		case SYS_wait4:
			a[2] |= WNOHANG;
			break;
		case SYS_waitid:
			a[3] |= WNOHANG;
			break;
		case SYS_setitimer:
			memset(buf, 0, 32);
			((long *)buf)[3] = rnd() % 50000;
			a[1] = (long)buf;
			break;
		case SYS_alarm:
			a[0] = rnd() % 2;
			break;
		case SYS_setrlimit:
		case SYS_prlimit64:
			/* no limits that would stop the fuzzer itself */
			a[0] = nr == SYS_prlimit64 ? 0 : a[0];
			a[nr == SYS_prlimit64 ? 2 : 1] = 0;
			break;
		case SYS_timer_create:
			if (rnd() % 3)
				a[0] = rnd() % 12;
			a[1] = sev_ptr();
			((int *)buf)[2] = sendable(((int *)buf)[2]);   /* sigev_signo */
			if (rnd() % 2)
				((int *)buf)[3] = rnd() % 6;           /* sigev_notify */
			if (rnd() % 2)
				((int *)buf)[4] = getpid();            /* the thread id */
			if (rnd() % 4)
				a[2] = (long)(buf + 4096);
			break;
		case SYS_timer_settime:
		case SYS_timer_gettime:
		case SYS_timer_getoverrun:
		case SYS_timer_delete:
			if (rnd() % 4)
				a[0] = rnd() % 4;
			if (nr == SYS_timer_settime && rnd() % 3) {
				long *its = (long *)(buf + 1024);
				its[0] = rnd() % 2;                    /* interval */
				its[1] = rnd() % 3 ? rnd() % 3000000 : (long)rnd();
				its[2] = rnd() % 2;                    /* value */
				its[3] = rnd() % 3 ? rnd() % 3000000 : (long)rnd();
				a[2] = (long)its;
			}
			break;
		case SYS_timerfd_create:
			if (rnd() % 3)
				a[0] = rnd() % 12;
			a[1] = 04000 | (rnd() % 2 ? 02000000 : 0);    /* never blocking */
			break;
		case SYS_timerfd_settime:
		case SYS_timerfd_gettime:
			a[0] = 3 + rnd() % 8;
			if (nr == SYS_timerfd_settime && rnd() % 3) {
				long *its = (long *)(buf + 1024);
				its[0] = 0;
				its[1] = rnd() % 3000000;
				its[2] = rnd() % 2;
				its[3] = rnd() % 3 ? rnd() % 3000000 : (long)rnd();
				a[2] = (long)its;
			}
			break;
		case SYS_signalfd:
		case SYS_signalfd4:
			a[0] = rnd() % 2 ? -1 : 3 + rnd() % 8;
			a[1] = sev_ptr();
			if (rnd() % 4)
				a[2] = 8;
			a[3] = 04000 | (rnd() % 2 ? 02000000 : 0);
			if (nr == SYS_signalfd && a[0] == -1)
				nr = SYS_signalfd4;     /* a new one must not block */
			break;
		case SYS_read:
			/* only the timerfds and signalfds: fds 3 and up (pipes are
			   closed as soon as they are made) */
			a[0] = 3 + rnd() % 8;
			if (rnd() % 4)
				a[1] = (long)buf;
			a[2] = rnd() % 400;
			break;
		case SYS_clone3:
			a[0] = (long)buf;
			memset(buf, 0, 88);
			((uint64_t *)buf)[0] = rnd() & ~0x10000UL & ~0x100UL;  /* no threads */
			((uint64_t *)buf)[4] = rnd() % 80;
			a[1] = rnd() % 2 ? 64 : a[1];
			break;
		}
		if (rnd() % 400 == 0)
			nr = SYS_rt_sigreturn;  /* rarely: it usually ends the child */
		alarm(1);
		long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		alarm(0);
		if (nr == SYS_clone3 && r == 0)
			_exit(0);               /* a fuzzed child: gone at once */
		if (nr == SYS_pipe2 || nr == SYS_pipe || rnd() % 40 == 0) {
			for (int fd = 3; fd < 64; fd++)
				close(fd);
		}
	}
}

int main(int argc, char **argv)
{
	state = argc > 1 ? strtoull(argv[1], 0, 0) | 1 : 1;
	long total = argc > 2 ? atol(argv[2]) : 2000;
	long done = 0;
	int children = 0, killed = 0;
	while (done < total) {
		long n = 200;
		uint64_t seed = rnd();
		fflush(stdout);
		pid_t c = fork();
		if (c == 0) {
			state = seed | 1;
			fuzz(n);
			_exit(0);
		}
		int st;
		while (waitpid(c, &st, 0) < 0)
			;
		/* reap anything its clone3 calls left */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		children++;
		killed += WIFSIGNALED(st);
		done += n;
	}
	printf("fuzzed %ld calls in %d children (%d killed by a signal)\n", done, children, killed);
	return 0;
}
