/*
 * execarch: exec across subarchitectures.  Built as 64-bit and as 32-bit
 * programs, so a chain of them switches between x86_64 and i386:
 *
 *   execarch PROG ARGS...    fork; the child execs PROG ARGS...; wait
 *   execarch +PROG ARGS...   exec PROG ARGS... in place (same process)
 *
 * Each step prints its word size, its arguments and what its child did, and
 * keeps a __thread variable and errno (both thread-local) to show its TLS
 * works in either ABI.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static __thread int depth = 100;

int main(int argc, char **argv)
{
	int bits = (int)(8 * sizeof(void *));
	depth += argc;
	printf("%d-bit, argc=%d, depth=%d:", bits, argc, depth);
	for (int i = 1; i < argc; i++)
		printf(" %s", strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i]);
	printf("\n");
	fflush(stdout);
	if (argc < 2)
		return bits;
	if (argv[1][0] == '+') {
		execv(argv[1] + 1, argv + 1);
		printf("exec %s: %s\n", argv[1] + 1, strerror(errno));
		return 1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		execv(argv[1], argv + 1);
		printf("exec %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	int st;
	pid_t w = waitpid(pid, &st, 0);
	errno = 0;
	printf("%d-bit: child %s, exited %d with %d; depth still %d, errno %d\n", bits,
	       w == pid ? "reaped" : "LOST", WIFEXITED(st), WEXITSTATUS(st), depth, errno);
	return bits + 1;
}
