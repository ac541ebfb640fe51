/* seccomp: system call filtering compared with the host kernel.  Every
 * case runs in a child of its own (a filter is for good) and the parent
 * prints how the child ended.
 *
 *   seccomp actions   ERRNO, TRAP (SIGSYS siginfo), KILL_PROCESS,
 *                     KILL_THREAD, TRACE without a tracer, LOG, ALLOW,
 *                     unknown actions, precedence, arguments, arch,
 *                     fork and exec, strict mode, /proc/self/status
 *   seccomp errors    seccomp(2)/prctl argument checks, the BPF checker,
 *                     no_new_privs, GET_ACTION_AVAIL, NOTIF_SIZES,
 *                     MAX_INSNS_PER_PATH, TSYNC
 *   seccomp notify    USER_NOTIF: RECV, ID_VALID, SEND, CONTINUE, ADDFD,
 *                     POLLHUP, a closed listener
 *   seccomp nnp DIR   no_new_privs against a set-user-ID program in DIR
 */
#include "procs.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <ucontext.h>

/* <linux/filter.h> and <linux/seccomp.h>, which musl does not ship */
struct sock_filter { uint16_t code; uint8_t jt, jf; uint32_t k; };
struct sock_fprog { unsigned short len; struct sock_filter *filter; };
struct seccomp_data { int nr; uint32_t arch; uint64_t instruction_pointer; uint64_t args[6]; };
struct seccomp_notif { uint64_t id; uint32_t pid, flags; struct seccomp_data data; };
struct seccomp_notif_resp { uint64_t id; int64_t val; int32_t error; uint32_t flags; };
struct seccomp_notif_addfd { uint64_t id; uint32_t flags, srcfd, newfd, newfd_flags; };
struct seccomp_notif_sizes { uint16_t notif, resp, data; };
#define BPF_LD 0x00
#define BPF_LDX 0x01
#define BPF_ST 0x02
#define BPF_ALU 0x04
#define BPF_JMP 0x05
#define BPF_RET 0x06
#define BPF_W 0x00
#define BPF_B 0x10
#define BPF_ABS 0x20
#define BPF_MEM 0x60
#define BPF_LEN 0x80
#define BPF_IMM 0x00
#define BPF_DIV 0x30
#define BPF_MOD 0x90
#define BPF_LSH 0x60
#define BPF_JEQ 0x10
#define BPF_JA 0x00
#define BPF_K 0x00
#define BPF_A 0x10
#define STMT(c, k) { (c), 0, 0, (k) }
#define JUMP(c, k, t, f) { (c), (t), (f), (k) }
#define SECCOMP_SET_MODE_STRICT 0
#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_GET_ACTION_AVAIL 2
#define SECCOMP_GET_NOTIF_SIZES 3
#define SECCOMP_FILTER_FLAG_TSYNC 1
#define SECCOMP_FILTER_FLAG_LOG 2
#define SECCOMP_FILTER_FLAG_NEW_LISTENER 8
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH 16
#define RET_KILL_PROCESS 0x80000000U
#define RET_KILL_THREAD 0x00000000U
#define RET_TRAP 0x00030000U
#define RET_ERRNO 0x00050000U
#define RET_USER_NOTIF 0x7fc00000U
#define RET_TRACE 0x7ff00000U
#define RET_LOG 0x7ffc0000U
#define RET_ALLOW 0x7fff0000U
#define NOTIF_RECV 0xc0502100
#define NOTIF_SEND 0xc0182101
#define NOTIF_ID_VALID 0x40082102
#define NOTIF_ADDFD 0x40182103
#ifdef __x86_64__
#define MY_ARCH 0xc000003eU
#else
#define MY_ARCH 0x40000003U
#endif
#define NR_OFF offsetof(struct seccomp_data, nr)
#define ARCH_OFF offsetof(struct seccomp_data, arch)
#define ARG0_OFF offsetof(struct seccomp_data, args[0])

static long sys_seccomp(unsigned op, unsigned flags, void *args)
{
	return syscall(__NR_seccomp, op, flags, args);
}

static long install(struct sock_filter *f, unsigned short n, unsigned flags)
{
	struct sock_fprog p = { n, f };
	return sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, &p);
}

/* a filter: nr == which -> ret, else allow */
static long filter_nr(int which, uint32_t ret, unsigned flags)
{
	struct sock_filter f[] = {
		STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, which, 0, 1),
		STMT(BPF_RET | BPF_K, ret),
		STMT(BPF_RET | BPF_K, RET_ALLOW),
	};
	return install(f, 4, flags);
}

static void status_lines(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "NoNewPrivs", 10) || !strncmp(line, "Seccomp", 7))
			fputs(line, stdout);
	if (f)
		fclose(f);
}

typedef void (*case_fn)(void);

static int preset_nnp = 1;

static void run_case(const char *name, case_fn fn)
{
	int st;
	printf("-- %s\n", name);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		if (preset_nnp)
			prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		fn();
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, &st, 0);
	if (WIFSIGNALED(st))
		printf("   child killed by signal %d\n", WTERMSIG(st));
	else
		printf("   child exit %d\n", WEXITSTATUS(st));
}

static void c_errno(void)
{
	SHOW(filter_nr(__NR_getppid, RET_ERRNO | EPERM, 0));
	SHOW(syscall(__NR_getppid));
	SHOW(filter_nr(__NR_getuid, RET_ERRNO | 5000, 0));
	SHOW(syscall(__NR_getuid));
	SHOW(filter_nr(__NR_getgid, RET_ERRNO | 0, 0));
	SHOW(syscall(__NR_getgid));
	SHOW(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	status_lines();
}

static volatile int trapped;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	ucontext_t *u = uc;
#ifdef __x86_64__
	long ax = u->uc_mcontext.gregs[REG_RAX];
#else
	long ax = u->uc_mcontext.gregs[REG_EAX];
#endif
	printf("SIGSYS: sig %d code %d errno %d syscall %d arch %x call_addr %s ax==nr %d\n",
	       sig, si->si_code, si->si_errno, si->si_syscall, si->si_arch,
	       si->si_call_addr ? "set" : "null", ax == si->si_syscall);
	trapped++;
}

static void c_trap(void)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
	SHOW(filter_nr(__NR_getppid, RET_TRAP | 42, 0));
	long r = syscall(__NR_getppid);
	printf("after trap: returned %s, trapped %d\n", r == __NR_getppid ? "nr" : "other", trapped);
	/* blocked, it is forced through anyway */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGSYS);
	sigprocmask(SIG_BLOCK, &s, NULL);
	fflush(stdout);
	syscall(__NR_getppid);
	printf("not reached with SIGSYS blocked? trapped %d\n", trapped);
}

static void c_kill_process(void)
{
	SHOW(filter_nr(__NR_getppid, RET_KILL_PROCESS, 0));
	fflush(stdout);
	syscall(__NR_getppid);
	printf("not reached\n");
}

static void c_kill_thread_single(void)
{
	SHOW(filter_nr(__NR_getppid, RET_KILL_THREAD, 0));
	fflush(stdout);
	syscall(__NR_getppid);
	printf("not reached\n");
}

static volatile pid_t victim;

static void *kill_me(void *arg)
{
	(void)arg;
	victim = syscall(__NR_gettid);
	syscall(__NR_getppid);
	printf("thread: not reached\n");
	return NULL;
}

static void c_kill_thread(void)
{
	pthread_t th;
	SHOW(filter_nr(__NR_getppid, RET_KILL_THREAD, 0));
	fflush(stdout);
	pthread_create(&th, NULL, kill_me, NULL);
	/* not pthread_join: musl's waits for the thread's own exit code */
	while (!victim || syscall(__NR_tgkill, getpid(), victim, 0) == 0)
		usleep(1000);
	printf("main thread lives on\n");
}

static void c_trace_log_allow(void)
{
	SHOW(filter_nr(__NR_getppid, RET_TRACE | 7, 0));
	SHOW(syscall(__NR_getppid));
	SHOW(filter_nr(__NR_getuid, RET_LOG, 0));
	SHOW(syscall(__NR_getuid));
	SHOW(filter_nr(__NR_getgid, RET_ALLOW | 3, SECCOMP_FILTER_FLAG_LOG));
	SHOW(syscall(__NR_getgid));
	SHOW(filter_nr(__NR_geteuid, RET_USER_NOTIF, 0));   /* no listener */
	SHOW(syscall(__NR_geteuid));
	status_lines();
}

static void c_unknown_action(void)
{
	SHOW(filter_nr(__NR_getppid, 0x00120000, 0));
	fflush(stdout);
	syscall(__NR_getppid);
	printf("not reached\n");
}

static void c_precedence(void)
{
	SHOW(filter_nr(__NR_getppid, RET_ERRNO | 1, 0));
	SHOW(filter_nr(__NR_getppid, RET_ERRNO | 2, 0));
	SHOW(syscall(__NR_getppid));          /* equal actions: the newest */
	SHOW(filter_nr(__NR_getppid, RET_ALLOW, 0));
	SHOW(syscall(__NR_getppid));          /* ERRNO beats ALLOW */
	SHOW(filter_nr(__NR_getppid, RET_TRACE, 0));
	SHOW(syscall(__NR_getppid));          /* ERRNO beats TRACE */
	SHOW(filter_nr(__NR_getuid, RET_LOG, 0));
	SHOW(filter_nr(__NR_getuid, RET_ERRNO | 3, 0));
	SHOW(syscall(__NR_getuid));
	status_lines();
}

static void c_args(void)
{
	/* write(2, ...) fails with EBADF-by-filter; arch must be ours */
	struct sock_filter f[] = {
		STMT(BPF_LD | BPF_W | BPF_ABS, ARCH_OFF),
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, MY_ARCH, 1, 0),
		STMT(BPF_RET | BPF_K, RET_KILL_PROCESS),
		STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_write, 0, 3),
		STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_OFF),
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 1),
		STMT(BPF_RET | BPF_K, RET_ERRNO | EBADF),
		STMT(BPF_RET | BPF_K, RET_ALLOW),
	};
	SHOW(install(f, 9, 0));
	SHOW(write(2, "x", 1));
	SHOW(write(1, "through fd 1\n", 13));
	/* scratch memory and BPF_LEN: A = len (64) stored, reloaded */
	struct sock_filter g[] = {
		STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		STMT(BPF_ST, 3),
		STMT(BPF_LD | BPF_IMM, 0),
		STMT(BPF_LD | BPF_MEM, 3),
		STMT(BPF_ALU | BPF_LSH | BPF_K, 10),
		STMT(BPF_ALU | BPF_DIV | BPF_K, 1024),
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, 64, 1, 0),
		STMT(BPF_RET | BPF_K, RET_KILL_PROCESS),
		STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		STMT(BPF_RET | BPF_K, RET_ERRNO | 33),
		STMT(BPF_RET | BPF_K, RET_ALLOW),
	};
	SHOW(install(g, 12, 0));
	SHOW(syscall(__NR_getppid));
}

static void c_fork_exec(void)
{
	SHOW(filter_nr(__NR_getppid, RET_ERRNO | ENOTTY, 0));
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		SHOW(syscall(__NR_getppid));
		status_lines();
		fflush(stdout);
		execl("/prog", "/prog", "afterexec", NULL);
		execl("/proc/self/exe", "seccomp", "afterexec", NULL);
		_exit(98);
	}
	int st;
	waitpid(c, &st, 0);
	printf("forked child status %d\n", st);
}

static void c_strict(void)
{
	SHOW(sys_seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL));
	fflush(stdout);
	write(1, "strict: write works\n", 20);
	syscall(__NR_getpid);
	write(1, "not reached\n", 12);
}

static void c_strict_exit(void)
{
	SHOW(prctl(PR_SET_SECCOMP, 1, 0, 0, 0));
	fflush(stdout);
	syscall(__NR_exit, 7);
}

static void actions(void)
{
	run_case("errno", c_errno);
	run_case("trap", c_trap);
	run_case("kill process", c_kill_process);
	run_case("kill thread, one thread", c_kill_thread_single);
	run_case("kill thread", c_kill_thread);
	run_case("trace, log, allow", c_trace_log_allow);
	run_case("unknown action", c_unknown_action);
	run_case("precedence", c_precedence);
	run_case("args", c_args);
	run_case("fork, exec", c_fork_exec);
	run_case("strict", c_strict);
	run_case("strict exit", c_strict_exit);
}

/* -- errors ---------------------------------------------------------------------- */

static void check(const char *what, struct sock_filter *f, unsigned short n)
{
	long r = install(f, n, 0);
	printf("check %s -> %s\n", what, r < 0 ? strerror(errno) : "accepted");
}

static void e_checker(void)
{
	struct sock_filter ok[] = { STMT(BPF_RET | BPF_K, RET_ALLOW) };
	struct sock_filter badop[] = { STMT(0xffff, 0), STMT(BPF_RET | BPF_K, RET_ALLOW) };
	struct sock_filter ja[] = { STMT(BPF_JMP | BPF_JA, 1), STMT(BPF_RET | BPF_K, RET_ALLOW) };
	struct sock_filter jeq[] = { JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
				     STMT(BPF_RET | BPF_K, RET_ALLOW) };
	struct sock_filter div0[] = { STMT(BPF_ALU | BPF_DIV | BPF_K, 0), STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter mod[] = { STMT(BPF_ALU | BPF_MOD | BPF_K, 3), STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter shift[] = { STMT(BPF_ALU | BPF_LSH | BPF_K, 32), STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter off[] = { STMT(BPF_LD | BPF_W | BPF_ABS, 64), STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter unal[] = { STMT(BPF_LD | BPF_W | BPF_ABS, 2), STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter byte[] = { STMT(BPF_LD | BPF_B | BPF_ABS, 0), STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter noret[] = { STMT(BPF_LD | BPF_IMM, 0) };
	struct sock_filter memrd[] = { STMT(BPF_LD | BPF_MEM, 1), STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter memk[] = { STMT(BPF_ST, 16), STMT(BPF_RET | BPF_A, 0) };
	struct sock_filter memjmp[] = {
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		STMT(BPF_ST, 1),
		STMT(BPF_LD | BPF_MEM, 1),
		STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_filter retx[] = { STMT(BPF_RET | 0x08, 0) };
	check("ok", ok, 1);
	check("bad opcode", badop, 2);
	check("ja out of range", ja, 2);
	check("jeq out of range", jeq, 2);
	check("div by 0", div0, 2);
	check("mod", mod, 2);
	check("shift 32", shift, 2);
	check("load past seccomp_data", off, 2);
	check("unaligned load", unal, 2);
	check("byte load", byte, 2);
	check("no ret", noret, 1);
	check("read unwritten memory", memrd, 2);
	check("memory word 16", memk, 2);
	check("memory written on one path", memjmp, 4);
	check("ret x", retx, 1);
	check("len 0", ok, 0);
	static struct sock_filter big[4097];
	for (int i = 0; i < 4097; i++)
		big[i] = (struct sock_filter)STMT(BPF_RET | BPF_K, RET_ALLOW);
	check("len 4097", big, 4097);
	check("len 4096", big, 4096);
	SHOW(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, NULL));
	SHOW(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, (void *)8));
	struct sock_fprog badptr = { 1, (void *)8 };
	SHOW(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &badptr));
	/* MAX_INSNS_PER_PATH: each filter costs its length + 4 */
	int n = 0;
	while (n < 20 && install(big, 4096, 0) == 0)
		n++;
	printf("4096-instruction filters before %s: %d\n", strerror(errno), n);
	/* strict after filter: EINVAL */
	SHOW(sys_seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL));
}

static void e_args(void)
{
	struct sock_filter ok[] = { STMT(BPF_RET | BPF_K, RET_ALLOW) };
	struct sock_fprog p = { 1, ok };
	SHOW(sys_seccomp(99, 0, NULL));
	SHOW(sys_seccomp(SECCOMP_SET_MODE_STRICT, 1, NULL));
	SHOW(sys_seccomp(SECCOMP_SET_MODE_STRICT, 0, &p));
	SHOW(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0x40, &p));
	SHOW(sys_seccomp(SECCOMP_SET_MODE_FILTER, 32, &p));
	SHOW(sys_seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC
			 | SECCOMP_FILTER_FLAG_NEW_LISTENER, &p));
	uint32_t acts[] = { RET_KILL_PROCESS, RET_KILL_THREAD, RET_TRAP, RET_ERRNO, RET_USER_NOTIF,
			    RET_TRACE, RET_LOG, RET_ALLOW, 0x00120000, 0x7fff0001 };
	for (unsigned i = 0; i < sizeof acts / sizeof *acts; i++) {
		long r = sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &acts[i]);
		printf("action %08x -> %s\n", acts[i], r < 0 ? strerror(errno) : "available");
	}
	SHOW(sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 1, &acts[0]));
	SHOW(sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, (void *)8));
	struct seccomp_notif_sizes sz;
	SHOW(sys_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &sz));
	printf("sizes %u %u %u\n", sz.notif, sz.resp, sz.data);
	SHOW(sys_seccomp(SECCOMP_GET_NOTIF_SIZES, 1, &sz));
	SHOW(prctl(PR_SET_SECCOMP, 3, 0, 0, 0));
	SHOW(prctl(PR_SET_SECCOMP, 2, (void *)8, 0, 0));
	SHOW(prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0));
	SHOW(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0));
	SHOW(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0));
	SHOW(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	SHOW(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	SHOW(prctl(PR_SET_SECCOMP, 2, &p, 0, 0));
	SHOW(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
}

static void e_nnp(void)
{
	/* without no_new_privs, an unprivileged task may not */
	struct sock_filter ok[] = { STMT(BPF_RET | BPF_K, RET_ALLOW) };
	if (setuid(65534))
		printf("setuid failed\n");
	SHOW(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	SHOW(install(ok, 1, 0));
	SHOW(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	SHOW(install(ok, 1, 0));
	status_lines();
}

static volatile int spin = 1;
static pid_t other_tid;

static void *tsync_thread(void *arg)
{
	other_tid = syscall(__NR_gettid);
	if (arg)
		filter_nr(__NR_getuid, RET_ERRNO | 9, 0);
	while (spin)
		usleep(1000);
	printf("thread: getppid %ld\n", syscall(__NR_getppid) < 0 ? (long)-errno : 0L);
	return NULL;
}

static void e_tsync(void)
{
	pthread_t th;
	pthread_create(&th, NULL, tsync_thread, NULL);
	while (!other_tid)
		usleep(1000);
	SHOW(filter_nr(__NR_getppid, RET_ERRNO | 8, SECCOMP_FILTER_FLAG_TSYNC));
	spin = 0;
	pthread_join(th, NULL);
	status_lines();
	/* a thread with a filter of its own cannot be synchronised */
	spin = 1;
	other_tid = 0;
	pthread_create(&th, NULL, tsync_thread, (void *)1);
	while (!other_tid)
		usleep(1000);
	usleep(20000);
	long r = filter_nr(__NR_geteuid, RET_ERRNO | 8, SECCOMP_FILTER_FLAG_TSYNC);
	printf("tsync -> %s\n", r == other_tid ? "the other thread's tid" : strerror(errno));
	SHOW(filter_nr(__NR_geteuid, RET_ERRNO | 8, SECCOMP_FILTER_FLAG_TSYNC
		       | SECCOMP_FILTER_FLAG_TSYNC_ESRCH));
	spin = 0;
	pthread_join(th, NULL);
}

static void errors(void)
{
	run_case("checker", e_checker);
	run_case("arguments", e_args);
	preset_nnp = 0;
	run_case("no_new_privs", e_nnp);
	preset_nnp = 1;
	run_case("tsync", e_tsync);
}

/* -- notify ------------------------------------------------------------------------ */

static int listener;

static int recv_one(struct seccomp_notif *n)
{
	memset(n, 0, sizeof *n);
	return ioctl(listener, NOTIF_RECV, n);
}

static void reply(uint64_t id, int64_t val, int32_t error, uint32_t flags)
{
	struct seccomp_notif_resp r = { id, val, error, flags };
	SHOW(ioctl(listener, NOTIF_SEND, &r));
}

static void n_main(void)
{
	struct sock_filter f[] = {
		STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 2, 0),
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_uname, 1, 0),
		STMT(BPF_RET | BPF_K, RET_ALLOW),
		STMT(BPF_RET | BPF_K, RET_USER_NOTIF),
	};
	listener = install(f, 5, SECCOMP_FILTER_FLAG_NEW_LISTENER);
	printf("listener fd %s, cloexec %d\n", listener >= 0 ? "ok" : strerror(errno),
	       fcntl(listener, F_GETFD) & FD_CLOEXEC);
	SHOW(install(f, 5, SECCOMP_FILTER_FLAG_NEW_LISTENER));   /* one per chain */
	struct pollfd pfd = { listener, POLLIN | POLLOUT, 0 };
	SHOW(poll(&pfd, 1, 0));
	int p[2];
	pipe(p);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		close(listener);
		long r = syscall(__NR_getppid);
		printf("child: getppid -> %ld\n", r);
		struct utsname u;
		r = uname(&u);
		printf("child: uname -> %ld %s\n", r, u.sysname);
		r = syscall(__NR_getppid);
		printf("child: getppid -> %ld (%s)\n", r, r < 0 ? strerror(errno) : "");
		r = syscall(__NR_getppid);
		printf("child: getppid gave fd %s\n", r > 2 ? "yes" : "no");
		if (r > 2)
			write(r, "via addfd", 9);
		fflush(stdout);
		_exit(0);
	}
	struct seccomp_notif n;
	struct seccomp_notif bad;
	memset(&bad, 0, sizeof bad);
	bad.pid = 1;
	SHOW(ioctl(listener, NOTIF_RECV, &bad));
	SHOW(recv_one(&n));
	printf("notif: nr is getppid %d, pid is child %d, arch ok %d\n",
	       n.data.nr == __NR_getppid, (pid_t)n.pid == c, n.data.arch == MY_ARCH);
	SHOW(poll(&pfd, 1, 0));
	printf("revents %x\n", pfd.revents);
	SHOW(ioctl(listener, NOTIF_ID_VALID, &n.id));
	uint64_t wrong = n.id + 1000;
	SHOW(ioctl(listener, NOTIF_ID_VALID, &wrong));
	reply(wrong, 1, 0, 0);
	reply(n.id, 1, 0, 2);
	reply(n.id, 1, 0, 1);
	reply(n.id, 4242, 0, 0);
	SHOW(ioctl(listener, NOTIF_ID_VALID, &n.id));
	SHOW(recv_one(&n));
	printf("notif: nr is uname %d\n", n.data.nr == __NR_uname);
	reply(n.id, 0, 0, 1);                       /* let it run */
	SHOW(recv_one(&n));
	reply(n.id, 0, -EPERM, 0);
	SHOW(recv_one(&n));
	struct seccomp_notif_addfd a = { n.id, 2, p[1], 0, 0 };
	long fd = ioctl(listener, NOTIF_ADDFD, &a);
	printf("addfd+send -> %s\n", fd > 2 ? "an fd" : strerror(errno));
	int st;
	waitpid(c, &st, 0);
	char buf[16] = { 0 };
	read(p[0], buf, sizeof buf - 1);
	printf("child status %d, pipe got '%s'\n", st, buf);
	pfd.events = POLLIN;
	SHOW(poll(&pfd, 1, 0));
	printf("revents %x\n", pfd.revents);
	/* the listener closed: USER_NOTIF calls fail with ENOSYS */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		close(listener);
		SHOW(syscall(__NR_getppid));
		fflush(stdout);
		_exit(0);
	}
	close(listener);
	waitpid(c, NULL, 0);
}

static void notify(void)
{
	run_case("user notification", n_main);
}

/* -- no_new_privs and set-user-ID programs ----------------------------------------- */

static void nnp(const char *dir, const char *self)
{
	char path[256], buf[1 << 16];
	mkdir(dir, 01777);                      /* pyuml's initramfs has none */
	snprintf(path, sizeof path, "%s/seccomp-suid-%d", dir, getpid());
	int in = open(self, O_RDONLY), out = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	ssize_t n;
	while ((n = read(in, buf, sizeof buf)) > 0)
		write(out, buf, n);
	close(in);
	close(out);
	chown(path, 1234, 4321);
	chmod(path, 06755);
	for (int with = 0; with < 2; with++) {
		fflush(stdout);
		pid_t c = fork();
		if (c == 0) {
			setgid(65534);
			setuid(65534);
			if (with)
				prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
			execl(path, path, "ids", NULL);
			_exit(97);
		}
		waitpid(c, NULL, 0);
	}
	unlink(path);
}

static void ids(void)
{
	printf("exec: uid %d euid %d gid %d egid %d nnp %d\n", getuid(), geteuid(), getgid(),
	       getegid(), prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "afterexec")) {
		SHOW(syscall(__NR_getppid));
		status_lines();
		fflush(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "ids")) {
		ids();
		return 0;
	}
	if (access("/proc/self/status", R_OK)) {        /* pyuml's initramfs */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	test_as_child();
	if (!strcmp(argv[1], "actions"))
		actions();
	else if (!strcmp(argv[1], "errors"))
		errors();
	else if (!strcmp(argv[1], "notify"))
		notify();
	else if (!strcmp(argv[1], "nnp") && argc > 2)
		nnp(argv[2], argv[0][0] == '/' && !access(argv[0], R_OK) ? argv[0] : "/proc/self/exe");
	fflush(stdout);
	return 0;
}
