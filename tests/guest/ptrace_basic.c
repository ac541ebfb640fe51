/*
 * tests/guest/ptrace_basic.c - ptrace(2): attaching, stops, memory, registers,
 * signals, errors.  Run as "ptrace_basic SCENARIO"; every scenario traces a
 * child of its own and prints what it sees (no pids, no addresses), so the
 * output is compared with the host kernel's.
 */
#include "ptrace_util.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>


static pid_t child_self;         /* in the child: its pid */

/* the child side of most scenarios: be traced, stop, then do `then` */
static pid_t traced_child(void (*then)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		child_self = getpid();
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0) {
			printf("child: TRACEME: %s\n", strerror(errno));
			_exit(90);
		}
		kill(getpid(), SIGSTOP);
		then();
		_exit(0);
	}
	return pid;
}

/* -- TRACEME, signal-delivery stops, exec's SIGTRAP -------------------------- */

static void exec_self(void)
{
	execl("/proc/self/exe", "ptrace_basic", "exec-child", (char *)0);
	_exit(91);
}

static void scenario_traceme(void)
{
	pid_t pid = traced_child(exec_self);
	siginfo_t si;
	int st = wait_show("tracer", pid);
	if (pt(PTRACE_GETSIGINFO, pid, 0, &si) == 0)
		printf("siginfo: %s code %s from child %d\n", strsignal(si.si_signo),
		       si_code_name(si.si_code), si.si_pid == pid);
	/* TRACEME twice fails; it was checked in the child */
	PT(PTRACE_CONT, pid, 0, 0);
	st = wait_show("tracer", pid);          /* the exec's SIGTRAP */
	if (pt(PTRACE_GETSIGINFO, pid, 0, &si) == 0)
		printf("siginfo: %s code %s from the child %d\n", strsignal(si.si_signo),
		       si_code_name(si.si_code), si.si_pid == pid);
	/* /proc/PID/status while traced and stopped */
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f)) {
		if (!strncmp(line, "State:", 6))
			printf("%s", line);
		if (!strncmp(line, "TracerPid:", 10))
			printf("TracerPid is the tracer: %d\n", atoi(line + 10) == getpid());
	}
	if (f)
		fclose(f);
	PT(PTRACE_CONT, pid, 0, 0);
	st = wait_show("tracer", pid);
	(void)st;
}

/* -- memory: PEEK/POKE, copy-on-write of text ------------------------------ */

volatile long data_word = (long)0x1122334455667788LL;
static const long rodata_word = (long)0x0102030405060708LL;
static int text_target(int x) { return x + 1; }

static void check_memory(void)
{
	printf("child: data_word %#lx\n", (unsigned long)data_word);
	printf("child: rodata_word %#lx\n", (unsigned long)*(volatile const long *)&rodata_word);
	printf("child: first text byte %#x\n", *(volatile unsigned char *)(void *)text_target);
	fflush(stdout);
}

static void scenario_peekpoke(void)
{
	pid_t pid = traced_child(check_memory);
	wait_show("tracer", pid);
	errno = 0;
	long w = ptrace(PTRACE_PEEKDATA, pid, (void *)&data_word, 0);
	printf("PEEKDATA data_word %#lx errno %d\n", (unsigned long)w, errno);
	PT(PTRACE_POKEDATA, pid, &data_word, 0x5566L);
	/* read-only data and program text: written by copy on write */
	PT(PTRACE_POKEDATA, pid, &rodata_word, 0x0a0b0c0dL);
	errno = 0;
	long t = ptrace(PTRACE_PEEKTEXT, pid, (void *)text_target, 0);
	long nt = (t & ~0xffL) | 0xcc;
	PT(PTRACE_POKETEXT, pid, (void *)text_target, nt);
	errno = 0;
	long back = ptrace(PTRACE_PEEKTEXT, pid, (void *)text_target, 0);
	printf("PEEKTEXT after POKETEXT: low byte %#lx, rest kept %d\n",
	       (unsigned long)(back & 0xff), (back & ~0xffL) == (t & ~0xffL));
	/* the tracer's own copies are untouched */
	printf("tracer: data_word %#lx rodata_word %#lx text byte %#x\n",
	       (unsigned long)data_word, (unsigned long)rodata_word,
	       *(volatile unsigned char *)(void *)text_target);
	/* unmapped and misaligned-but-mapped addresses */
	errno = 0;
	ptrace(PTRACE_PEEKDATA, pid, (void *)16, 0);
	printf("PEEKDATA at 16: %s\n", strerror(errno));
	PT(PTRACE_POKEDATA, pid, 16, 1);
	errno = 0;
	w = ptrace(PTRACE_PEEKDATA, pid, (char *)&data_word + 1, 0);
	printf("PEEKDATA misaligned: errno %d\n", errno);
	/* /proc/PID/mem sees the same memory, and writes to it */
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/mem", pid);
	int fd = open(path, O_RDWR);
	long v = 0;
	if (fd < 0 || pread(fd, &v, sizeof v, (off_t)(uintptr_t)&data_word) != sizeof v)
		printf("/proc/PID/mem read: %s\n", strerror(errno));
	else
		printf("/proc/PID/mem data_word %#lx\n", (unsigned long)v);
	v = 0x7777;
	if (pwrite(fd, &v, sizeof v, (off_t)(uintptr_t)&data_word) != sizeof v)
		printf("/proc/PID/mem write: %s\n", strerror(errno));
	errno = 0;
	ssize_t got = pread(fd, &v, sizeof v, 16);
	printf("/proc/PID/mem at 16: %zd (%s)\n", got, strerror(errno));
	close(fd);
	/* the memory of an untraced process is not ours to poke */
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracer", pid);
}

/* -- registers ----------------------------------------------------------------- */

static void kill_then_report(void)
{
	long r = kill(child_self, SIGUSR1);     /* SIGUSR1 is blocked below */
	printf("child: kill returned %ld\n", r);
	fflush(stdout);
}

static void scenario_regs(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid_t pid = traced_child(kill_then_report);
	struct user_regs_struct r;
	wait_show("tracer", pid);                       /* SIGSTOP */
	PT(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD);
	PT(PTRACE_SYSCALL, pid, 0, 0);
	wait_show("tracer", pid);                       /* kill(SIGUSR1): entry */
	get_regs(pid, &r);
	printf("entry: result register is -ENOSYS %d, orig is kill %d\n",
	       (long)r.REG_AX == -ENOSYS, (long)r.REG_ORIG == SYS_kill);
	PT(PTRACE_SYSCALL, pid, 0, 0);
	wait_show("tracer", pid);                       /* its exit */
	get_regs(pid, &r);
	printf("exit: result %ld\n", (long)r.REG_AX);
	r.REG_AX = 42;
	PT(PTRACE_SETREGS, pid, 0, &r);
	/* PEEKUSER/POKEUSER of a register */
	long off = (long)offsetof(struct user_regs_struct, REG_AX);
	errno = 0;
	long ax = ptrace(PTRACE_PEEKUSER, pid, (void *)off, 0);
	printf("PEEKUSER ax %ld\n", ax);
	PT(PTRACE_POKEUSER, pid, off, 43);
	errno = 0;
	ptrace(PTRACE_PEEKUSER, pid, (void *)(off + 1), 0);
	printf("PEEKUSER misaligned: %s\n", strerror(errno));
	errno = 0;
	ptrace(PTRACE_PEEKUSER, pid, (void *)sizeof(struct user) + 64, 0);
	printf("PEEKUSER beyond struct user: %s\n", strerror(errno));
	/* segment registers: an RPL-0 selector is refused */
	get_regs(pid, &r);
	struct user_regs_struct bad = r;
#ifdef __x86_64__
	bad.ds = 0x10;
#else
	bad.xds = 0x10;
#endif
	PT(PTRACE_SETREGS, pid, 0, &bad);
	/* only user-changeable EFLAGS bits change (IOPL stays 0) */
	bad = r;
	bad.eflags |= 0x3000;
	PT(PTRACE_SETREGS, pid, 0, &bad);
	get_regs(pid, &r);
	printf("IOPL after SETREGS: %ld\n", (long)((r.eflags >> 12) & 3));
	/* the regsets */
	struct iovec iov;
	char buf[8192];
	iov.iov_base = buf;
	iov.iov_len = sizeof buf;
	PT(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov);
	printf("NT_PRSTATUS size %zu\n", iov.iov_len);
	iov.iov_len = sizeof buf;
	PT(PTRACE_GETREGSET, pid, NT_PRFPREG, &iov);
	printf("NT_PRFPREG size %zu\n", iov.iov_len);
	iov.iov_len = sizeof buf;
	PT(PTRACE_GETREGSET, pid, NT_X86_XSTATE, &iov);
	printf("NT_X86_XSTATE size over 512: %d\n", iov.iov_len > 512);
	iov.iov_len = 7;
	PT(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov);
	iov.iov_len = 8;
	PT(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov);
	printf("partial NT_PRSTATUS size %zu\n", iov.iov_len);
	iov.iov_len = sizeof buf;
	PT(PTRACE_GETREGSET, pid, 0x999, &iov);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracer", pid);
}

/* -- signals: change, cancel, siginfo ------------------------------------------- */

static void handler(int sig, siginfo_t *si, void *uc)
{
	printf("child: got %s code %s value %d\n", strsignal(sig), si_code_name(si->si_code),
	       si->si_value.sival_int);
	fflush(stdout);
}

static void signals_child(void)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	union sigval v = {.sival_int = 5};
	sigqueue(getpid(), SIGUSR1, v);         /* changed into SIGUSR2 */
	sigqueue(getpid(), SIGUSR1, v);         /* cancelled */
	sigqueue(getpid(), SIGUSR1, v);         /* siginfo rewritten */
	signal(SIGCHLD, SIG_IGN);
	kill(getpid(), SIGCHLD);                /* ignored, but the tracer sees it */
	printf("child: done\n");
}

static void scenario_siginfo(void)
{
	pid_t pid = traced_child(signals_child);
	siginfo_t si;
	wait_show("tracer", pid);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracer", pid);
	pt(PTRACE_GETSIGINFO, pid, 0, &si);
	printf("siginfo %s code %s value %d\n", strsignal(si.si_signo), si_code_name(si.si_code),
	       si.si_value.sival_int);
	PT(PTRACE_CONT, pid, 0, SIGUSR2);
	wait_show("tracer", pid);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracer", pid);
	pt(PTRACE_GETSIGINFO, pid, 0, &si);
	si.si_value.sival_int = 99;
	si.si_code = -60;
	PT(PTRACE_SETSIGINFO, pid, 0, &si);
	PT(PTRACE_CONT, pid, 0, SIGUSR1);
	wait_show("tracer", pid);
	pt(PTRACE_GETSIGINFO, pid, 0, &si);
	printf("siginfo %s code %s\n", strsignal(si.si_signo), si_code_name(si.si_code));
	PT(PTRACE_CONT, pid, 0, SIGCHLD);
	wait_show("tracer", pid);
}

/* -- errors ---------------------------------------------------------------------- */

static void sleep_forever(void)
{
	for (;;)
		pause();
}

static void scenario_errors(void)
{
	PT(PTRACE_CONT, getppid(), 0, 0);          /* not our tracee */
	PT(PTRACE_PEEKDATA, 999999, 0, 0);         /* no such task */
	PT(PTRACE_ATTACH, getpid(), 0, 0);         /* ourselves */
	pid_t pid = traced_child(sleep_forever);
	wait_show("tracer", pid);
	PT(0x7777, pid, 0, 0);                     /* no such request */
	PT(PTRACE_SETOPTIONS, pid, 0, 0x80000000);
	PT(PTRACE_CONT, pid, 0, 100);              /* not a signal */
	PT(PTRACE_DETACH, pid, 0, 65);
	PT(PTRACE_LISTEN, pid, 0, 0);              /* not seized */
	PT(PTRACE_INTERRUPT, pid, 0, 0);
	PT(PTRACE_ATTACH, pid, 0, 0);              /* traced already */
	PT(PTRACE_GETEVENTMSG, pid, 0, 0);         /* bad address */
	PT(PTRACE_GETREGS, pid, 0, 8);
	PT(PTRACE_GETSIGINFO, pid, 0, 16);
	PT(PTRACE_CONT, pid, 0, 0);
	/* running: requests other than KILL/INTERRUPT need a stopped tracee */
	PT(PTRACE_GETREGS, pid, 0, 0);
	PT(PTRACE_KILL, pid, 0, 0);
	wait_show("tracer", pid);
	PT(PTRACE_KILL, pid, 0, 0);                /* gone */
}

/* -- PTRACE_KILL, EXITKILL, DETACH -------------------------------------------------- */

static void scenario_kill(void)
{
	pid_t pid = traced_child(sleep_forever);
	wait_show("tracer", pid);
	PT(PTRACE_KILL, pid, 0, 0);
	wait_show("tracer", pid);

	/* a tracer that exits with EXITKILL takes its tracee along */
	fflush(stdout);
	pid_t victim = fork();
	if (victim == 0)
		sleep_forever();
	pid_t tracer = fork();
	if (tracer == 0) {
		if (ptrace(PTRACE_SEIZE, victim, 0, PTRACE_O_EXITKILL) < 0)
			printf("SEIZE: %s\n", strerror(errno));
		_exit(0);
	}
	wait_describe("tracer", tracer);
	wait_describe("victim (EXITKILL)", victim);

	/* without EXITKILL the tracee lives on, and DETACH can pass a signal */
	fflush(stdout);
	victim = fork();
	if (victim == 0)
		sleep_forever();
	tracer = fork();
	if (tracer == 0) {
		ptrace(PTRACE_ATTACH, victim, 0, 0);
		print_status("attached", wait_quiet(victim));
		siginfo_t si;
		if (pt(PTRACE_GETSIGINFO, victim, 0, &si) == 0)
			printf("attach stop: %s code %s\n", strsignal(si.si_signo),
			       si_code_name(si.si_code));
		PT(PTRACE_DETACH, victim, 0, SIGTERM);
		_exit(0);
	}
	wait_describe("tracer", tracer);
	wait_describe("victim (detached with SIGTERM)", victim);
}

/* -- the tracer is the tracee's parent for wait; the real parent sees the rest --- */

static void scenario_waitparent(void)
{
	int p2c[2];
	pid_t me = getpid();
	pipe(p2c);
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		char c;
		read(p2c[0], &c, 1);             /* until the tracer is there */
		printf("child: getppid is the real parent %d\n", getppid() == me);
		fflush(stdout);
		_exit(3);
	}
	pid_t tracer = fork();
	if (tracer == 0) {
		if (ptrace(PTRACE_SEIZE, child, 0, 0) < 0)
			printf("SEIZE: %s\n", strerror(errno));
		write(p2c[1], "x", 1);
		int st = wait_show("tracer sees", child);
		(void)st;
		errno = 0;
		printf("tracer: second wait -> %d (%s)\n", (int)waitpid(child, &st, __WALL),
		       strerror(errno));
		_exit(0);
	}
	/* the real parent cannot reap it before the tracer has */
	int st;
	wait_describe("tracer", tracer);
	pid_t w = waitpid(child, &st, 0);
	printf("parent: waitpid is the child %d\n", w == child);
	describe_status("parent sees", st);
}

/* -- waitid sees ptrace stops as CLD_TRAPPED ------------------------------------------- */

static void syscall_then_exit(void)
{
	syscall(SYS_getppid);
	_exit(4);
}

static void show_waitid(pid_t pid, int options)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	if (waitid(P_PID, pid, &si, options) < 0) {
		printf("waitid: %s\n", strerror(errno));
		return;
	}
	const char *code = si.si_code == CLD_TRAPPED ? "CLD_TRAPPED" : si.si_code == CLD_EXITED
		? "CLD_EXITED" : si.si_code == CLD_STOPPED ? "CLD_STOPPED" : "?";
	printf("waitid: %s status %#x, the child %d\n", code, si.si_status, si.si_pid == pid);
}

static void scenario_waitid(void)
{
	pid_t pid = traced_child(syscall_then_exit);
	show_waitid(pid, WEXITED | WNOWAIT);            /* a tracer needs no WSTOPPED */
	show_waitid(pid, WSTOPPED);                     /* consumed */
	PT(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD);
	PT(PTRACE_SYSCALL, pid, 0, 0);
	show_waitid(pid, WEXITED);                      /* SIGTRAP | 0x80 */
	siginfo_t si;
	printf("nothing more to report: %d\n",
	       waitid(P_PID, pid, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0);
	PT(PTRACE_CONT, pid, 0, 0);
	show_waitid(pid, WEXITED);
}

/* -- who may trace whom (ptrace_may_access; no Yama) -------------------------------------- */

static pid_t as_user(uid_t uid, int dumpable)
{
	int p[2];
	char c;
	pipe(p);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
			_exit(97);
		/* a change of ids made it non-dumpable; it may say otherwise */
		printf("%s: dumpable after setresuid %d\n", dumpable ? "v" : "nd",
		       prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
		fflush(stdout);
		prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
		write(p[1], "u", 1);                    /* it is that user now */
		for (;;)
			pause();
	}
	read(p[0], &c, 1);
	close(p[0]);
	close(p[1]);
	return pid;
}

static void try_attach(const char *what, uid_t uid, pid_t victim)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (uid && (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0))
			_exit(97);
		errno = 0;
		long r = ptrace(PTRACE_SEIZE, victim, 0, 0);
		printf("%s: SEIZE -> %ld (%s)\n", what, r, strerror(errno));
		fflush(stdout);
		_exit(0);
	}
	wait_quiet(pid);
}

static void scenario_perm(void)
{
	pid_t v = as_user(1000, 1);
	pid_t nd = as_user(1000, 0);
	try_attach("same user", 1000, v);
	try_attach("other user", 2000, v);
	try_attach("root", 0, v);
	try_attach("same user, not dumpable", 1000, nd);
	try_attach("root, not dumpable", 0, nd);
	kill(v, SIGKILL);
	kill(nd, SIGKILL);
	wait_quiet(v);
	wait_quiet(nd);
}

/* -- POKEUSER of registers: what a tracer may write, and what it reads back ---------------- */

static void scenario_pokeuser(int argc, char **argv)
{
	pid_t pid = traced_child(sleep_forever);
	wait_show("tracer", pid);
	struct user_regs_struct saved, r;
	get_regs(pid, &saved);
	for (int i = 2; i < argc; i++) {
		unsigned long off, val;
		if (sscanf(argv[i], "%lx:%lx", &off, &val) != 2)
			continue;
		errno = 0;
		long ret = ptrace(PTRACE_POKEUSER, pid, (void *)off, (void *)val);
		get_regs(pid, &r);
		errno = ret < 0 ? errno : 0;
		printf("POKEUSER %#lx = %#lx: %s;", off, val, ret < 0 ? strerror(errno) : "ok");
		/* the registers the write may touch, relative to the saved ones */
		unsigned long *a = (unsigned long *)&saved, *b = (unsigned long *)&r;
		for (unsigned k = 0; k < sizeof r / sizeof(long); k++)
			if (a[k] != b[k] && k * sizeof(long) != offsetof(struct user_regs_struct, REG_AX))
				printf(" [%u]=%#lx", k, b[k]);
		printf("\n");
	}
	PT(PTRACE_SETREGS, pid, 0, &saved);
	PT(PTRACE_KILL, pid, 0, 0);
	wait_show("tracer", pid);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exec-child")) {
		long r = ptrace(PTRACE_TRACEME, 0, 0, 0);
		printf("exec'd child: TRACEME again -> %ld (%s)\n", r, strerror(errno));
		fflush(stdout);
		_exit(7);
	}
	need_proc();
	test_as_child();
	const char *what = argc > 1 ? argv[1] : "";
	if (!strcmp(what, "traceme"))
		scenario_traceme();
	else if (!strcmp(what, "peekpoke"))
		scenario_peekpoke();
	else if (!strcmp(what, "regs"))
		scenario_regs();
	else if (!strcmp(what, "siginfo"))
		scenario_siginfo();
	else if (!strcmp(what, "errors"))
		scenario_errors();
	else if (!strcmp(what, "kill"))
		scenario_kill();
	else if (!strcmp(what, "waitparent"))
		scenario_waitparent();
	else if (!strcmp(what, "waitid"))
		scenario_waitid();
	else if (!strcmp(what, "perm"))
		scenario_perm();
	else if (!strcmp(what, "pokeuser"))
		scenario_pokeuser(argc, argv);
	else
		printf("usage: ptrace_basic SCENARIO\n");
	fflush(stdout);
	return 0;
}
