/* initclone: init may not clone(CLONE_PARENT): its child would get init's
 * parent, outside init's pid namespace (Linux refuses it for a
 * SIGNAL_UNKILLABLE process, EINVAL).  Under pyuml the program is init;
 * natively it first makes a new pid namespace and runs as its init. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void as_init(void)
{
	long r = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
	if (r == 0)
		_exit(0);
	printf("init: clone(CLONE_PARENT) -> %s\n", r < 0 ? strerror(errno) : "a child");
	r = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (r == 0)
		_exit(3);
	int st = 0;
	waitpid(r, &st, 0);
	printf("init: clone() -> a child, which exits %d\n", WEXITSTATUS(st));
	fflush(stdout);
}

int main(void)
{
	if (getpid() == 1) {
		as_init();
		return 0;
	}
	if (unshare(CLONE_NEWPID) < 0) {
		printf("unshare(CLONE_NEWPID): %s\n", strerror(errno));
		return 1;
	}
	pid_t c = fork();
	if (c == 0) {
		as_init();
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
