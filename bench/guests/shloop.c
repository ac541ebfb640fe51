/* shloop: a busybox sh loop of builtins (test, arithmetic, echo to
 * /dev/null): the shell's own work and one write per iteration. */
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

int main(int argc, char **argv)
{
	char n[32];
	snprintf(n, sizeof n, "%ld", argc > 1 ? atol(argv[1]) : 1000);
	double t0 = now_ns();
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/busybox", "sh", "-c",
		      "i=0; while [ $i -lt $1 ]; do i=$((i+1)); echo $i >/dev/null; done",
		      "sh", n, (char *)0);
		perror("exec /bin/busybox");
		_exit(127);
	}
	waitpid(pid, NULL, 0);
	report(t0, atol(n));
	return 0;
}
