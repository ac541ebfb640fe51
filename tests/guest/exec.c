/*
 * exec: execve semantics.  exec MODE SELF [DIR]:
 *   reset SELF      what exec keeps and what it resets (handlers, mask,
 *                   pending signals, O_CLOEXEC, pid, alarm, sigaltstack)
 *   errors SELF DIR ENOENT, EACCES, ENOEXEC, ENOTDIR as Linux returns them
 *   script SELF DIR "#!" interpreters, with and without an argument, nested
 *   vfork SELF      vfork + exec: the parent resumes when the child execs
 *   show ...        (run by the others) print argv and what survived
 * SELF is this program's path, DIR a directory holding the test scripts.
 */
#include "procs.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>

extern char **environ;

static void on_usr1(int sig)
{
	(void)sig;
}

static void show(int argc, char **argv)
{
	printf("argc %d:", argc);
	int reset = argc > 2 && !strcmp(argv[2], "reset");
	for (int i = 0; i < (reset ? 3 : argc); i++)
		printf(" [%s]", argv[i]);
	printf("\n");
	for (char **e = environ; *e; e++)
		if (!strncmp(*e, "EXEC_", 5))
			printf("env %s\n", *e);
	if (reset) {
		struct sigaction sa;
		sigaction(SIGUSR1, NULL, &sa);
		printf("SIGUSR1 handler reset to SIG_DFL %d\n", sa.sa_handler == SIG_DFL);
		sigaction(SIGUSR2, NULL, &sa);
		printf("SIGUSR2 stays ignored %d\n", sa.sa_handler == SIG_IGN);
		sigset_t set;
		sigprocmask(SIG_BLOCK, NULL, &set);
		printf("SIGTERM still blocked %d, SIGINT %d\n", sigismember(&set, SIGTERM),
		       sigismember(&set, SIGINT));
		sigpending(&set);
		printf("SIGHUP still pending %d\n", sigismember(&set, SIGHUP));
		struct stat st;
		int keep = atoi(argv[3]), gone = atoi(argv[4]);
		printf("plain fd open %d\n", fstat(keep, &st) == 0);
		SHOW(fstat(gone, &st));
		printf("same pid %d\n", getpid() == atoi(argv[5]));
		unsigned left = alarm(0);
		printf("alarm survived %d\n", left > 50 && left <= 100);
		stack_t ss;
		sigaltstack(NULL, &ss);
		printf("sigaltstack disabled %d\n", ss.ss_flags == SS_DISABLE);
	}
	fflush(stdout);
	exit(3);
}

static void reset(const char *self)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGUSR2, SIG_IGN);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGHUP);
	int p[2], q[2];
	pipe(p);
	pipe2(q, O_CLOEXEC);
	alarm(100);
	static char altstack[16384];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
	sigaltstack(&ss, NULL);
	char keep[16], gone[16], pid[16];
	snprintf(keep, sizeof keep, "%d", p[0]);
	snprintf(gone, sizeof gone, "%d", q[0]);
	snprintf(pid, sizeof pid, "%d", getpid());
	char *argv[] = {"renamed-argv0", "show", "reset", keep, gone, pid, NULL};
	char *envp[] = {"EXEC_A=1", "EXEC_B=two words", "OTHER=x", NULL};
	fflush(stdout);
	execve(self, argv, envp);
	printf("execve failed: %s\n", strerror(errno));
}

static void errors(const char *self, const char *dir)
{
	char path[512];
	char *argv[] = {"x", NULL};
	(void)self;
	SHOW(execve("/nonexistent/program", argv, environ));
	SHOW(execve("", argv, environ));
	SHOW(execve(dir, argv, environ));
	snprintf(path, sizeof path, "%s/noexec", dir);
	SHOW(execve(path, argv, environ));
	snprintf(path, sizeof path, "%s/garbage", dir);
	SHOW(execve(path, argv, environ));
	snprintf(path, sizeof path, "%s/empty", dir);
	SHOW(execve(path, argv, environ));
	snprintf(path, sizeof path, "%s/badinterp", dir);
	SHOW(execve(path, argv, environ));
	snprintf(path, sizeof path, "%s/emptyinterp", dir);
	SHOW(execve(path, argv, environ));
	snprintf(path, sizeof path, "%s/garbage/sub", dir);
	SHOW(execve(path, argv, environ));
	SHOW(execve((char *)8, argv, environ));
	SHOW(execve(self, (char **)8, environ));
	/* a failed exec changes nothing: we are still here */
	printf("still running\n");
}

static void run_script(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	char *argv[] = {"argv0-is-dropped", "one", "two", NULL};
	char *envp[] = {"EXEC_SCRIPT=1", NULL};
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		execve(path, argv, envp);
		printf("%s: %s\n", name, strerror(errno));
		fflush(stdout);
		_exit(1);
	}
	wait_describe(name, c);
}

static void script(const char *self, const char *dir)
{
	(void)self;
	run_script(dir, "plain");
	run_script(dir, "witharg");
	run_script(dir, "spaces");
	run_script(dir, "nested");
}

static void do_vfork(const char *self)
{
	char *argv[] = {(char *)self, "show", "from-vfork", NULL};
	static volatile int ran_first;
	fflush(stdout);
	pid_t c = vfork();
	if (c == 0) {
		ran_first = 1;
		execve(self, argv, environ);
		_exit(127);
	}
	int resumed_after_child = ran_first;
	wait_describe("vfork+exec child", c);
	printf("parent resumed after the child's exec %d\n", resumed_after_child);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "show") || getenv("EXEC_SCRIPT"))
		show(argc, argv);
	test_as_child();
	if (!strcmp(mode, "reset")) {
		fflush(stdout);
		pid_t c = fork();
		if (c == 0)
			reset(argv[2]);
		else
			wait_describe("exec'd child", c);
	} else if (!strcmp(mode, "errors"))
		errors(argv[2], argv[3]);
	else if (!strcmp(mode, "script"))
		script(argv[2], argv[3]);
	else if (!strcmp(mode, "vfork"))
		do_vfork(argv[2]);
	fflush(stdout);
	return 0;
}
