/*
 * faultregs: the fault registers a signal frame carries (err, trapno, cr2 in
 * the sigcontext).  Linux sets them only when a fault raises a signal: a
 * page fault the kernel resolves (a first touch) leaves them alone, and a
 * later signal's frame shows those of the last fault that raised one.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static uintptr_t touched, segv_at;
static sigjmp_buf back;

static const char *what(uintptr_t cr2)
{
	if (cr2 == 0)
		return "zero";
	if (cr2 == touched)
		return "the page just touched";
	if (cr2 == segv_at)
		return "the faulting address";
	return "something else";
}

static void show(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
#ifdef __x86_64__
	unsigned long err = uc->uc_mcontext.gregs[REG_ERR];
	unsigned long trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
	uintptr_t cr2 = uc->uc_mcontext.gregs[REG_CR2];
#else
	unsigned long err = uc->uc_mcontext.gregs[REG_ERR];
	unsigned long trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
	uintptr_t cr2 = uc->uc_mcontext.cr2;
#endif
	printf("%s: err %lu trapno %lu cr2 %s\n", sig == SIGSEGV ? "SIGSEGV" : "SIGUSR1",
	       err, trapno, what(cr2));
	fflush(stdout);
	if (sig == SIGSEGV)
		siglongjmp(back, 1);
}

static void touch_fresh_page(void)
{
	volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touched = (uintptr_t)p;
	p[0] = 1;                               /* a fault the kernel resolves */
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = show;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);

	touch_fresh_page();
	raise(SIGUSR1);

	volatile char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	segv_at = (uintptr_t)ro + 8;
	if (!sigsetjmp(back, 1))
		ro[8] = 1;                      /* a fault that raises SIGSEGV */

	touch_fresh_page();
	raise(SIGUSR1);
	return 0;
}
