/*
 * tests/guest/ptrace_events.c - event stops (fork, vfork, clone, exec, exit),
 * PTRACE_SEIZE/INTERRUPT/LISTEN, attaching to running and stopped tasks, and
 * group stops as the tracer and the real parent each see them.
 * "ptrace_events SCENARIO".  Every wait names the task it waits for, so the
 * order of what is printed never depends on scheduling.
 */
#include "ptrace_util.h"
#include <pthread.h>

static pid_t child_self;

static pid_t traced_child(void (*then)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		child_self = getpid();
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		kill(getpid(), SIGSTOP);
		then();
		fflush(stdout);
		_exit(0);
	}
	return pid;
}

static unsigned long eventmsg(pid_t pid)
{
	unsigned long msg = 0;
	if (ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg) < 0)
		printf("GETEVENTMSG: %s\n", strerror(errno));
	return msg;
}

static void show_siginfo(pid_t pid)
{
	siginfo_t si;
	if (pt(PTRACE_GETSIGINFO, pid, 0, &si) < 0)
		printf("  GETSIGINFO: %s\n", strerror(errno));
	else
		printf("  siginfo %s code %#x\n", strsignal(si.si_signo), si.si_code);
}

static void show_state(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "State:", 6))
			printf("  %s", line);
	if (f)
		fclose(f);
}

/* -- fork, exec and exit events ------------------------------------------------------ */

static void forker(void)
{
	pid_t gc = fork();
	if (gc == 0) {
		execl("/proc/self/exe", "ptrace_events", "exit-with", "4", (char *)0);
		_exit(99);
	}
	int st;
	waitpid(gc, &st, 0);
	printf("child: grandchild %s %d\n", WIFEXITED(st) ? "exited" : "?", WEXITSTATUS(st));
	fflush(stdout);
	exit(6);
}

static void scenario_fork(void)
{
	pid_t pid = traced_child(forker);
	wait_show("child", pid);
	PT(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEFORK | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("child", pid);                        /* FORK */
	pid_t gc = eventmsg(pid);
	printf("  new pid is a task: %d\n", gc > 0 && kill(gc, 0) == 0);
	wait_show("grandchild", gc);                    /* it starts with SIGSTOP */
	show_siginfo(gc);
	PT(PTRACE_CONT, gc, 0, 0);
	wait_show("grandchild", gc);                    /* EXEC */
	printf("  eventmsg is its pid %d\n", eventmsg(gc) == (unsigned long)gc);
	PT(PTRACE_CONT, gc, 0, 0);
	wait_show("grandchild", gc);                    /* EXIT */
	printf("  eventmsg %#lx\n", eventmsg(gc));
	PT(PTRACE_CONT, gc, 0, 0);
	wait_show("grandchild", gc);                    /* the tracer reaps it first */
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("child", pid);                        /* EXIT */
	printf("  eventmsg %#lx\n", eventmsg(pid));
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("child", pid);
}

/* -- vfork and vfork-done ------------------------------------------------------------- */

static void vforker(void)
{
	pid_t gc = vfork();
	if (gc == 0) {
		execl("/proc/self/exe", "ptrace_events", "exit-with", "2", (char *)0);
		_exit(99);
	}
	int st;
	waitpid(gc, &st, 0);
	printf("child: vfork child exited %d\n", WEXITSTATUS(st));
}

static void scenario_vfork(void)
{
	pid_t pid = traced_child(vforker);
	wait_show("child", pid);
	PT(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEVFORK | PTRACE_O_TRACEVFORKDONE
	   | PTRACE_O_TRACEEXEC);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("child", pid);                        /* VFORK */
	pid_t gc = eventmsg(pid);
	wait_show("vfork child", gc);
	PT(PTRACE_CONT, gc, 0, 0);
	wait_show("vfork child", gc);                   /* EXEC */
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("child", pid);                        /* VFORK_DONE */
	printf("  eventmsg is the vfork child %d\n", eventmsg(pid) == (unsigned long)gc);
	PT(PTRACE_CONT, gc, 0, 0);
	wait_show("vfork child", gc);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("child", pid);
}

/* -- clone: a thread, traced on its own ----------------------------------------------- */

static void *thread_fn(void *arg)
{
	return (void *)(long)syscall(SYS_getpid);
}

static void threader(void)
{
	pthread_t th;
	void *ret;
	pthread_create(&th, NULL, thread_fn, NULL);
	pthread_join(th, &ret);
	/* (no output here: it would race with the tracer's) */
	exit((pid_t)(long)ret == getpid() ? 0 : 1);
}

static void scenario_clone(void)
{
	pid_t pid = traced_child(threader);
	wait_show("child", pid);
	PT(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXIT);
	PT(PTRACE_CONT, pid, 0, 0);
	int st = wait_show("child", pid);               /* CLONE (glibc may mmap first) */
	while (WIFSTOPPED(st) && (st >> 16) != PTRACE_EVENT_CLONE) {
		PT(PTRACE_CONT, pid, 0, 0);
		st = wait_show("child", pid);
	}
	pid_t tid = eventmsg(pid);
	st = wait_show("thread", tid);                  /* SIGSTOP */
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task/%d/status", pid, tid);
	printf("  thread of the child: %d\n", access(path, F_OK) == 0);
	/* the child goes on to pthread_join (musl's thread exit needs a lock
	 * the child holds in pthread_create) */
	PT(PTRACE_CONT, pid, 0, 0);
	PT(PTRACE_CONT, tid, 0, 0);
	wait_show("thread", tid);                       /* EXIT */
	PT(PTRACE_CONT, tid, 0, 0);
	/* the thread's exit is its tracer's to collect, without __WALL too */
	while (waitpid(tid, &st, 0) < 0 && errno == EINTR)
		;
	print_status("thread", st);
	wait_show("child", pid);                        /* EXIT */
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("child", pid);
}

/* -- execve in a thread that is not the leader (de_thread under ptrace) --------------- */

static void *exec_fn(void *arg)
{
	execl("/proc/self/exe", "ptrace_events", "exit-with", "5", (char *)0);
	return NULL;
}

static void thread_execer(void)
{
	pthread_t th;
	pthread_create(&th, NULL, exec_fn, NULL);
	for (;;)
		pause();
}

/* the leader is stopped at its clone event when the thread execs: it is
 * killed, the thread takes its pid, and the tracer hears of the exec from
 * the leader's pid, GETEVENTMSG giving the thread's former tid.  (Not
 * with PTRACE_O_TRACEEXIT: Linux stops the leader at its EXIT event and
 * the exec waits for it; pyuml's de_thread ends the others at once.) */
static void scenario_thread_exec(void)
{
	pid_t pid = traced_child(thread_execer);
	wait_show("leader", pid);
	PT(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC);
	PT(PTRACE_CONT, pid, 0, 0);
	int st = wait_show("leader", pid);              /* CLONE (glibc may mmap first) */
	while (WIFSTOPPED(st) && (st >> 16) != PTRACE_EVENT_CLONE) {
		PT(PTRACE_CONT, pid, 0, 0);
		st = wait_show("leader", pid);
	}
	pid_t tid = eventmsg(pid);
	wait_show("thread", tid);                       /* SIGSTOP */
	PT(PTRACE_CONT, tid, 0, 0);                     /* it execs; the leader stays */
	for (;;) {
		pid_t w;
		while ((w = waitpid(-1, &st, __WALL)) < 0 && errno == EINTR)
			;
		if (w < 0) {
			printf("tracer: waitpid: %s\n", strerror(errno));
			break;
		}
		print_status(w == pid ? "leader" : w == tid ? "thread" : "other", st);
		if (WIFSTOPPED(st) && (st >> 16) == PTRACE_EVENT_EXEC)
			printf("  eventmsg is the thread's tid %d, the leader's pid %d\n",
			       eventmsg(w) == (unsigned long)tid, eventmsg(w) == (unsigned long)pid);
		if (WIFSTOPPED(st))
			PT(PTRACE_CONT, w, 0, 0);
		else if (w == pid)
			break;
	}
	printf("thread's old tid gone: %d\n", kill(tid, 0) < 0 && errno == ESRCH);
}

/* -- SEIZE, INTERRUPT, LISTEN, group stops of a seized tracee -------------------------- */

static void pauser(void)
{
	for (;;)
		pause();
}

static pid_t plain_child(void (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		_exit(0);
	}
	return pid;
}

static void scenario_seize(void)
{
	pid_t pid = plain_child(pauser);
	int st;
	PT(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESYSGOOD);
	PT(PTRACE_SEIZE, pid, 0, 0);                    /* once is enough */
	PT(PTRACE_SEIZE, pid, 1, 0);
	PT(PTRACE_INTERRUPT, pid, 0, 0);
	wait_show("tracee", pid);                       /* STOP, SIGTRAP */
	show_siginfo(pid);
	show_state(pid);
	PT(PTRACE_CONT, pid, 0, 0);
	kill(pid, SIGWINCH);                            /* ignored, yet seen */
	wait_show("tracee", pid);
	PT(PTRACE_CONT, pid, 0, 0);
	kill(pid, SIGSTOP);
	wait_show("tracee", pid);                       /* signal-delivery stop */
	show_siginfo(pid);
	PT(PTRACE_CONT, pid, 0, SIGSTOP);
	wait_show("tracee", pid);                       /* group stop: STOP, SIGSTOP */
	show_siginfo(pid);
	PT(PTRACE_LISTEN, pid, 0, 0);
	PT(PTRACE_GETREGS, pid, 0, 0);                  /* listening is not stopped */
	printf("  WNOHANG wait while listening: %d\n", (int)waitpid(pid, &st, WNOHANG | __WALL));
	show_state(pid);
	kill(pid, SIGCONT);
	wait_show("tracee", pid);                       /* STOP, SIGTRAP: it was continued */
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracee", pid);                       /* SIGCONT's delivery */
	PT(PTRACE_CONT, pid, 0, SIGCONT);
	PT(PTRACE_INTERRUPT, pid, 0, 0);
	wait_show("tracee", pid);
	PT(PTRACE_LISTEN, pid, 0, 0);
	PT(PTRACE_INTERRUPT, pid, 0, 0);                /* ends the listening */
	wait_show("tracee", pid);
	PT(PTRACE_DETACH, pid, 0, 0);
	kill(pid, SIGTERM);
	wait_show("tracee (detached)", pid);
}

/* -- what strace does: seize a stopped child ------------------------------------------ */

static void stopper(void)
{
	kill(getpid(), SIGSTOP);
	printf("child: running again\n");
	fflush(stdout);
	_exit(8);
}

static void scenario_seize_stopped(void)
{
	pid_t pid = plain_child(stopper);
	int st;
	waitpid(pid, &st, WSTOPPED);
	print_status("parent", st);
	PT(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC);
	PT(PTRACE_INTERRUPT, pid, 0, 0);
	kill(pid, SIGCONT);
	wait_show("tracee", pid);                       /* STOP, SIGSTOP */
	PT(PTRACE_LISTEN, pid, 0, 0);
	wait_show("tracee", pid);                       /* STOP, SIGTRAP */
	PT(PTRACE_SYSCALL, pid, 0, 0);
	wait_show("tracee", pid);                       /* SIGCONT */
	show_siginfo(pid);
	PT(PTRACE_SYSCALL, pid, 0, SIGCONT);
	wait_show("tracee", pid);                       /* a syscall entry (the write) */
	PT(PTRACE_DETACH, pid, 0, 0);
	wait_show("tracee (detached)", pid);
}

/* -- ATTACH to a running task and to a stopped one --------------------------------------- */

static void scenario_attach(void)
{
	pid_t pid = plain_child(pauser);
	PT(PTRACE_ATTACH, pid, 0, 0);
	wait_show("tracee", pid);
	show_siginfo(pid);
	show_state(pid);
	PT(PTRACE_DETACH, pid, 0, 0);
	kill(pid, SIGTERM);
	wait_show("tracee (detached)", pid);

	pid = plain_child(stopper);
	int st;
	waitpid(pid, &st, WUNTRACED);
	print_status("parent", st);
	PT(PTRACE_ATTACH, pid, 0, 0);
	wait_show("tracee", pid);                       /* re-traps: group stop */
	show_siginfo(pid);                              /* EINVAL: a group stop */
	PT(PTRACE_DETACH, pid, 0, 0);                   /* stays stopped */
	kill(pid, SIGCONT);
	waitpid(pid, &st, 0);
	print_status("parent", st);
}

/* -- a non-seized tracee's group stop, resumed by its tracer ------------------------------ */

static void groupstop_child(void)
{
	kill(getpid(), SIGSTOP);                        /* a second one: the group stop */
	printf("child: past the group stop\n");
	fflush(stdout);
}

static void scenario_groupstop(void)
{
	pid_t pid = traced_child(groupstop_child);
	wait_show("tracee", pid);                       /* the first SIGSTOP */
	PT(PTRACE_CONT, pid, 0, 0);                     /* suppressed */
	wait_show("tracee", pid);                       /* the second */
	show_siginfo(pid);
	PT(PTRACE_CONT, pid, 0, SIGSTOP);
	wait_show("tracee", pid);                       /* group stop */
	show_siginfo(pid);
	show_state(pid);
	PT(PTRACE_CONT, pid, 0, 0);                     /* a tracer may run it anyway */
	wait_show("tracee", pid);
}

/* -- the real parent and a tracer that is not it, around a group stop --------------------- */

static void scenario_twoparents(void)
{
	pid_t pid = plain_child(pauser);
	int sync[2];
	pipe(sync);
	fflush(stdout);
	pid_t tracer = fork();
	if (tracer == 0) {
		int st;
		char c;
		ptrace(PTRACE_SEIZE, pid, 0, 0);
		write(sync[1], "s", 1);
		waitpid(pid, &st, __WALL);
		printf("tracer: delivery stop of %s\n", strsignal(WSTOPSIG(st)));
		ptrace(PTRACE_CONT, pid, 0, SIGSTOP);
		waitpid(pid, &st, __WALL);
		printf("tracer: event %d, %s\n", st >> 16, strsignal(WSTOPSIG(st)));
		ptrace(PTRACE_LISTEN, pid, 0, 0);
		write(sync[1], "l", 1);
		waitpid(pid, &st, __WALL);          /* the parent sent SIGCONT */
		printf("tracer: event %d, %s\n", st >> 16, strsignal(WSTOPSIG(st)));
		ptrace(PTRACE_DETACH, pid, 0, 0);
		read(sync[0], &c, 1);
		fflush(stdout);
		_exit(0);
	}
	int st;
	char c;
	read(sync[0], &c, 1);                           /* seized */
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);                   /* once the group is stopped */
	printf("parent: %s\n", WIFSTOPPED(st) ? strsignal(WSTOPSIG(st)) : "?");
	read(sync[0], &c, 1);                           /* listening */
	kill(pid, SIGCONT);
	waitpid(pid, &st, WCONTINUED);
	printf("parent: continued %d\n", WIFCONTINUED(st));
	write(sync[1], "d", 1);
	waitpid(tracer, &st, 0);
	printf("parent: tracer exited %d\n", WEXITSTATUS(st));
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	printf("parent: child %s\n", WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "?");
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "exit-with"))
		_exit(atoi(argv[2]));
	need_proc();
	test_as_child();
	const char *what = argc > 1 ? argv[1] : "";
	if (!strcmp(what, "fork"))
		scenario_fork();
	else if (!strcmp(what, "vfork"))
		scenario_vfork();
	else if (!strcmp(what, "clone"))
		scenario_clone();
	else if (!strcmp(what, "thread_exec"))
		scenario_thread_exec();
	else if (!strcmp(what, "seize"))
		scenario_seize();
	else if (!strcmp(what, "seize_stopped"))
		scenario_seize_stopped();
	else if (!strcmp(what, "attach"))
		scenario_attach();
	else if (!strcmp(what, "groupstop"))
		scenario_groupstop();
	else if (!strcmp(what, "twoparents"))
		scenario_twoparents();
	else
		printf("usage: ptrace_events SCENARIO\n");
	fflush(stdout);
	return 0;
}
