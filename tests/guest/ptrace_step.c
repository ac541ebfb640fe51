/*
 * tests/guest/ptrace_step.c - breakpoints and single steps, FP registers,
 * debug registers (a hardware watchpoint), signal masks, queued signals,
 * TLS descriptors.  "ptrace_step SCENARIO".  Addresses are printed as
 * offsets from labels in the code below.
 */
#include "ptrace_util.h"

#ifndef PTRACE_GET_THREAD_AREA
#define PTRACE_GET_THREAD_AREA 25
#endif
#ifndef PTRACE_ARCH_PRCTL
#define PTRACE_ARCH_PRCTL 30
#endif

extern char step_start[], step_sys[], step_end[];

/* int3, then a few plain instructions, a system call, and one more */
static void step_code(void)
{
#ifdef __x86_64__
	__asm__ volatile("int3\n"
			 "step_start: nop\n"
			 "nop\n"
			 "mov $39, %%eax\n"          /* getpid */
			 "step_sys: syscall\n"
			 "nop\n"
			 "step_end: nop\n" ::: "rax", "rcx", "r11", "memory");
#else
	__asm__ volatile("int3\n"
			 "step_start: nop\n"
			 "nop\n"
			 "mov $20, %%eax\n"
			 "step_sys: int $0x80\n"
			 "nop\n"
			 "step_end: nop\n" ::: "eax", "memory");
#endif
}

static pid_t traced_child(void (*then)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		kill(getpid(), SIGSTOP);
		then();
		fflush(stdout);
		_exit(0);
	}
	return pid;
}

static long ip_of(pid_t pid)
{
	struct user_regs_struct r;
	get_regs(pid, &r);
	return (long)r.REG_IP;
}

static void show_trap(pid_t pid, const char *label_name, char *label)
{
	siginfo_t si;
	pt(PTRACE_GETSIGINFO, pid, 0, &si);
	printf("  at %s%+ld, %s code %s\n", label_name, ip_of(pid) - (long)label,
	       strsignal(si.si_signo), si_code_name(si.si_code));
}

static void scenario_step(int request)
{
	pid_t pid = traced_child(step_code);
	wait_show("tracee", pid);
	PT(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracee", pid);                       /* int3: SIGTRAP, SI_KERNEL */
	show_trap(pid, "step_start", step_start);
	for (int i = 0; i < 6; i++) {
		PT(request, pid, 0, 0);
		int st = wait_show("tracee", pid);
		if (!WIFSTOPPED(st))
			return;
		show_trap(pid, "step_start", step_start);
#ifdef __x86_64__
		errno = 0;
		long dr6 = ptrace(PTRACE_PEEKUSER, pid,
				  (void *)offsetof(struct user, u_debugreg[6]), 0);
		printf("  dr6 %#lx\n", dr6);
#endif
		if (ip_of(pid) == (long)step_end)
			break;
	}
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracee", pid);
}

/* -- single-stepping into a signal handler ------------------------------------------- */

static volatile int handled;
static void on_usr1(int sig) { handled = 1; }

extern char kill_sys[];
static void kill_code(void)
{
	signal(SIGUSR1, on_usr1);
	pid_t me = getpid();
#ifdef __x86_64__
	__asm__ volatile("int3\n"
			 "kill_sys: syscall\n" :: "a"((long)SYS_kill), "D"((long)me),
			 "S"((long)SIGUSR1) : "rcx", "r11", "memory");
#else
	__asm__ volatile("int3\n"
			 "kill_sys: int $0x80\n" :: "a"((long)SYS_kill), "b"((long)me),
			 "c"((long)SIGUSR1) : "memory");
#endif
	printf("child: handled %d\n", handled);
}

static void scenario_step_handler(void)
{
	pid_t pid = traced_child(kill_code);
	wait_show("tracee", pid);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracee", pid);                       /* the int3 */
	for (int i = 0; i < 4; i++) {
		siginfo_t si;
		PT(PTRACE_SINGLESTEP, pid, 0, i == 2 ? SIGUSR1 : 0);
		wait_show("tracee", pid);
		pt(PTRACE_GETSIGINFO, pid, 0, &si);
		long ip = ip_of(pid);
		printf("  %s code %s, in the handler %d\n", strsignal(si.si_signo),
		       si_code_name(si.si_code), ip == (long)on_usr1);
	}
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracee", pid);
}

/* -- FP and SSE registers ----------------------------------------------------------- */

static const uint64_t pattern0 = 0x1122334455667788ULL, pattern1 = 0x99aabbccddeeff00ULL;

static void fp_code(void)
{
	uint64_t out = 0;
	__asm__ volatile("movq %1, %%xmm0\n"
			 "pxor %%xmm1, %%xmm1\n"
			 "int3\n"
			 "movq %%xmm1, %0\n" : "=m"(out) : "m"(pattern0)
#ifdef __x86_64__
			 : "xmm0", "xmm1"               /* (i386 code here knows no SSE) */
#endif
			 );
	printf("child: xmm1 low %#llx\n", (unsigned long long)out);
}

static void scenario_fpregs(void)
{
	pid_t pid = traced_child(fp_code);
	wait_show("tracee", pid);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracee", pid);
	unsigned char fx[512];
#ifdef __x86_64__
	PT(PTRACE_GETFPREGS, pid, 0, fx);
#else
	PT(PTRACE_GETFPXREGS, pid, 0, fx);
	unsigned char fs[108];
	PT(PTRACE_GETFPREGS, pid, 0, fs);
	printf("fsave control word %#x\n", *(uint16_t *)fs);
#endif
	printf("xmm0 low %#llx, mxcsr %#x, fcw %#x\n", (unsigned long long)*(uint64_t *)(fx + 160),
	       *(uint32_t *)(fx + 24), *(uint16_t *)fx);
	memcpy(fx + 176, &pattern1, 8);
	uint32_t mxcsr = *(uint32_t *)(fx + 24);
	*(uint32_t *)(fx + 24) = 0xffffffff;            /* reserved bits: refused */
#ifdef __x86_64__
	PT(PTRACE_SETFPREGS, pid, 0, fx);
	*(uint32_t *)(fx + 24) = mxcsr;
	PT(PTRACE_SETFPREGS, pid, 0, fx);
#else
	PT(PTRACE_SETFPXREGS, pid, 0, fx);
	*(uint32_t *)(fx + 24) = mxcsr;
	PT(PTRACE_SETFPXREGS, pid, 0, fx);
#endif
	/* the xsave regset has the same registers where fxsave has them */
	static unsigned char xs[16384];
	struct iovec iov = {xs, sizeof xs};
	PT(PTRACE_GETREGSET, pid, NT_X86_XSTATE, &iov);
	printf("xstate: xmm0 %d xmm1 %d\n", !memcmp(xs + 160, &pattern0, 8),
	       !memcmp(xs + 176, &pattern1, 8));
	size_t full = iov.iov_len;
	iov.iov_len = 512;                              /* a whole buffer is needed */
	PT(PTRACE_SETREGSET, pid, NT_X86_XSTATE, &iov);
	uint64_t pattern2 = pattern1 + 1;               /* xmm1 through the xsave regset */
	memcpy(xs + 176, &pattern2, 8);
	iov.iov_len = full;
	PT(PTRACE_SETREGSET, pid, NT_X86_XSTATE, &iov);
	/* the general regset, one word of it written back as it is */
	char gregs[256];
	iov.iov_base = gregs;
	iov.iov_len = sizeof gregs;
	PT(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov);
	iov.iov_len = BITS / 8;
	PT(PTRACE_SETREGSET, pid, NT_PRSTATUS, &iov);
	iov.iov_len = 3;
	PT(PTRACE_SETREGSET, pid, NT_PRSTATUS, &iov);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracee", pid);
}

/* -- debug registers: DR6 and DR7, a hardware watchpoint ------------------------------ */

static volatile int watched;

static void watch_code(void)
{
	watched = 1;
	printf("child: wrote the watched word\n");
}

#define DR(n) ((void *)offsetof(struct user, u_debugreg[n]))

static void scenario_debugregs(void)
{
	pid_t pid = traced_child(watch_code);
	wait_show("tracee", pid);
	errno = 0;
	printf("dr6 %#lx dr7 %#lx\n", ptrace(PTRACE_PEEKUSER, pid, DR(6), 0),
	       ptrace(PTRACE_PEEKUSER, pid, DR(7), 0));
	PT(PTRACE_POKEUSER, pid, DR(7), 0);
	PT(PTRACE_POKEUSER, pid, DR(4), 0);             /* there is no DR4 */
	PT(PTRACE_POKEUSER, pid, DR(0), &watched);
	PT(PTRACE_POKEUSER, pid, DR(7), 0x20001);       /* length 1 "execute" of a data word? */
	PT(PTRACE_POKEUSER, pid, DR(7), 0xd0002);       /* 4-byte write watch at DR0, global */
	PT(PTRACE_POKEUSER, pid, DR(7), 0xd0001);       /* ... local: what gdb writes */
	errno = 0;
	printf("dr0 is the word %d, dr7 %#lx\n",
	       ptrace(PTRACE_PEEKUSER, pid, DR(0), 0) == (long)&watched,
	       ptrace(PTRACE_PEEKUSER, pid, DR(7), 0));
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracee", pid);                       /* the watchpoint */
	siginfo_t si;
	pt(PTRACE_GETSIGINFO, pid, 0, &si);
	printf("  %s code %d, dr6 %#lx\n", strsignal(si.si_signo), si.si_code,
	       ptrace(PTRACE_PEEKUSER, pid, DR(6), 0));
	PT(PTRACE_POKEUSER, pid, DR(7), 0);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracee", pid);
}

/* -- signal masks and queued signals, TLS -------------------------------------------------- */

static void masked_code(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	union sigval v = {.sival_int = 7};
	sigqueue(getpid(), SIGRTMIN, v);
	v.sival_int = 8;
	sigqueue(getpid(), SIGRTMIN, v);
	kill(getpid(), SIGSTOP);
	sigprocmask(SIG_SETMASK, NULL, &set);
	printf("child: SIGUSR2 blocked %d, SIGHUP blocked %d\n", sigismember(&set, SIGUSR2),
	       sigismember(&set, SIGHUP));
}

struct peeksiginfo_args { uint64_t off; uint32_t flags; int32_t nr; };

static void scenario_sigmask(void)
{
	pid_t pid = traced_child(masked_code);
	wait_show("tracee", pid);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracee", pid);                       /* the second SIGSTOP */
	uint64_t mask = 0;
	PT(PTRACE_GETSIGMASK, pid, 8, &mask);
	printf("mask has SIGUSR2 %d\n", (int)((mask >> (SIGUSR2 - 1)) & 1));
	PT(PTRACE_GETSIGMASK, pid, 4, &mask);
	mask |= 1ULL << (SIGHUP - 1);
	mask |= 1ULL << (SIGKILL - 1);                  /* dropped */
	PT(PTRACE_SETSIGMASK, pid, 8, &mask);
	siginfo_t q[4];
	struct peeksiginfo_args a = {0, 1, 4};          /* the shared queue */
	errno = 0;
	long n = ptrace(PTRACE_PEEKSIGINFO, pid, &a, q);
	printf("PEEKSIGINFO shared: %ld", n);
	for (int i = 0; i < n; i++)
		printf(" [%s %d]", strsignal(q[i].si_signo), q[i].si_value.sival_int);
	printf("\n");
	a.off = 1;
	printf("PEEKSIGINFO from 1: %ld\n", ptrace(PTRACE_PEEKSIGINFO, pid, &a, q));
	a.flags = 0;
	a.off = 0;
	printf("PEEKSIGINFO private: %ld\n", ptrace(PTRACE_PEEKSIGINFO, pid, &a, q));
	a.flags = 2;
	PT(PTRACE_PEEKSIGINFO, pid, &a, q);
	/* the TLS descriptor glibc uses on i386, none on x86_64 */
	uint32_t desc[4] = {0};
	PT(PTRACE_GET_THREAD_AREA, pid, 12, desc);
	printf("TLS entry 12: entry %u limit %#x flags %#x\n", desc[0], desc[2], desc[3] & 0xff);
	PT(PTRACE_GET_THREAD_AREA, pid, 11, desc);
#ifdef __x86_64__
	unsigned long fs = 0;
	struct user_regs_struct r;
	get_regs(pid, &r);
	PT(PTRACE_ARCH_PRCTL, pid, &fs, 0x1003);        /* ARCH_GET_FS */
	printf("ARCH_GET_FS is fs_base %d\n", fs == r.fs_base);
	struct user_regs_struct r2;
	PT(PTRACE_POKEUSER, pid, offsetof(struct user_regs_struct, fs), 3);
	PT(PTRACE_ARCH_PRCTL, pid, fs + 16, 0x1002);    /* ARCH_SET_FS */
	get_regs(pid, &r2);
	printf("after ARCH_SET_FS: fs %#llx, base moved %d\n", (unsigned long long)r2.fs,
	       r2.fs_base == fs + 16);
	PT(PTRACE_ARCH_PRCTL, pid, 1UL << 47, 0x1002);
	PT(PTRACE_SETREGS, pid, 0, &r);
#endif
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracee", pid);
}

int main(int argc, char **argv)
{
	test_as_child();
	const char *what = argc > 1 ? argv[1] : "";
	if (!strcmp(what, "singlestep"))
		scenario_step(PTRACE_SINGLESTEP);
	else if (!strcmp(what, "sysemu_singlestep"))
		scenario_step(PTRACE_SYSEMU_SINGLESTEP);
	else if (!strcmp(what, "step_handler"))
		scenario_step_handler();
	else if (!strcmp(what, "fpregs"))
		scenario_fpregs();
	else if (!strcmp(what, "debugregs"))
		scenario_debugregs();
	else if (!strcmp(what, "sigmask"))
		scenario_sigmask();
	else
		printf("usage: ptrace_step SCENARIO\n");
	fflush(stdout);
	return 0;
}
