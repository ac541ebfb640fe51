/* schedspin: a task that only makes system calls still shares the CPU.
 *
 * A child spins on getppid() (or on sched_yield()) and never sleeps; the
 * parent, runnable beside it, yields 20 times, then stops the child.  On Linux the tick preempts the
 * spinner whether it is in user or kernel mode, and a yield skips the
 * yielder once.  pyuml's stub timer counts only user time, so a spinner in
 * system calls took the CPU for ever, and a parent that yielded once was
 * skipped at every pick while the child was runnable: the parent never
 * ran again.  alarm() ends a run that would hang. */
#include "procs.h"
#include <sched.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	int yield = argc > 1 && !strcmp(argv[1], "yield");
	test_as_child();
	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(60);
	pid_t c = fork();
	if (c == 0) {
		for (;;) {
			if (yield)
				sched_yield();
			else
				syscall(SYS_getppid);
		}
	}
	int ok = 0;
	for (int i = 0; i < 20; i++)
		if (sched_yield() == 0 && getppid() > 0)
			ok++;
	printf("the parent ran beside a %s spinner: %d of 20\n", yield ? "sched_yield" : "getppid", ok);
	kill(c, SIGKILL);
	int st;
	waitpid(c, &st, 0);
	printf("child killed: %d\n", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return 0;
}
