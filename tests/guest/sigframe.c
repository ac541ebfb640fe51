/*
 * sigframe: signal handlers and the frames the kernel builds for them.
 * Built for x86_64 and for i386, where a handler without SA_SIGINFO gets the
 * old frame (returning through sigreturn) and one with it the rt frame.
 *
 * Checks: siginfo fields, the old and the rt frame, a handler that repairs a
 * fault (mprotect) and one that skips the faulting instruction by editing
 * the saved instruction pointer, FP state across asynchronous handlers that
 * use the FPU, the alternate stack, masks in and after handlers, nesting,
 * SA_RESETHAND, and a parent signalling its child.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sched.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__i386__)
#define REG_IP REG_EIP
#else
#define REG_IP REG_RIP
#endif

static volatile sig_atomic_t got, nested, alarms;
static volatile int last_code, same_pid;
static char *page;
static char altstack[1 << 16];
static volatile uintptr_t handler_sp;

static void on_info(int sig, siginfo_t *si, void *uc)
{
	got = sig;
	last_code = si->si_code;
	same_pid = si->si_pid == getpid();
	(void)uc;
}

static void on_plain(int sig)
{
	got = sig;
}

static void on_segv_fix(int sig, siginfo_t *si, void *uc)
{
	got = sig;
	last_code = si->si_code;
	printf("  fault at page+%ld\n", (long)((char *)si->si_addr - page));
	mprotect(page, 4096, PROT_READ | PROT_WRITE);
	(void)uc;
}

static void on_ill_skip(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	got = sig;
	last_code = si->si_code;
	uc->uc_mcontext.gregs[REG_IP] += 2;	/* ud2 */
}

static void on_alarm(int sig)
{
	/* use the FPU and SSE hard: the interrupted loop must not notice */
	volatile double x = 1.0;
	for (int i = 0; i < 100; i++)
		x = x * 1.0001 + 0.5;
	alarms++;
	(void)sig;
}

static void on_alt(int sig)
{
	int local;
	handler_sp = (uintptr_t)&local;
	got = sig;
}

static void on_outer(int sig)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	printf("  in SIGUSR1 handler: USR1 blocked %d, USR2 blocked %d, TERM blocked %d\n",
	       sigismember(&cur, SIGUSR1), sigismember(&cur, SIGUSR2), sigismember(&cur, SIGTERM));
	raise(SIGTERM);			/* nested: runs now */
	printf("  back in SIGUSR1 handler, nested=%d\n", nested);
	(void)sig;
}

static void on_inner(int sig)
{
	nested = sig;
}

static void on_term_exit(int sig)
{
	static const char msg[] = "  child: SIGTERM handler, exiting 42\n";
	write(1, msg, sizeof msg - 1);
	_exit(42);
	(void)sig;
}

int main(void)
{
	struct sigaction sa;
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("sigframe: %d-bit\n", (int)(8 * sizeof(void *)));

	/* 1. SA_SIGINFO from kill() */
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	kill(getpid(), SIGUSR1);
	printf("1 siginfo: got %d code %d (SI_USER %d) pid-matches %d\n", got, last_code, SI_USER, same_pid);

	/* 2. a plain handler (the old frame on i386) */
	got = 0;
	signal(SIGUSR2, on_plain);
	raise(SIGUSR2);
	printf("2 plain: got %d\n", got);

	/* 3. a fault the handler repairs */
	page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv_fix;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	got = 0;
	page[123] = 7;
	printf("3 segv: got %d code %d (SEGV_ACCERR %d) value %d\n", got, last_code, SEGV_ACCERR, page[123]);

	/* 4. skip an instruction by editing the saved instruction pointer */
	sa.sa_sigaction = on_ill_skip;
	sigaction(SIGILL, &sa, NULL);
	got = 0;
	__asm__ volatile("ud2");
	printf("4 ill: got %d code %d (ILL_ILLOPN %d)\n", got, last_code, ILL_ILLOPN);

	/* 5. FP state across asynchronous handlers */
	signal(SIGALRM, on_alarm);
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	double acc = 0, expect = 0;
	long n = 0;
	while (alarms < 5 && n < 200000000) {
		acc += (double)n * 0.25;
		n++;
	}
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	for (long i = 0; i < n; i++)
		expect += (double)i * 0.25;
	printf("5 fpu: %s after %s5 alarms\n", acc == expect ? "same sum" : "SUMS DIFFER",
	       alarms >= 5 ? ">= " : "< ");

	/* 6. the alternate signal stack */
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alt;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGWINCH, &sa, NULL);
	got = 0;
	raise(SIGWINCH);
	printf("6 altstack: got %d on it %d\n", got,
	       handler_sp >= (uintptr_t)altstack && handler_sp < (uintptr_t)altstack + sizeof altstack);
	stack_t cur;
	sigaltstack(NULL, &cur);
	printf("  after: flags %d size ok %d\n", cur.ss_flags, cur.ss_size == sizeof altstack);

	/* 7. blocked, pending, delivered on unblock */
	signal(SIGUSR2, on_plain);
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &old);
	got = 0;
	raise(SIGUSR2);
	sigset_t pend;
	sigpending(&pend);
	printf("7 blocked: got %d pending %d\n", got, sigismember(&pend, SIGUSR2));
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("  unblocked: got %d\n", got);

	/* 8. sa_mask and nesting */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_outer;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGTERM, on_inner);
	raise(SIGUSR1);
	sigprocmask(SIG_BLOCK, NULL, &old);
	printf("8 after: USR1 blocked %d USR2 blocked %d\n", sigismember(&old, SIGUSR1),
	       sigismember(&old, SIGUSR2));

	/* 9. SA_RESETHAND */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_plain;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGHUP, &sa, NULL);
	raise(SIGHUP);
	sigaction(SIGHUP, NULL, &sa);
	printf("9 resethand: now default %d\n", sa.sa_handler == SIG_DFL);

	/* 10. a parent signals its child */
	signal(SIGTERM, on_term_exit);		/* inherited: no race with kill */
	pid_t pid = fork();
	if (pid == 0)
		for (;;)
			sched_yield();
	signal(SIGTERM, SIG_DFL);
	kill(pid, SIGTERM);
	int st;
	waitpid(pid, &st, 0);
	printf("10 child: exited %d status %d\n", WIFEXITED(st), WEXITSTATUS(st));

	/* 11. an unhandled fault after all that still kills */
	signal(SIGSEGV, SIG_DFL);
	pid = fork();
	if (pid == 0)
		*(volatile int *)16 = 1;
	waitpid(pid, &st, 0);
	printf("11 default segv: signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
	return 0;
}
