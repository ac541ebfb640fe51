/*
 * tests/guest/procs.h - helpers for the process, signal, thread, time and
 * pipe guests.
 *
 * Under pyuml a test guest is init (pid 1), natively it is not, and Linux
 * treats init specially (signals it does not handle never kill it, orphans
 * go to it).  So every such guest first calls test_as_child(): the program
 * forks, the parent becomes a child subreaper (orphans come back to it on
 * both kernels) and waits, and the child runs the test.  The parent exits
 * with the child's exit code, or 128+N if signal N killed it, so the test
 * sees the same status either way.
 */
#ifndef PROCS_H
#define PROCS_H
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t test_reaper_pid;

static void test_as_child(void)
{
	int st;
	pid_t child, w;

	/* the same buffering natively (a pipe) and under pyuml (a console) */
	static char outbuf[1 << 16];
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	test_reaper_pid = getpid();
	fflush(stdout);
	child = fork();
	if (child < 0) {
		perror("fork");
		exit(100);
	}
	if (child == 0)
		return;
	while ((w = waitpid(child, &st, 0)) < 0 && errno == EINTR)
		;
	/* reap any orphans the test left behind */
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	fflush(stdout);
	if (WIFEXITED(st))
		_exit(WEXITSTATUS(st));
	_exit(128 + WTERMSIG(st));
}

/* "name: ok" or "name: FAIL (...)" */
#define CHECK(cond, ...) do {						\
	if (cond) {							\
		printf("ok   %s\n", #cond);				\
	} else {							\
		printf("FAIL %s: ", #cond);				\
		printf(__VA_ARGS__);					\
		printf(" (errno %s)\n", strerror(errno));		\
	}								\
} while (0)

/* print "expr -> result" and, when it is negative, the error */
#define SHOW(expr) do {							\
	errno = 0;							\
	long _r = (long)(expr);						\
	int _e = errno;							\
	if (_r < 0)							\
		printf("%s -> %ld (%s)\n", #expr, _r, strerror(_e));	\
	else								\
		printf("%s -> %ld\n", #expr, _r);			\
} while (0)

static void describe_status(const char *who, int st)
{
	if (WIFEXITED(st))
		printf("%s: exited %d\n", who, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by %s%s\n", who, strsignal(WTERMSIG(st)),
		       WCOREDUMP(st) ? " (core dumped)" : "");
	else if (WIFSTOPPED(st))
		printf("%s: stopped by %s\n", who, strsignal(WSTOPSIG(st)));
	else if (WIFCONTINUED(st))
		printf("%s: continued\n", who);
	else
		printf("%s: status %#x\n", who, st);
	fflush(stdout);
}

static int wait_describe(const char *who, pid_t pid)
{
	int st;
	pid_t w;
	while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (w != pid) {
		printf("%s: waitpid returned %d (%s)\n", who, (int)w, strerror(errno));
		return -1;
	}
	describe_status(who, st);
	return st;
}

#endif
