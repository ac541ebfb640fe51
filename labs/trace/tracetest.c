/* tracetest: programs to trace (lab trace).
 *
 *   tracetest getpid N     call getpid N times, print the pid
 *   tracetest family       fork a child that calls getpid and execs
 *                          "tracetest getpid 1"; wait for it
 *   tracetest sleep        read from a pipe a child fills after a while
 *   tracetest api          trace(2) with bad arguments: the errors
 *   tracetest files PATH   open PATH, copy it to stdout 100 bytes at a time
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sched.h>
#include <sys/wait.h>

#define SYS_trace 1000

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "getpid";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(mode, "getpid")) {
		int n = argc > 2 ? atoi(argv[2]) : 3;
		long pid = 0;
		for (int i = 0; i < n; i++)
			pid = syscall(SYS_getpid);
		printf("pid %ld\n", pid);
	} else if (!strcmp(mode, "family")) {
		pid_t c = fork();
		if (c == 0) {
			syscall(SYS_getpid);
			execl("/proc/self/exe", "tracetest", "getpid", "1", (char *)0);
			_exit(127);
		}
		int st;
		printf("child %d\n", c);
		printf("waited %d\n", (int)waitpid(c, &st, 0));
	} else if (!strcmp(mode, "sleep")) {
		int fd[2];
		char buf[16];
		if (pipe(fd) < 0)
			return 1;
		pid_t c = fork();
		if (c == 0) {
			for (int i = 0; i < 20; i++)
				sched_yield();
			write(fd[1], "hello", 5);
			_exit(0);
		}
		printf("read %zd\n", read(fd[0], buf, sizeof buf));
		waitpid(c, NULL, 0);
	} else if (!strcmp(mode, "files") && argc > 2) {
		char buf[100];
		ssize_t n;
		int fd = open(argv[2], O_RDONLY);
		while ((n = read(fd, buf, sizeof buf)) > 0)
			write(1, buf, n);
		close(fd);
		close(fd);			/* EBADF */
	} else if (!strcmp(mode, "api")) {
		unsigned char mask[64] = { 0 };
		long r;
		r = syscall(SYS_trace, (void *)8, 64);
		printf("bad pointer: %ld %s\n", r, r < 0 ? strerror(errno) : "");
		r = syscall(SYS_trace, mask, 65);
		printf("too big: %ld %s\n", r, r < 0 ? strerror(errno) : "");
		mask[39 / 8] = 1 << (39 % 8);			/* getpid */
		r = syscall(SYS_trace, mask, 64);
		printf("getpid on: %ld\n", r);
		syscall(SYS_getpid);
		r = syscall(SYS_trace, NULL, 0);
		printf("off: %ld\n", r);
		syscall(SYS_getpid);
		printf("done\n");
	}
	return 0;
}
