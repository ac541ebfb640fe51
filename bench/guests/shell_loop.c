/* shell_loop: what a shell does for x=$(prog): a pipe, fork, the child
 * execs a program that writes a line into the pipe, the parent reads it to
 * the end and waits.  argv[1] times over. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "-w")) {
		int fd = atoi(argv[2]);
		write(fd, "a line of output\n", 17);
		return 0;
	}
	long n = argc > 1 ? atol(argv[1]) : 200;
	double t0 = now_ns();
	long bytes = 0;
	for (long i = 0; i < n; i++) {
		int p[2];
		char fd[16], buf[256];
		pipe(p);
		snprintf(fd, sizeof fd, "%d", p[1]);
		pid_t c = fork();
		if (c == 0) {
			close(p[0]);
			execl(argv[0], argv[0], "-w", fd, (char *)0);
			_exit(127);
		}
		close(p[1]);
		ssize_t r;
		while ((r = read(p[0], buf, sizeof buf)) > 0)
			bytes += r;
		close(p[0]);
		waitpid(c, NULL, 0);
	}
	report(t0, n);
	return bytes == 17 * n ? 0 : 1;
}
