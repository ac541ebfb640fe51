/*
 * oops: the kernel survives its own bugs and unknown system calls.  Run
 * with inject_oops=getppid: the child's getppid() hits an (injected) kernel
 * bug, the child dies of SIGKILL, and everything else carries on.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
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
