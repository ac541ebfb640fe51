/*
 * cpufault: rdtsc and cpuid made to fault, per thread, as prctl(PR_SET_TSC)
 * and arch_prctl(ARCH_SET_CPUID) ask (LTP prctl10, arch_prctl01).  Each
 * fault is caught (SIGSEGV's si_code, si_addr) and the instruction skipped.
 *   cpufault            the whole sequence (forks, a thread, an exec)
 *   cpufault after-exec what survives exec: the TSC mode, not the CPUID one
 * Prints only what is the same on every Linux with CPUID faulting.
 */
#include "procs.h"
#include <pthread.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/syscall.h>

#ifndef PR_SET_TSC
#define PR_GET_TSC 25
#define PR_SET_TSC 26
#define PR_TSC_ENABLE 1
#define PR_TSC_SIGSEGV 2
#endif
#define ARCH_GET_CPUID 0x1011
#define ARCH_SET_CPUID 0x1012
#ifdef __x86_64__
#define NR_arch_prctl 158
#else
#define NR_arch_prctl 384
#endif

static __thread sigjmp_buf jb;
static __thread volatile int armed;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	printf("  SIGSEGV %d code %#x addr %p\n", sig, si->si_code, si->si_addr);
	if (!armed)
		_exit(3);
	siglongjmp(jb, 1);
}

static int try_rdtsc(void)
{
	armed = 1;
	if (sigsetjmp(jb, 1)) {
		armed = 0;
		return -1;
	}
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	armed = 0;
	return 0;
}

static int try_cpuid(void)
{
	armed = 1;
	if (sigsetjmp(jb, 1)) {
		armed = 0;
		return -1;
	}
	uint32_t a = 0, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	armed = 0;
	return 0;
}

static int get_tsc(void)
{
	int v = -1;
	int r = prctl(PR_GET_TSC, &v, 0, 0, 0);
	return r < 0 ? -errno : v;
}

static long cpuid_mode(void)
{
	long r = syscall(NR_arch_prctl, ARCH_GET_CPUID, 0);
	return r < 0 ? -errno : r;
}

static void report(const char *who)
{
	printf("%s: PR_GET_TSC %d, ARCH_GET_CPUID %ld\n", who, get_tsc(), cpuid_mode());
	printf("%s: rdtsc %d\n", who, try_rdtsc());
	printf("%s: cpuid %d\n", who, try_cpuid());
}

static void *thread_notsc(void *arg)
{
	(void)arg;
	prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0);
	report("thread");
	return NULL;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	if (argc > 1 && !strcmp(argv[1], "after-exec")) {
		report("after exec");
		return 0;
	}
	test_as_child();
	report("start");
	printf("PR_SET_TSC 0: %d\n", prctl(PR_SET_TSC, 0, 0, 0, 0) < 0 ? -errno : 0);
	printf("PR_SET_TSC 3: %d\n", prctl(PR_SET_TSC, 3, 0, 0, 0) < 0 ? -errno : 0);
	printf("PR_GET_TSC NULL: %d\n", prctl(PR_GET_TSC, NULL, 0, 0, 0) < 0 ? -errno : 0);

	/* a thread's mode is its own: the other thread's rdtsc keeps working */
	pthread_t th;
	pthread_create(&th, NULL, thread_notsc, NULL);
	pthread_join(th, NULL);
	report("main after thread");

	/* the modes, set: fork copies them, exec keeps the TSC one */
	printf("PR_SET_TSC SIGSEGV: %d\n", prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0));
	printf("ARCH_SET_CPUID 0: %ld\n", syscall(NR_arch_prctl, ARCH_SET_CPUID, 0));
	report("faulting");
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		report("child");
		fflush(stdout);
		/* natively argv[0] need not be a path; pyuml's test root has no /proc */
		execl("/proc/self/exe", argv[0], "after-exec", (char *)NULL);
		execl(argv[0], argv[0], "after-exec", (char *)NULL);
		_exit(9);
	}
	int st;
	waitpid(p, &st, 0);
	printf("child status %#x\n", st);
	/* and back */
	printf("PR_SET_TSC ENABLE: %d\n", prctl(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0));
	printf("ARCH_SET_CPUID 1: %ld\n", syscall(NR_arch_prctl, ARCH_SET_CPUID, 1));
	report("enabled");
	/* unhandled: the fault kills */
	fflush(stdout);
	p = fork();
	if (p == 0) {
		signal(SIGSEGV, SIG_DFL);
		prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0);
		uint32_t lo, hi;
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		_exit(0);
	}
	waitpid(p, &st, 0);
	printf("unhandled: signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
	return 0;
}
