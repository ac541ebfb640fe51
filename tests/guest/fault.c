/*
 * fault: hardware exceptions become signals a handler can recover from;
 * the x86_64 signal frame.  fault MODE [FILE]:
 *   segv      SEGV_MAPERR / SEGV_ACCERR with si_addr, err and trapno;
 *             recovery with siglongjmp
 *   other     SIGFPE (divide), SIGILL (ud2), SIGTRAP (int3), SIGBUS (a
 *             file mapping past EOF; FILE is a file to map); a handler
 *             that skips the instruction by editing the ucontext
 *   frame     registers and FP/SSE state: the handler sees the interrupted
 *             values in the ucontext, clobbers its own, and everything is
 *             back after rt_sigreturn; changes made to the ucontext stick
 *   altstack  sigaltstack: SA_ONSTACK handlers, SS_ONSTACK, EPERM while on
 *             it, stack overflow caught on the alternate stack
 *   unhandled a fault with the signal blocked or ignored still kills
 */
#include "procs.h"
#include <fcntl.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <ucontext.h>

static sigjmp_buf jb;
static siginfo_t got;
static long got_err, got_trapno, got_rip;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig;
	got = *si;
	got_err = uc->uc_mcontext.gregs[REG_ERR];
	got_trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
	got_rip = uc->uc_mcontext.gregs[REG_RIP];
	siglongjmp(jb, 1);
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigaction(sig, &sa, NULL);
}

static void report(const char *what, void *expect_addr)
{
	printf("%s: signo %d code %d addr-ok %d err %ld trapno %ld\n", what, got.si_signo,
	       got.si_code, got.si_addr == expect_addr, got_err, got_trapno);
}

static void segv(void)
{
	install(SIGSEGV, on_fault, 0);
	volatile char *p = (char *)0x1000;
	if (!sigsetjmp(jb, 1)) {
		*p = 1;
		printf("not reached\n");
	}
	report("write to unmapped", (void *)p);
	p = (char *)0x7000;
	if (!sigsetjmp(jb, 1))
		(void)*p;
	report("read unmapped", (void *)p);
	char *ro = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!sigsetjmp(jb, 1))
		ro[4100] = 1;
	report("write to read-only", ro + 4100);
	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!sigsetjmp(jb, 1))
		(void)*(volatile char *)(none + 10);
	report("read PROT_NONE", none + 10);
	/* executing a non-executable page */
	char *nx = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	nx[0] = (char)0xc3;     /* ret */
	if (!sigsetjmp(jb, 1))
		((void (*)(void))nx)();
	report("execute NX page", nx);
	/* after munmap the address faults again */
	munmap(ro, 8192);
	if (!sigsetjmp(jb, 1))
		(void)*(volatile char *)ro;
	report("after munmap", ro);
	/* a non-canonical address: general protection, SI_KERNEL, addr 0 */
	if (!sigsetjmp(jb, 1))
		(void)*(volatile char *)0x8000000000000000UL;
	report("non-canonical", NULL);
	/* kernel addresses */
	if (!sigsetjmp(jb, 1))
		(void)*(volatile char *)0xffffffff81000000UL;
	report("kernel address", (void *)0xffffffff81000000UL);
	/* the handler keeps working after many faults */
	int n = 0;
	for (int i = 0; i < 200; i++)
		if (sigsetjmp(jb, 1))
			n++;
		else
			*(volatile int *)(0x3000 + i * 8) = i;
	printf("200 faults recovered: %d\n", n);
}

static void skip_ud2(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig;
	got = *si;
	got_err = uc->uc_mcontext.gregs[REG_ERR];
	got_trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
	got_rip = uc->uc_mcontext.gregs[REG_RIP];
	uc->uc_mcontext.gregs[REG_RIP] += 2;
}

static void other(const char *file)
{
	install(SIGFPE, on_fault, 0);
	volatile int zero = 0, x = 7;
	if (!sigsetjmp(jb, 1))
		x = x / zero;
	printf("SIGFPE: signo %d code %d addr==rip %d trapno %ld\n", got.si_signo, got.si_code,
	       got.si_addr == (void *)got_rip, got_trapno);
	install(SIGILL, skip_ud2, 0);
	__asm__ volatile("ud2");
	printf("SIGILL skipped: signo %d code %d addr==rip %d trapno %ld\n", got.si_signo,
	       got.si_code, got.si_addr == (void *)got_rip, got_trapno);
	install(SIGTRAP, on_fault, 0);
	extern char int3_site[];
	if (!sigsetjmp(jb, 1))
		__asm__ volatile(".globl int3_site\nint3_site: int3");
	printf("SIGTRAP: signo %d code %d rip after int3 %d trapno %ld\n", got.si_signo,
	       got.si_code, got_rip == (long)int3_site + 1, got_trapno);
	/* SIGBUS: touching a page of a file mapping wholly past its end */
	int fd = open(file, O_RDONLY);
	struct stat st;
	fstat(fd, &st);
	size_t len = (st.st_size + 4095) & ~4095UL;
	char *m = mmap(NULL, len + 8192, PROT_READ, MAP_PRIVATE, fd, 0);
	install(SIGBUS, on_fault, 0);
	printf("first byte of the file readable: %d\n", m[0] == 0x7f);
	if (!sigsetjmp(jb, 1))
		(void)*(volatile char *)(m + len + 100);
	report("SIGBUS past EOF", m + len + 100);
	/* the same signals, raised by kill, carry SI_USER */
	if (!sigsetjmp(jb, 1))
		raise(SIGFPE);
	printf("raised SIGFPE: code %d\n", got.si_code);
}

static double dsum(double a, double b)
{
	return a + b;
}

static volatile double handler_saw;
static volatile unsigned handler_mxcsr;
static volatile unsigned short handler_fcw;
static volatile long handler_rax_seen;

static void fp_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig;
	(void)si;
	/* the interrupted context's xmm0 (low double) and a gpr */
	fpregset_t fp = uc->uc_mcontext.fpregs;
	double d;
	memcpy(&d, &fp->_xmm[0], sizeof d);
	handler_saw = d;
	handler_rax_seen = uc->uc_mcontext.gregs[REG_R12];
	unsigned mx;
	unsigned short cw;
	__asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mx), "=m"(cw));
	handler_mxcsr = mx;
	handler_fcw = cw;
	/* clobber our own FP state thoroughly */
	volatile double junk = 0;
	for (int i = 0; i < 100; i++)
		junk = dsum(junk, i * 0.5);
	__asm__ volatile("xorps %%xmm0, %%xmm0\n\txorps %%xmm1, %%xmm1\n\tfldpi\n\tfstp %%st(0)" ::: "xmm0", "xmm1");
	/* a change to the saved registers is what the interrupted code gets */
	uc->uc_mcontext.gregs[REG_R13] = 0x1234;
	/* and a change to the saved xmm1 too */
	double nine = 9.25;
	memcpy(&fp->_xmm[1], &nine, sizeof nine);
}

static void frame(void)
{
	install(SIGUSR1, fp_handler, 0);
	double a = 3.5, b = 0;
	long r12 = 0x5151, r13 = 0;
	pid_t pid = getpid();
	__asm__ volatile(
		"movsd %[a], %%xmm0\n\t"
		"movq %[r12], %%r12\n\t"
		"xor %%r13, %%r13\n\t"
		"mov $62, %%eax\n\t"         /* kill(pid, SIGUSR1): delivered on return */
		"mov %[pid], %%edi\n\t"
		"mov $10, %%esi\n\t"
		"syscall\n\t"
		"movsd %%xmm0, %[b]\n\t"
		"movq %%r13, %[r13]\n\t"
		"movsd %%xmm1, %[a]\n\t"
		: [b] "=m"(b), [r13] "=r"(r13), [a] "+m"(a)
		: [r12] "r"(r12), [pid] "r"(pid)
		: "rax", "rdi", "rsi", "rcx", "r11", "r12", "r13", "xmm0", "xmm1", "memory");
	printf("handler saw xmm0 %.2f r12 %#lx\n", handler_saw, handler_rax_seen);
	printf("after return: xmm0 %.2f (restored), r13 %#lx (edited), xmm1 %.2f (edited)\n",
	       b, r13, a);
	/* the x87 stack and MXCSR survive too */
	unsigned mx = 0x1f80 | 0x6000;  /* round toward zero */
	__asm__ volatile("ldmxcsr %0" ::"m"(mx));
	raise(SIGUSR1);
	unsigned mx2;
	__asm__ volatile("stmxcsr %0" : "=m"(mx2));
	printf("MXCSR kept %d\n", mx2 == mx);
	mx = 0x1f80;
	__asm__ volatile("ldmxcsr %0" ::"m"(mx));
	/* the frame's fpstate carries Linux's magic */
	printf("handler ran with the default MXCSR %d and FCW %d\n", handler_mxcsr == 0x1f80,
	       handler_fcw == 0x37f);
}

static char *alt;
static size_t altsize = 65536;
static volatile int on_alt, alt_flags, eperm;

static void alt_handler(int sig, siginfo_t *si, void *uc)
{
	char here;
	(void)sig;
	(void)si;
	(void)uc;
	on_alt = &here >= alt && &here < alt + altsize;
	stack_t ss;
	sigaltstack(NULL, &ss);
	alt_flags = ss.ss_flags;
	stack_t nss = {.ss_sp = alt, .ss_size = altsize};
	eperm = sigaltstack(&nss, NULL) < 0 && errno == EPERM;
}

static int recurse(int n)
{
	volatile char pad[1024];
	pad[0] = (char)n;
	return recurse(n + 1) + pad[0];
}

static void overflow_handler(int sig, siginfo_t *si, void *uc)
{
	char here;
	(void)si;
	(void)uc;
	on_alt = &here >= alt && &here < alt + altsize;
	got.si_signo = sig;
	siglongjmp(jb, 1);
}

static void altstack(void)
{
	alt = malloc(altsize);
	stack_t ss = {.ss_sp = alt, .ss_size = altsize}, old;
	SHOW(sigaltstack(&ss, &old));
	printf("old: disabled %d\n", old.ss_flags == SS_DISABLE);
	install(SIGUSR1, alt_handler, SA_ONSTACK);
	raise(SIGUSR1);
	printf("SA_ONSTACK handler on the alt stack %d, flags SS_ONSTACK %d, EPERM %d\n", on_alt,
	       alt_flags == SS_ONSTACK, eperm);
	install(SIGUSR1, alt_handler, 0);
	raise(SIGUSR1);
	printf("without SA_ONSTACK: on the alt stack %d, flags %d\n", on_alt, alt_flags);
	sigaltstack(NULL, &old);
	printf("query: flags %d size ok %d\n", old.ss_flags, old.ss_size == altsize);
	stack_t small = {.ss_sp = alt, .ss_size = 100};
	SHOW(sigaltstack(&small, NULL));
	stack_t bad = {.ss_sp = alt, .ss_size = altsize, .ss_flags = 99};
	SHOW(sigaltstack(&bad, NULL));
	SHOW(sigaltstack((stack_t *)8, NULL));
	/* stack overflow, caught on the alternate stack */
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		install(SIGSEGV, overflow_handler, SA_ONSTACK);
		if (!sigsetjmp(jb, 1))
			recurse(0);
		printf("overflow caught: signo %d on the alt stack %d\n", got.si_signo, on_alt);
		fflush(stdout);
		_exit(0);
	}
	wait_describe("overflow child", c);
	/* without an alternate stack, the overflow kills */
	if ((c = fork()) == 0) {
		stack_t dis = {.ss_flags = SS_DISABLE};
		sigaltstack(&dis, NULL);
		install(SIGSEGV, overflow_handler, SA_ONSTACK);
		recurse(0);
		_exit(0);
	}
	wait_describe("overflow without altstack", c);
	stack_t dis = {.ss_flags = SS_DISABLE};
	SHOW(sigaltstack(&dis, NULL));
	sigaltstack(NULL, &old);
	printf("disabled: %d\n", old.ss_flags == SS_DISABLE);
}

static void unhandled(void)
{
	/* blocked: a fault still kills */
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGSEGV);
		sigprocmask(SIG_BLOCK, &s, NULL);
		*(volatile int *)0 = 1;
		_exit(0);
	}
	wait_describe("blocked SIGSEGV", c);
	if ((c = fork()) == 0) {
		signal(SIGSEGV, SIG_IGN);
		*(volatile int *)0 = 1;
		_exit(0);
	}
	wait_describe("ignored SIGSEGV", c);
	if ((c = fork()) == 0) {
		signal(SIGFPE, SIG_IGN);
		volatile int z = 0;
		_exit(5 / z);
	}
	wait_describe("ignored SIGFPE", c);
	if ((c = fork()) == 0) {
		__asm__ volatile("ud2");
		_exit(0);
	}
	wait_describe("ud2", c);
	if ((c = fork()) == 0) {
		__asm__ volatile("int3");
		_exit(0);
	}
	wait_describe("int3", c);
	if ((c = fork()) == 0) {
		__asm__ volatile("hlt");
		_exit(0);
	}
	wait_describe("hlt", c);
	/* a handler that returns: the fault repeats; a second fault in the
	 * handler with SIGSEGV blocked kills */
	if ((c = fork()) == 0) {
		install(SIGSEGV, on_fault, SA_RESETHAND);
		if (sigsetjmp(jb, 1))
			*(volatile int *)0 = 2;     /* the handler is gone now */
		*(volatile int *)0 = 1;
		_exit(0);
	}
	wait_describe("SA_RESETHAND: second fault", c);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "segv";
	test_as_child();
	if (!strcmp(mode, "segv"))
		segv();
	else if (!strcmp(mode, "other"))
		other(argv[2]);
	else if (!strcmp(mode, "frame"))
		frame();
	else if (!strcmp(mode, "altstack"))
		altstack();
	else if (!strcmp(mode, "unhandled"))
		unhandled();
	fflush(stdout);
	return 0;
}
