/* sigtest: signal handlers and their frames (lab signal).
 *
 *   sigtest info      SA_SIGINFO: what siginfo says for kill, sigqueue, a fault
 *   sigtest context   the ucontext: the mask saved in it, and a SIGSEGV
 *                     handler that moves the program counter past the fault
 *   sigtest regs      every general register survives a handler
 *   sigtest fpu       SSE and x87 state survive a handler that uses them
 *   sigtest nested    a handler interrupted by another handler
 *   sigtest altstack  handlers on a sigaltstack, a stack overflow caught
 *   sigtest mask      what is blocked during a handler and after it
 *
 * Each prints the same lines natively. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/syscall.h>

static volatile sig_atomic_t got;
static siginfo_t last;
static ucontext_t last_uc;

static void on(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void record(int sig, siginfo_t *si, void *uc)
{
	got = sig;
	last = *si;
	last_uc = *(ucontext_t *)uc;
}

static void skip_fault(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	got = sig;
	last = *si;
	/* the faulting instruction is "movb $1, (%rax)": 3 bytes */
	uc->uc_mcontext.gregs[REG_RIP] += 3;
	uc->uc_mcontext.gregs[REG_RAX] = 12345;
}

static int sigismember_uc(ucontext_t *uc, int sig)
{
	return sigismember(&uc->uc_sigmask, sig);
}

static void do_info(void)
{
	on(SIGUSR1, record, 0);
	kill(getpid(), SIGUSR1);
	printf("kill: signo %d code %d pid ok %d uid %d\n", last.si_signo, last.si_code,
	       last.si_pid == getpid(), last.si_uid);
	union sigval v = { .sival_int = 4242 };
	sigqueue(getpid(), SIGUSR1, v);
	printf("sigqueue: signo %d code %d value %d\n", last.si_signo, last.si_code,
	       last.si_value.sival_int);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
	printf("tgkill: code %d\n", last.si_code);
	on(SIGSEGV, skip_fault, 0);
	long rax;
	char *bad = (char *)0x1000;
	asm volatile("movb $1, (%%rax)" : "=a"(rax) : "a"(bad) : "memory");
	printf("fault: signo %d code %d addr %p, rax after %ld\n", last.si_signo, last.si_code,
	       last.si_addr, rax);
}

static void do_context(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigaddset(&s, SIGHUP);
	sigprocmask(SIG_BLOCK, &s, NULL);
	on(SIGUSR1, record, 0);
	raise(SIGUSR1);
	printf("uc_sigmask: USR2 %d HUP %d USR1 %d INT %d\n", sigismember_uc(&last_uc, SIGUSR2),
	       sigismember_uc(&last_uc, SIGHUP), sigismember_uc(&last_uc, SIGUSR1),
	       sigismember_uc(&last_uc, SIGINT));
	printf("uc_link %p, uc_stack flags %d\n", (void *)last_uc.uc_link, last_uc.uc_stack.ss_flags);
	printf("uc_mcontext has an fpstate: %d\n", last_uc.uc_mcontext.fpregs != NULL);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static void clobber(int sig, siginfo_t *si, void *uc)
{
	/* use every register a handler may: the compiler saves the callee-saved
	 * ones, the kernel must restore the rest */
	asm volatile("xor %%rax,%%rax; xor %%rcx,%%rcx; xor %%rdx,%%rdx; xor %%rsi,%%rsi;"
		     "xor %%rdi,%%rdi; xor %%r8,%%r8; xor %%r9,%%r9; xor %%r10,%%r10; xor %%r11,%%r11"
		     ::: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11");
	got = sig;
}

static void do_regs(void)
{
	on(SIGUSR1, clobber, 0);
	unsigned long out[7];
	long pid = getpid();
	/* kill(pid, SIGUSR1) with known values in the registers the syscall
	 * does not use: the handler runs on the way back */
	asm volatile(
		"mov $62, %%eax\n\t"
		"mov %[pid], %%rdi\n\t"
		"mov $10, %%esi\n\t"
		"mov $0x1111, %%r8\n\t"
		"mov $0x2222, %%r9\n\t"
		"mov $0x3333, %%r10\n\t"
		"mov $0x4444, %%rdx\n\t"
		"syscall\n\t"
		"mov %%rax, 0(%[out])\n\t"
		"mov %%rdi, 8(%[out])\n\t"
		"mov %%rsi, 16(%[out])\n\t"
		"mov %%r8, 24(%[out])\n\t"
		"mov %%r9, 32(%[out])\n\t"
		"mov %%r10, 40(%[out])\n\t"
		"mov %%rdx, 48(%[out])\n\t"
		:: [pid] "r"(pid), [out] "r"(out)
		: "rax", "rdi", "rsi", "rdx", "r8", "r9", "r10", "rcx", "r11", "memory");
	printf("handler ran %d; after: rax %lu rdi ok %d rsi %lu r8 %lx r9 %lx r10 %lx rdx %lx\n",
	       got, out[0], out[1] == (unsigned long)pid, out[2], out[3], out[4], out[5], out[6]);
}

static void fp_handler(int sig, siginfo_t *si, void *uc)
{
	volatile double d = 1.0;
	for (int i = 0; i < 10; i++)
		d = d * 3.5 + 1;
	asm volatile("pxor %%xmm0,%%xmm0; pxor %%xmm1,%%xmm1; pxor %%xmm7,%%xmm7" ::: "xmm0", "xmm1", "xmm7");
	got = (int)d;
}

static void do_fpu(void)
{
	on(SIGUSR1, fp_handler, 0);
	double a = 2.25, b;
	uint64_t x0[2] = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL }, y0[2];
	asm volatile("movdqu (%[in]), %%xmm7\n\t" :: [in] "r"(x0) : "xmm7");
	asm volatile("movsd %[a], %%xmm1" :: [a] "m"(a) : "xmm1");
	kill(getpid(), SIGUSR1);
	asm volatile("movdqu %%xmm7, (%[o])" :: [o] "r"(y0) : "memory");
	asm volatile("movsd %%xmm1, %[b]" : [b] "=m"(b));
	printf("xmm7 kept %d, xmm1 kept %d (handler computed %d)\n",
	       y0[0] == x0[0] && y0[1] == x0[1], b == a, got);
}

static volatile int order[8], norder, depth_nd;

static void inner(int sig, siginfo_t *si, void *uc)
{
	order[norder++] = sig;
}

static void outer(int sig, siginfo_t *si, void *uc)
{
	order[norder++] = sig;
	raise(SIGUSR2);			/* runs inner now, on top of this frame */
	order[norder++] = -sig;
}

static void self_again(int sig, siginfo_t *si, void *uc)
{
	order[norder++] = sig;
	if (!depth_nd++)
		raise(sig);
	order[norder++] = -sig;
}

static void do_nested(void)
{
	on(SIGUSR1, outer, 0);
	on(SIGUSR2, inner, 0);
	volatile long keep = 0x5a5a5a5a;
	raise(SIGUSR1);
	printf("nested:");
	for (int i = 0; i < norder; i++)
		printf(" %d", order[i]);
	printf(", kept %lx\n", (long)keep);
	/* SA_NODEFER: the handler interrupts itself (once) */
	norder = 0;
	on(SIGUSR1, self_again, SA_NODEFER);
	raise(SIGUSR1);
	printf("nodefer:");
	for (int i = 0; i < norder; i++)
		printf(" %d", order[i]);
	printf("\n");
}

static char *alt;
static volatile int on_alt;
static sigjmp_buf jb;

static void where(int sig, siginfo_t *si, void *ucv)
{
	char here;
	ucontext_t *uc = ucv;
	on_alt = &here >= alt && &here < alt + SIGSTKSZ * 4;
	got = uc->uc_stack.ss_flags;
	if (sig == SIGSEGV)
		siglongjmp(jb, 1);
}

#pragma GCC diagnostic ignored "-Winfinite-recursion"
static int deep(int n)
{
	volatile char buf[4096];
	buf[0] = n;
	return deep(n + 1) + buf[0];
}

static void do_altstack(void)
{
	alt = malloc(SIGSTKSZ * 4);
	stack_t ss = { .ss_sp = alt, .ss_size = SIGSTKSZ * 4, .ss_flags = 0 };
	sigaltstack(&ss, NULL);
	on(SIGUSR1, where, SA_ONSTACK);
	raise(SIGUSR1);
	printf("SA_ONSTACK: on the alternate stack %d, uc_stack.ss_flags %d\n", on_alt, got);
	on(SIGUSR2, where, 0);
	raise(SIGUSR2);
	printf("without SA_ONSTACK: on it %d\n", on_alt);
	on(SIGSEGV, where, SA_ONSTACK);
	if (!sigsetjmp(jb, 1))
		deep(0);
	printf("stack overflow caught on the alternate stack: %d\n", on_alt);
	stack_t now;
	sigaltstack(NULL, &now);
	printf("after: ss_flags %d\n", now.ss_flags);
}

static sigset_t inside;

static void peek(int sig, siginfo_t *si, void *uc)
{
	sigprocmask(SIG_BLOCK, NULL, &inside);
}

static void do_mask(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = peek;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	sigset_t after;
	sigprocmask(SIG_BLOCK, NULL, &after);
	printf("in the handler: USR1 %d TERM %d; after: USR1 %d TERM %d\n",
	       sigismember(&inside, SIGUSR1), sigismember(&inside, SIGTERM),
	       sigismember(&after, SIGUSR1), sigismember(&after, SIGTERM));
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	sigaction(SIGUSR1, NULL, &sa);
	printf("SA_RESETHAND: default again %d\n", sa.sa_handler == SIG_DFL);
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "info";
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(m, "info")) do_info();
	else if (!strcmp(m, "context")) do_context();
	else if (!strcmp(m, "regs")) do_regs();
	else if (!strcmp(m, "fpu")) do_fpu();
	else if (!strcmp(m, "nested")) do_nested();
	else if (!strcmp(m, "altstack")) do_altstack();
	else if (!strcmp(m, "mask")) do_mask();
	return 0;
}
