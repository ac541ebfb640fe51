/* spawn: fork + exec + wait of a program given after the count, its output
 * sent to /dev/null: "spawn N /bin/true" is a dynamic program's start to
 * exit, "spawn N /bin/ls -l DIR" an ls of DIR. */
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10;
	if (argc < 3)
		return 2;
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);
			dup2(null, 1);
			execv(argv[2], argv + 2);
			_exit(127);
		}
		int st;
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			printf("spawn: %s failed (status %#x)\n", argv[2], st);
			return 1;
		}
	}
	report(t0, n);
	return 0;
}
