/*
 * oops: the kernel survives its own bugs and unknown system calls.  Run
 * with inject_oops=getppid: the child's getppid() hits an (injected) kernel
 * bug, the child dies of SIGKILL, and everything else carries on.  With
 * the argument "exec" (and inject_oops=exec_late), the child's execve hits
 * one after its point of no return: an oops as well, not a SIGSEGV.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int exec_child(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {"/prog", "never", NULL};
		execve("/prog", argv, NULL);
		return 1;
	}
	int st;
	waitpid(pid, &st, 0);
	printf("exec child %s by signal %d\n", WIFSIGNALED(st) ? "killed" : "not killed",
	       WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exec"))
		return exec_child();
	for (int i = 0; i < 2; i++) {
		long r = syscall(SYS_kexec_load, 0, 0, 0, 0);
		printf("kexec_load: %ld %s\n", r, strerror(errno));
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child: getppid = %d\n", getppid());
		return 0;
	}
	int st;
	waitpid(pid, &st, 0);
	printf("child %s by signal %d\n", WIFSIGNALED(st) ? "killed" : "not killed",
	       WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	printf("parent: getpid still works: %s\n", getpid() > 0 ? "yes" : "no");
	return 0;
}
