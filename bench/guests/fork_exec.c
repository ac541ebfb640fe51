/* fork_exec: fork, the child execs this (static) program again, which
 * exits at once; the parent waits. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "-x"))
		return 0;
	long n = argc > 1 ? atol(argv[1]) : 100;
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0) {
			execl(argv[0], argv[0], "-x", (char *)0);
			_exit(127);
		}
		waitpid(c, NULL, 0);
	}
	report(t0, n);
	return 0;
}
