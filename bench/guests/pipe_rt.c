/* pipe_rt: one byte to a child through a pipe and back through another. */
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000;
	int a[2], b[2];
	char x = 'x';
	pipe(a);
	pipe(b);
	pid_t c = fork();
	if (c == 0) {
		close(a[1]);
		close(b[0]);
		while (read(a[0], &x, 1) == 1)
			write(b[1], &x, 1);
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	write(a[1], &x, 1);             /* warm up: the child is running */
	read(b[0], &x, 1);
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		write(a[1], &x, 1);
		read(b[0], &x, 1);
	}
	report(t0, n);
	close(a[1]);
	waitpid(c, NULL, 0);
	return 0;
}
