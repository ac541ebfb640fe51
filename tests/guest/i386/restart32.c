/*
 * restart32: an i386 nanosleep stopped (SIGSTOP) and continued (SIGCONT) by
 * its child resumes through restart_syscall (i386 number 0) and sleeps on;
 * it returns 0, not EINTR.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>
int main(void)
{
	pid_t parent = getpid();
	pid_t c = fork();
	if (c == 0) {
		struct timespec t = { 0, 50000000 };
		nanosleep(&t, 0);
		kill(parent, SIGSTOP);
		nanosleep(&t, 0);
		kill(parent, SIGCONT);
		_exit(0);
	}
	struct { int s, ns; } req = { 0, 300000000 }, rem = { 9, 9 };
	long r = syscall(162, &req, &rem);	/* nanosleep, 32-bit timespec */
	printf("nanosleep: %ld errno %d\n", r, r ? errno : 0);
	int st;
	waitpid(c, &st, 0);
	printf("child %d\n", WEXITSTATUS(st));
	return 0;
}
