/*
 * signal: signal delivery.  signal MODE:
 *   info      SA_SIGINFO: what kill, raise/tgkill, sigqueue, rt_sigqueueinfo
 *             and a child's death put in siginfo
 *   flags     SA_NODEFER, SA_RESETHAND, sa_mask, the mask in ucontext
 *   mask      sigprocmask, sigpending, order of delivery, RT queueing,
 *             SIGKILL/SIGSTOP cannot be caught or blocked
 *   wait      sigsuspend, pause, sigtimedwait, sigwaitinfo
 *   restart   EINTR or restart: nanosleep, wait4, pause, read, with and
 *             without SA_RESTART
 *   default   default actions: terminate, ignore, stop/continue
 *   errors    bad arguments
 */
#include "procs.h"
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>

static volatile int hits;
static siginfo_t last;
static sigset_t mask_in_handler;
static sigset_t uc_mask;

static void on_info(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig;
	hits++;
	last = *si;
	sigprocmask(SIG_BLOCK, NULL, &mask_in_handler);
	uc_mask = uc->uc_sigmask;
}

static void install(int sig, int flags, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigaction(sig, &sa, NULL);
}

static void show_info(const char *what)
{
	printf("%s: hits %d signo %d code %d pid-is-me %d uid %d value %d\n", what, hits,
	       last.si_signo, last.si_code, last.si_pid == getpid(), last.si_uid,
	       last.si_value.sival_int);
	hits = 0;
}

static void info(void)
{
	install(SIGUSR1, 0, on_info);
	install(SIGRTMIN + 2, 0, on_info);
	kill(getpid(), SIGUSR1);
	show_info("kill");
	raise(SIGUSR1);
	show_info("raise");
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
	show_info("tgkill");
	union sigval v = {.sival_int = 1234};
	sigqueue(getpid(), SIGRTMIN + 2, v);
	show_info("sigqueue");
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_code = -60;
	si.si_value.sival_int = 77;
	si.si_pid = 4242;
	SHOW(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));
	printf("rt_sigqueueinfo: code %d value %d pid %d\n", last.si_code,
	       last.si_value.sival_int, last.si_pid);
	hits = 0;
	/* to another process, a non-negative code is refused */
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	si.si_code = 0;
	SHOW(syscall(SYS_rt_sigqueueinfo, c, SIGUSR1, &si));
	si.si_code = SI_TKILL;
	SHOW(syscall(SYS_rt_sigqueueinfo, c, SIGUSR1, &si));
	SHOW(syscall(SYS_rt_tgsigqueueinfo, c, c, SIGUSR1, &si));
	si.si_code = -60;
	SHOW(syscall(SYS_rt_sigqueueinfo, c, SIGTERM, &si));
	wait_describe("child", c);
	SHOW(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, (void *)16));
	/* SIGCHLD */
	install(SIGCHLD, 0, on_info);
	fflush(stdout);
	if ((c = fork()) == 0)
		_exit(5);
	while (!hits)
		pause();
	printf("SIGCHLD code %d status %d pid-is-child %d\n", last.si_code, last.si_status,
	       last.si_pid == c);
	hits = 0;
	waitpid(c, NULL, 0);
	signal(SIGCHLD, SIG_DFL);
}

static volatile int depth, max_depth, calls;

static void on_nest(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (++calls < 3)
		raise(sig);
	depth--;
}

static int is_member(const sigset_t *s, int sig)
{
	return sigismember(s, sig) == 1;
}

static void flags(void)
{
	/* without SA_NODEFER the signal is blocked in its handler: the raise
	 * inside stays pending until the handler returns */
	install(SIGUSR1, 0, on_nest);
	max_depth = calls = 0;
	raise(SIGUSR1);
	printf("nested depth without SA_NODEFER %d, calls %d\n", max_depth, calls);
	install(SIGUSR1, SA_NODEFER, on_nest);
	max_depth = calls = 0;
	raise(SIGUSR1);
	printf("nested depth with SA_NODEFER %d, calls %d\n", max_depth, calls);
	/* sa_mask adds to the mask in the handler; uc_sigmask is the old one */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaddset(&sa.sa_mask, SIGKILL);
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGHUP);
	sigprocmask(SIG_SETMASK, &s, NULL);
	raise(SIGUSR1);
	printf("in handler: USR1 %d USR2 %d HUP %d; uc_sigmask: USR1 %d USR2 %d HUP %d\n",
	       is_member(&mask_in_handler, SIGUSR1), is_member(&mask_in_handler, SIGUSR2),
	       is_member(&mask_in_handler, SIGHUP), is_member(&uc_mask, SIGUSR1),
	       is_member(&uc_mask, SIGUSR2), is_member(&uc_mask, SIGHUP));
	sigprocmask(SIG_BLOCK, NULL, &s);
	printf("after: USR1 %d USR2 %d HUP %d\n", is_member(&s, SIGUSR1), is_member(&s, SIGUSR2),
	       is_member(&s, SIGHUP));
	sigemptyset(&s);
	sigprocmask(SIG_SETMASK, &s, NULL);
	struct sigaction old;
	sigaction(SIGUSR1, NULL, &old);
	printf("sa_mask read back: USR2 %d KILL %d\n", is_member(&old.sa_mask, SIGUSR2),
	       is_member(&old.sa_mask, SIGKILL));
	/* SA_RESETHAND: one shot, then the default action (kills the child) */
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		install(SIGUSR2, SA_RESETHAND, on_info);
		raise(SIGUSR2);
		printf("child: first SIGUSR2 handled %d\n", hits);
		sigaction(SIGUSR2, NULL, &old);
		printf("child: handler now SIG_DFL %d, flags keep SA_SIGINFO %d\n",
		       old.sa_handler == SIG_DFL, !!(old.sa_flags & SA_SIGINFO));
		fflush(stdout);
		raise(SIGUSR2);
		_exit(0);
	}
	wait_describe("SA_RESETHAND child", c);
	sigaction(SIGUSR1, NULL, &old);
	printf("flags read back: SA_SIGINFO %d SA_RESTORER %d\n", !!(old.sa_flags & SA_SIGINFO),
	       !!(old.sa_flags & 0x04000000));
}

static int order[16], norder;

static void on_order(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	order[norder++] = sig * 1000 + (si->si_code == SI_QUEUE ? si->si_value.sival_int : 0);
}

static void mask(void)
{
	sigset_t s, old, pend;
	install(SIGUSR1, 0, on_order);
	install(SIGUSR2, 0, on_order);
	install(SIGHUP, 0, on_order);
	install(SIGRTMIN, 0, on_order);
	install(SIGRTMIN + 1, 0, on_order);
	sigfillset(&s);
	sigprocmask(SIG_BLOCK, &s, &old);
	raise(SIGUSR2);
	raise(SIGUSR2);         /* a standard signal is pending once */
	raise(SIGUSR1);
	raise(SIGHUP);
	for (int i = 0; i < 3; i++) {
		union sigval v = {.sival_int = i};
		sigqueue(getpid(), SIGRTMIN + 1, v);   /* RT signals queue */
		sigqueue(getpid(), SIGRTMIN, v);
	}
	sigpending(&pend);
	printf("pending: HUP %d USR1 %d USR2 %d RTMIN %d TERM %d\n", is_member(&pend, SIGHUP),
	       is_member(&pend, SIGUSR1), is_member(&pend, SIGUSR2), is_member(&pend, SIGRTMIN),
	       is_member(&pend, SIGTERM));
	sigprocmask(SIG_BLOCK, NULL, &s);
	printf("SIGKILL/SIGSTOP never blocked: %d %d\n", is_member(&s, SIGKILL), is_member(&s, SIGSTOP));
	printf("delivered before unblocking: %d\n", norder);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("delivered order:");
	for (int i = 0; i < norder; i++)
		printf(" %d", order[i]);
	printf("\n");
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	SHOW(sigaction(SIGKILL, &sa, NULL));
	SHOW(sigaction(SIGSTOP, &sa, NULL));
	SHOW(sigaction(SIGKILL, NULL, &sa));
	SHOW(sigaction(0, &sa, NULL));
	SHOW(sigaction(65, &sa, NULL));
	SHOW(syscall(SYS_rt_sigprocmask, 7, &s, NULL, 8));
	SHOW(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &s, NULL, 4));
	SHOW(syscall(SYS_rt_sigprocmask, SIG_BLOCK, (void *)8, NULL, 8));
	/* ignoring a pending signal discards it, even while blocked */
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR1);
	signal(SIGUSR1, SIG_IGN);
	sigpending(&pend);
	printf("pending after SIG_IGN: %d\n", is_member(&pend, SIGUSR1));
	/* a blocked, ignored signal is still queued (it may be unignored) */
	raise(SIGUSR1);
	sigpending(&pend);
	printf("blocked+ignored raised, pending: %d\n", is_member(&pend, SIGUSR1));
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static void on_plain(int sig)
{
	(void)sig;
	hits++;
}

static void do_wait(void)
{
	sigset_t s, old, w;
	siginfo_t si;
	struct timespec ts = {0, 50000000};
	signal(SIGUSR1, on_plain);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, &old);
	/* sigtimedwait: timeout, then a pending signal with its info */
	SHOW(sigtimedwait(&s, &si, &ts));
	struct timespec zero = {0, 0};
	SHOW(sigtimedwait(&s, &si, &zero));
	union sigval v = {.sival_int = 55};
	sigqueue(getpid(), SIGUSR2, v);
	memset(&si, 0, sizeof si);
	SHOW(sigtimedwait(&s, &si, &ts));
	printf("info: signo %d code %d value %d\n", si.si_signo, si.si_code, si.si_value.sival_int);
	struct timespec bad = {0, 2000000000};
	SHOW(sigtimedwait(&s, &si, &bad));
	/* sigwaitinfo woken by a child's kill */
	fflush(stdout);
	pid_t parent = getpid(), c = fork();
	if (c == 0) {
		usleep(50000);
		kill(parent, SIGUSR2);
		_exit(0);
	}
	memset(&si, 0, sizeof si);
	SHOW(sigwaitinfo(&s, &si));
	printf("from the child %d code %d\n", si.si_pid == c, si.si_code);
	waitpid(c, NULL, 0);
	/* a signal outside the set interrupts it: EINTR */
	signal(SIGALRM, on_plain);
	alarm(1);
	SHOW(syscall(SYS_rt_sigtimedwait, &s, &si, NULL, 8));   /* musl retries EINTR */
	printf("hits %d\n", hits);
	hits = 0;
	/* sigsuspend: USR1 is blocked, the temporary mask lets it in */
	sigemptyset(&w);
	fflush(stdout);
	if ((c = fork()) == 0) {
		usleep(50000);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	SHOW(sigsuspend(&w));
	printf("handler ran %d\n", hits);
	sigprocmask(SIG_BLOCK, NULL, &w);
	printf("mask restored: USR1 blocked %d\n", is_member(&w, SIGUSR1));
	waitpid(c, NULL, 0);
	/* a pending unblocked-by-sigsuspend signal returns at once */
	raise(SIGUSR1);
	sigemptyset(&w);
	SHOW(sigsuspend(&w));
	SHOW(syscall(SYS_rt_sigsuspend, &w, 4));
	/* pause */
	hits = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	fflush(stdout);
	if ((c = fork()) == 0) {
		usleep(50000);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	SHOW(pause());
	printf("hits %d\n", hits);
	waitpid(c, NULL, 0);
}

static void restart(void)
{
	struct sigaction sa;
	struct itimerval it = {{0, 0}, {0, 100000}};
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_plain;
	for (int r = 0; r < 2; r++) {
		sa.sa_flags = r ? SA_RESTART : 0;
		sigaction(SIGALRM, &sa, NULL);
		printf("-- %s\n", r ? "SA_RESTART" : "no SA_RESTART");
		struct timespec ts = {1, 0}, rem = {0, 0};
		setitimer(ITIMER_REAL, &it, NULL);
		SHOW(nanosleep(&ts, &rem));
		printf("remaining sane %d\n", rem.tv_sec == 0 && rem.tv_nsec > 500000000);
		fflush(stdout);
		pid_t c = fork();
		if (c == 0) {
			usleep(300000);
			_exit(1);
		}
		setitimer(ITIMER_REAL, &it, NULL);
		int st;
		SHOW(waitpid(c, &st, 0) > 0 ? 1 : -1);
		waitpid(c, &st, 0);
		setitimer(ITIMER_REAL, &it, NULL);
		SHOW(pause());
		int p[2];
		pipe(p);
		if ((c = fork()) == 0) {
			usleep(300000);
			write(p[1], "x", 1);
			_exit(0);
		}
		char b;
		setitimer(ITIMER_REAL, &it, NULL);
		SHOW(read(p[0], &b, 1));
		waitpid(c, NULL, 0);
		close(p[0]);
		close(p[1]);
		sigset_t s;
		sigemptyset(&s);
		setitimer(ITIMER_REAL, &it, NULL);
		SHOW(sigsuspend(&s));
		struct timespec abs;
		clock_gettime(CLOCK_MONOTONIC, &abs);
		abs.tv_sec += 1;
		setitimer(ITIMER_REAL, &it, NULL);
		SHOW(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL));
		printf("handler hits %d\n", hits);
		hits = 0;
	}
}

static void defaults(void)
{
	int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGALRM, SIGPIPE, SIGQUIT, SIGABRT,
		      SIGSEGV, SIGCHLD, SIGURG, SIGWINCH, SIGCONT, SIGRTMIN, SIGSYS};
	for (unsigned i = 0; i < sizeof sigs / sizeof *sigs; i++) {
		fflush(stdout);
		pid_t c = fork();
		if (c == 0) {
			raise(sigs[i]);
			_exit(0);
		}
		char what[32];
		snprintf(what, sizeof what, "raise(%d)", sigs[i]);
		wait_describe(what, c);
	}
	/* stop and continue, from another process */
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		for (int i = 0; i < 50; i++)
			usleep(10000);
		_exit(9);
	}
	kill(c, SIGSTOP);
	int st;
	waitpid(c, &st, WUNTRACED);
	describe_status("stopped", st);
	kill(c, SIGCONT);
	waitpid(c, &st, WCONTINUED);
	describe_status("continued", st);
	wait_describe("then", c);
	/* a stopped process is killed by SIGKILL, and SIGTERM waits for SIGCONT */
	if ((c = fork()) == 0) {
		pause();
		_exit(0);
	}
	kill(c, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	kill(c, SIGTERM);
	usleep(50000);
	SHOW(waitpid(c, &st, WNOHANG));
	kill(c, SIGCONT);
	wait_describe("stopped then TERM+CONT", c);
	if ((c = fork()) == 0) {
		pause();
		_exit(0);
	}
	kill(c, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	kill(c, SIGKILL);
	wait_describe("stopped then KILL", c);
	/* a handled SIGTSTP does not stop */
	if ((c = fork()) == 0) {
		signal(SIGTSTP, on_plain);
		raise(SIGTSTP);
		_exit(hits);
	}
	wait_describe("handled SIGTSTP", c);
}

static void errors(void)
{
	SHOW(kill(getpid(), 65));
	SHOW(kill(getpid(), -1));
	SHOW(kill(999999, 0));
	SHOW(kill(getpid(), 0));
	SHOW(syscall(SYS_tgkill, getpid(), 999999, SIGUSR1));
	SHOW(syscall(SYS_tgkill, 0, getpid(), SIGUSR1));
	SHOW(syscall(SYS_tgkill, 999999, getpid(), 0));
	SHOW(syscall(SYS_tkill, -5, SIGUSR1));
	SHOW(syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4));
	SHOW(syscall(SYS_rt_sigaction, SIGUSR1, (void *)8, NULL, 8));
	SHOW(syscall(SYS_rt_sigpending, NULL, 8));
	SHOW(syscall(SYS_rt_sigpending, (void *)8, 8));
	SHOW(syscall(SYS_rt_sigpending, (void *)8, 9));
	/* kill another user's process: EPERM */
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	pid_t d = fork();
	if (d == 0) {
		setuid(54321);
		SHOW(kill(c, SIGTERM));
		SHOW(kill(c, 0));
		fflush(stdout);
		_exit(0);
	}
	waitpid(d, NULL, 0);
	kill(c, SIGKILL);
	wait_describe("victim", c);
	/* x86_64 needs SA_RESTORER: without it the frame cannot be set up and
	 * the process gets SIGSEGV instead of its handler */
	if ((c = fork()) == 0) {
		struct { void *handler; unsigned long flags; void *restorer; unsigned long mask; } ka;
		ka.handler = (void *)on_plain;
		ka.flags = 0;
		ka.restorer = NULL;
		ka.mask = 0;
		syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8);
		raise(SIGUSR1);
		_exit(0);
	}
	wait_describe("handler without SA_RESTORER", c);
}

static void on_usr1_exit(int sig)
{
	_exit(sig);
}

static void killall(void)
{
	/* kill(-1): every process but init and the caller (pyuml only: on
	 * the host it would signal every process root may signal) */
	pid_t kids[3];
	signal(SIGUSR1, on_plain);
	fflush(stdout);
	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			signal(SIGUSR1, on_usr1_exit);
			for (;;)
				pause();
		}
	}
	usleep(50000);
	SHOW(kill(-1, SIGUSR1));
	for (int i = 0; i < 3; i++)
		wait_describe("child", kids[i]);
	usleep(20000);
	printf("the caller itself was spared: %d\n", hits == 0);
	SHOW(kill(-1, 0));
}

static void core(void)
{
	/* with RLIMIT_CORE raised, the core-dumping signals say so in the
	 * wait status (pyuml writes no core file: the status is what's kept) */
	struct rlimit r = {RLIM_INFINITY, RLIM_INFINITY};
	int sigs[] = {SIGQUIT, SIGABRT, SIGSEGV, SIGTERM};
	for (unsigned i = 0; i < 4; i++) {
		fflush(stdout);
		pid_t c = fork();
		if (c == 0) {
			setrlimit(RLIMIT_CORE, &r);
			raise(sigs[i]);
			_exit(0);
		}
		char what[32];
		snprintf(what, sizeof what, "raise(%d)", sigs[i]);
		wait_describe(what, c);
	}
	pid_t c = fork();
	if (c == 0) {
		setrlimit(RLIMIT_CORE, &r);
		*(volatile int *)0 = 0;
		_exit(0);
	}
	siginfo_t si;
	memset(&si, 0, sizeof si);
	waitid(P_PID, c, &si, WEXITED);
	printf("waitid: code %d (CLD_DUMPED %d) status %d\n", si.si_code, CLD_DUMPED, si.si_status);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "info";
	test_as_child();
	if (!strcmp(mode, "info"))
		info();
	else if (!strcmp(mode, "flags"))
		flags();
	else if (!strcmp(mode, "mask"))
		mask();
	else if (!strcmp(mode, "wait"))
		do_wait();
	else if (!strcmp(mode, "restart"))
		restart();
	else if (!strcmp(mode, "default"))
		defaults();
	else if (!strcmp(mode, "errors"))
		errors();
	else if (!strcmp(mode, "core"))
		core();
	else if (!strcmp(mode, "killall"))
		killall();
	fflush(stdout);
	return 0;
}
