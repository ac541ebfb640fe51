/* unix_rt: a round trip over an AF_UNIX stream socketpair between two
 * processes (one byte there, one byte back). */
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	int sv[2];
	char c = 'x';
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid_t pid = fork();
	if (pid == 0) {
		for (long i = 0; i < n; i++) {
			read(sv[1], &c, 1);
			write(sv[1], &c, 1);
		}
		_exit(0);
	}
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		write(sv[0], &c, 1);
		read(sv[0], &c, 1);
	}
	report(t0, n);
	waitpid(pid, NULL, 0);
	return 0;
}
