/* fork_wait: fork, the child exits at once, the parent waits for it. */
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200;
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0)
			_exit(0);
		waitpid(c, NULL, 0);
	}
	report(t0, n);
	return 0;
}
