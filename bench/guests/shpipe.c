/* shpipe: a busybox sh loop that runs a pipeline into an external command
 * each time (echo | busybox cat): pipe, two forks, an exec and waits. */
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

int main(int argc, char **argv)
{
	char n[32];
	snprintf(n, sizeof n, "%ld", argc > 1 ? atol(argv[1]) : 100);
	double t0 = now_ns();
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/busybox", "sh", "-c",
		      "i=0; while [ $i -lt $1 ]; do i=$((i+1)); echo $i | /bin/busybox cat >/dev/null; done",
		      "sh", n, (char *)0);
		perror("exec /bin/busybox");
		_exit(127);
	}
	waitpid(pid, NULL, 0);
	report(t0, atol(n));
	return 0;
}
