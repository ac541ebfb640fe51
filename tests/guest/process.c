/*
 * process: fork, vfork, clone, clone3, wait4/waitid, zombies, reparenting,
 * SIGCHLD, process groups and sessions.  process MODE:
 *   fork      parent/child identities, exit statuses, getppid
 *   vfork     the parent waits; the child borrows its memory
 *   clone     clone(2) process flavours: exit signals, CLONE_PARENT, __WCLONE
 *   clone3    clone3(2) as fork, with exit_signal, and its EINVAL cases
 *   wait      WNOHANG, WUNTRACED, WCONTINUED, waitid + WNOWAIT, ECHILD, pgid
 *   zombie    an unwaited child stays until reaped; orphans go to the reaper
 *   sigchld   SIGCHLD's siginfo, SA_NOCLDSTOP, SA_NOCLDWAIT, SIG_IGN
 *   pgrp      setpgid/getpgid/getpgrp/setsid/getsid and kill(-pgrp)
 */
#include "procs.h"
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/resource.h>

static int global_var = 10;

static void do_fork(void)
{
	pid_t me = getpid();
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		printf("child: ppid is parent %d, pid differs %d\n", getppid() == me, getpid() != me);
		global_var = 20;
		fflush(stdout);
		_exit(42);
	}
	int st;
	pid_t w = wait4(c, &st, 0, NULL);
	printf("parent: wait4 returned child %d, global %d\n", w == c, global_var);
	describe_status("child", st);
	/* many children, reaped in any order */
	int sum = 0;
	for (int i = 0; i < 10; i++)
		if (fork() == 0)
			_exit(i);
	for (int i = 0; i < 10; i++) {
		wait(&st);
		sum += WEXITSTATUS(st);
	}
	printf("sum of 10 exit codes %d\n", sum);
	SHOW(wait(&st));
	/* exit status is 8 bits */
	if ((c = fork()) == 0)
		exit(0x1234);
	wait_describe("exit(0x1234)", c);
	/* the child of a child */
	if ((c = fork()) == 0) {
		pid_t g = fork();
		if (g == 0)
			_exit(3);
		int s;
		waitpid(g, &s, 0);
		_exit(WEXITSTATUS(s) + 1);
	}
	wait_describe("grandparent sees", c);
	/* exit_group from a child with stdio buffered: flushed by exit() */
	if ((c = fork()) == 0) {
		printf("buffered line from child\n");
		exit(5);
	}
	wait_describe("stdio child", c);
}

static void do_vfork(void)
{
	volatile int shared = 1;
	fflush(stdout);
	pid_t c = vfork();
	if (c == 0) {
		shared = 2;     /* the parent sees it: same memory */
		_exit(7);
	}
	printf("after vfork: shared %d (child wrote before we resumed)\n", shared);
	wait_describe("vfork child", c);
	/* vfork + exec failure path */
	c = vfork();
	if (c == 0) {
		execl("/nonexistent/prog", "x", NULL);
		_exit(127);
	}
	wait_describe("vfork+bad exec", c);
}

static char clone_stack[65536] __attribute__((aligned(16)));

static int clone_fn(void *arg)
{
	printf("clone child: ppid same as parent's %d\n", getppid() == (pid_t)(intptr_t)arg);
	fflush(stdout);
	return 9;
}

static int quiet_fn(void *arg)
{
	return getppid() == (pid_t)(intptr_t)arg ? 8 : 1;
}

static void do_clone(void)
{
	int st;
	pid_t c = clone(clone_fn, clone_stack + sizeof clone_stack, SIGCHLD, (void *)(intptr_t)getpid());
	wait_describe("clone SIGCHLD child", c);
	/* an exit signal other than SIGCHLD: a "clone" child, invisible to a
	 * plain wait, found with __WCLONE or __WALL */
	signal(SIGUSR1, SIG_IGN);
	c = clone(clone_fn, clone_stack + sizeof clone_stack, SIGUSR1, (void *)(intptr_t)getpid());
	usleep(50000);
	SHOW(waitpid(c, &st, WNOHANG));
	pid_t w = waitpid(c, &st, __WCLONE);
	printf("__WCLONE found it %d\n", w == c);
	describe_status("clone SIGUSR1 child", st);
	c = clone(clone_fn, clone_stack + sizeof clone_stack, 0, (void *)(intptr_t)getpid());
	w = waitpid(c, &st, __WALL);
	printf("__WALL found the exit_signal 0 child %d\n", w == c);
	/* CLONE_PARENT: the new process is our sibling */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		pid_t s = clone(quiet_fn, clone_stack + sizeof clone_stack,
				CLONE_PARENT | SIGCHLD, (void *)(intptr_t)getppid());
		SHOW(waitpid(s, &st, 0));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("CLONE_PARENT caller", c);
	w = wait(&st);
	printf("the sibling was ours to reap %d\n", w > 0);
	describe_status("sibling", st);
	SHOW(clone(clone_fn, clone_stack + sizeof clone_stack, CLONE_SIGHAND, NULL));
	SHOW(clone(clone_fn, clone_stack + sizeof clone_stack, CLONE_THREAD | CLONE_VM, NULL));
}

struct clone_args_v0 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static long clone3(struct clone_args_v0 *a, size_t size)
{
	return syscall(SYS_clone3, a, size);
}

static void do_clone3(void)
{
	struct clone_args_v0 a;
	memset(&a, 0, sizeof a);
	a.exit_signal = SIGCHLD;
	fflush(stdout);
	long c = clone3(&a, sizeof a);
	if (c == 0) {
		global_var = 99;
		_exit(11);
	}
	printf("clone3 returned a pid %d, global %d\n", c > 0, global_var);
	wait_describe("clone3 child", c);
	pid_t ptid = 0;
	memset(&a, 0, sizeof a);
	a.flags = CLONE_PARENT_SETTID;
	a.parent_tid = (uintptr_t)&ptid;
	a.exit_signal = SIGCHLD;
	c = clone3(&a, sizeof a);
	if (c == 0)
		_exit(0);
	printf("CLONE_PARENT_SETTID wrote the pid %d\n", ptid == c);
	wait_describe("settid child", c);
	memset(&a, 0, sizeof a);
	a.exit_signal = 200;
	SHOW(clone3(&a, sizeof a));
	memset(&a, 0, sizeof a);
	SHOW(clone3(&a, 8));
	a.stack = 0;
	a.stack_size = 4096;
	SHOW(clone3(&a, sizeof a));
	memset(&a, 0, sizeof a);
	a.flags = CLONE_THREAD;
	SHOW(clone3(&a, sizeof a));
	SHOW(clone3((void *)16, sizeof a));
	/* trailing bytes must be zero */
	char big[128];
	memset(big, 0, sizeof big);
	((struct clone_args_v0 *)big)->exit_signal = SIGCHLD;
	big[100] = 1;
	SHOW(clone3((void *)big, sizeof big));
}

static void do_wait(void)
{
	int st;
	siginfo_t si;
	SHOW(waitpid(-1, &st, WNOHANG));
	int p[2];
	pipe(p);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		char x;
		close(p[1]);
		read(p[0], &x, 1);  /* wait for the parent's go */
		_exit(6);
	}
	close(p[0]);
	SHOW(waitpid(c, &st, WNOHANG));
	kill(c, SIGSTOP);
	pid_t w = waitpid(c, &st, WUNTRACED);
	printf("WUNTRACED: %d\n", w == c);
	describe_status("child", st);
	SHOW(waitpid(c, &st, WUNTRACED | WNOHANG));
	kill(c, SIGCONT);
	w = waitpid(c, &st, WCONTINUED);
	printf("WCONTINUED: %d\n", w == c);
	describe_status("child", st);
	/* stop again, see it with waitid, leave it with WNOWAIT */
	kill(c, SIGSTOP);
	memset(&si, 0, sizeof si);
	SHOW(waitid(P_PID, c, &si, WSTOPPED | WNOWAIT));
	printf("waitid: signo %d code %d status %d pid ok %d\n", si.si_signo, si.si_code,
	       si.si_status, si.si_pid == c);
	memset(&si, 0, sizeof si);
	SHOW(waitid(P_PID, c, &si, WSTOPPED));
	printf("waitid again: code %d status %d\n", si.si_code, si.si_status);
	kill(c, SIGCONT);
	memset(&si, 0, sizeof si);
	SHOW(waitid(P_ALL, 0, &si, WCONTINUED));
	printf("continued: code %d status %d\n", si.si_code, si.si_status);
	write(p[1], "g", 1);
	memset(&si, 0, sizeof si);
	SHOW(waitid(P_PID, c, &si, WEXITED | WNOWAIT));
	printf("exited (WNOWAIT): code %d status %d\n", si.si_code, si.si_status);
	w = waitpid(c, &st, 0);
	printf("still reapable after WNOWAIT: %d\n", w == c);
	describe_status("child", st);
	memset(&si, 0xff, sizeof si);
	SHOW(waitid(P_ALL, 0, &si, WEXITED | WNOHANG));
	SHOW(waitid(P_ALL, 0, &si, 0));
	SHOW(waitid(P_PID, 0, &si, WEXITED));
	SHOW(waitid(7, 0, &si, WEXITED));
	SHOW(waitpid(-1, &st, 0x100));
	/* killed children */
	if ((c = fork()) == 0) {
		pause();
		_exit(0);
	}
	kill(c, SIGTERM);
	wait_describe("SIGTERM", c);
	if ((c = fork()) == 0) {
		raise(SIGKILL);
		_exit(0);
	}
	wait_describe("SIGKILL", c);
	if ((c = fork()) == 0) {
		volatile int *z = 0;
		*z = 1;
		_exit(0);
	}
	wait_describe("SIGSEGV", c);
	if ((c = fork()) == 0) {
		abort();
	}
	wait_describe("abort", c);
	/* waiting by process group */
	if ((c = fork()) == 0) {
		setpgid(0, 0);
		_exit(1);
	}
	setpgid(c, c);
	w = waitpid(-c, &st, 0);
	printf("waitpid(-pgid) found it %d\n", w == c);
	/* wait4's rusage is filled */
	if ((c = fork()) == 0)
		_exit(0);
	struct rusage ru;
	memset(&ru, 0xff, sizeof ru);
	wait4(c, &st, 0, &ru);
	printf("rusage utime sane %d\n", ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_sec < 100);
}

/* ru_maxrss: a process's own peak survives munmap and exec; a parent
 * sees the biggest child it reaped (not the sum), grandchildren
 * included; fault counts of reaped children add up */
static void touch_and_exit(size_t mb, int keep)
{
	char *p = mmap(NULL, mb << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 1, mb << 20);
	if (!keep)
		munmap(p, mb << 20);
	_exit(0);
}

static long maxrss(int who)
{
	struct rusage ru;
	getrusage(who, &ru);
	return ru.ru_maxrss;
}

static void do_maxrss(void)
{
	int st;
	struct rusage ru;
	/* (a small process's own reads 0 on the host: its rss counters are
	 * per-CPU and read without summing) */
	printf("no children yet: %ld\n", maxrss(RUSAGE_CHILDREN));
	fflush(stdout);
	pid_t c = fork();
	if (c == 0)
		touch_and_exit(32, 0);
	wait4(c, &st, 0, &ru);
	/* (thresholds 2M below what was touched: the host sums its per-CPU rss
	 * counters approximately, up to a few hundred KiB short) */
	printf("wait4: the child's peak >= 32M %d, < 64M %d\n", ru.ru_maxrss >= 30720,
	       ru.ru_maxrss < 65536);
	long m = maxrss(RUSAGE_CHILDREN);
	printf("children >= 32M %d, < 64M %d\n", m >= 30720, m < 65536);
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("children's minor faults > 0: %d\n", ru.ru_minflt > 0);
	fflush(stdout);
	if ((c = fork()) == 0)
		touch_and_exit(8, 1);
	waitpid(c, &st, 0);
	m = maxrss(RUSAGE_CHILDREN);
	printf("a smaller child: still the biggest, not the sum: %d\n", m >= 30720 && m < 40960);
	fflush(stdout);
	if ((c = fork()) == 0) {
		pid_t g = fork();
		if (g == 0)
			touch_and_exit(48, 1);
		waitpid(g, &st, 0);
		long cm = maxrss(RUSAGE_CHILDREN);
		printf("child sees its child's 48M: %d\n", cm >= 47104 && cm < 81920);
		long sm = maxrss(RUSAGE_SELF);
		printf("child's own is small: %d\n", sm < 32768);
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, &st, 0);
	m = maxrss(RUSAGE_CHILDREN);
	printf("grandchild counted: %d\n", m >= 47104 && m < 81920);
	/* (a process's own peak is not compared: the host reads its per-CPU
	 * rss counters without summing them, and was seen to answer either way) */
}

static void do_zombie(void)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0)
		_exit(4);
	usleep(100000);
	/* a zombie still exists for kill(0) */
	SHOW(kill(c, 0));
	wait_describe("zombie", c);
	SHOW(kill(c, 0));
	/* orphans: a grandchild outlives its parent and is reparented */
	int p[2];
	pipe(p);
	fflush(stdout);
	if ((c = fork()) == 0) {
		if (fork() == 0) {
			char x;
			close(p[1]);
			read(p[0], &x, 1);      /* until the middle process is gone */
			printf("orphan: reparented to the reaper %d\n", getppid() == test_reaper_pid);
			fflush(stdout);
			_exit(0);
		}
		_exit(0);
	}
	close(p[0]);
	wait_describe("middle", c);
	write(p[1], "x", 1);
	close(p[1]);
	/* we are not its parent any more */
	int st;
	usleep(100000);
	SHOW(waitpid(-1, &st, WNOHANG));
	/* PR_SET_PDEATHSIG: told when the parent dies */
	int q[2], go[2];
	pipe(q);
	pipe(go);
	fflush(stdout);
	if ((c = fork()) == 0) {
		if (fork() == 0) {
			char x = 0;
			sigset_t s;
			sigemptyset(&s);
			sigaddset(&s, SIGUSR1);
			sigprocmask(SIG_BLOCK, &s, NULL);
			prctl(PR_SET_PDEATHSIG, SIGUSR1);
			int got;
			write(go[1], &x, 1);
			sigwait(&s, &got);
			x = (char)got;
			write(q[1], &x, 1);
			_exit(0);
		}
		char x;
		read(go[0], &x, 1);
		_exit(0);
	}
	close(q[1]);
	wait_describe("middle", c);
	char sig = 0;
	read(q[0], &sig, 1);
	printf("the orphan got its parent-death signal %d\n", sig);
}

static volatile int got_sigchld;
static siginfo_t chld_info;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got_sigchld++;
	chld_info = *si;
}

static void do_sigchld(void)
{
	struct sigaction sa = {0};
	int st;
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGCHLD, &sa, NULL);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0)
		_exit(33);
	while (!got_sigchld)
		pause();
	printf("SIGCHLD: signo %d code %d status %d pid ok %d uid %d\n",
	       chld_info.si_signo, chld_info.si_code, chld_info.si_status,
	       chld_info.si_pid == c, chld_info.si_uid);
	waitpid(c, &st, 0);
	/* stops are reported too, unless SA_NOCLDSTOP */
	got_sigchld = 0;
	if ((c = fork()) == 0) {
		pause();
		_exit(0);
	}
	kill(c, SIGSTOP);
	while (!got_sigchld)
		pause();
	printf("stop SIGCHLD: code %d status %d\n", chld_info.si_code, chld_info.si_status);
	waitpid(c, &st, WUNTRACED);
	sa.sa_flags = SA_SIGINFO | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	got_sigchld = 0;
	kill(c, SIGCONT);
	waitpid(c, &st, WCONTINUED);
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	printf("with SA_NOCLDSTOP: SIGCHLD only for the death: %d, code %d\n", got_sigchld,
	       chld_info.si_code);
	/* SA_NOCLDWAIT: children are not left as zombies */
	sa.sa_flags = SA_NOCLDWAIT;
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	if ((c = fork()) == 0)
		_exit(0);
	usleep(100000);
	SHOW(waitpid(c, &st, WNOHANG));
	/* SIG_IGN: the same */
	signal(SIGCHLD, SIG_IGN);
	if ((c = fork()) == 0)
		_exit(0);
	SHOW(waitpid(c, &st, 0));
	signal(SIGCHLD, SIG_DFL);
	/* a blocked SIGCHLD stays pending */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	if ((c = fork()) == 0)
		_exit(0);
	waitpid(c, &st, 0);
	sigset_t pend;
	sigpending(&pend);
	printf("SIGCHLD pending while blocked: %d\n", sigismember(&pend, SIGCHLD));
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void do_pgrp(void)
{
	pid_t me = getpid();
	printf("getpgrp == getpgid(0) %d\n", getpgrp() == getpgid(0));
	printf("getsid(0) == getsid(me) %d\n", getsid(0) == getsid(me));
	SHOW(getpgid(999999));
	SHOW(getsid(999999));
	SHOW(setpgid(0, 0));
	printf("now leader: %d\n", getpgrp() == me);
	SHOW(setpgid(-1, 0));
	SHOW(setpgid(999999, 0));
	/* a process group leader cannot setsid */
	SHOW(setsid());
	int p[2];
	pipe(p);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		pid_t s = setsid();
		printf("child setsid ok %d, sid==pid %d pgrp==pid %d\n", s == getpid(),
		       getsid(0) == getpid(), getpgrp() == getpid());
		/* a session leader cannot change its group */
		SHOW(setpgid(0, me));
		fflush(stdout);
		char x;
		close(p[1]);
		read(p[0], &x, 1);
		_exit(0);
	}
	close(p[0]);
	usleep(100000);
	/* a child in another session cannot be moved */
	SHOW(setpgid(c, me));
	printf("child's sid differs %d\n", getsid(c) != getsid(0));
	write(p[1], "x", 1);
	wait_describe("session child", c);
	/* setpgid of a child, and the group gets a signal */
	pid_t kids[3];
	pipe(p);
	fflush(stdout);
	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			char x;
			close(p[1]);
			read(p[0], &x, 1);
			_exit(i);
		}
		SHOW(setpgid(kids[i], kids[0]) == 0);
	}
	close(p[0]);
	printf("getpgid(kid2) == kid0 %d\n", getpgid(kids[2]) == kids[0]);
	SHOW(kill(-kids[0], SIGTERM));
	for (int i = 0; i < 3; i++)
		wait_describe("group member", kids[i]);
	SHOW(kill(-kids[0], SIGTERM));
	/* after exec a child cannot be moved (EACCES) - done in the exec test */
	SHOW(setpgid(0, 999999));
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "fork";
	test_as_child();
	if (!strcmp(mode, "fork"))
		do_fork();
	else if (!strcmp(mode, "vfork"))
		do_vfork();
	else if (!strcmp(mode, "clone"))
		do_clone();
	else if (!strcmp(mode, "clone3"))
		do_clone3();
	else if (!strcmp(mode, "wait"))
		do_wait();
	else if (!strcmp(mode, "maxrss"))
		do_maxrss();
	else if (!strcmp(mode, "zombie"))
		do_zombie();
	else if (!strcmp(mode, "sigchld"))
		do_sigchld();
	else if (!strcmp(mode, "pgrp"))
		do_pgrp();
	fflush(stdout);
	return 0;
}
