/* rlimitcpu.c - RLIMIT_CPU: a process that has used its soft limit of CPU
 * time gets SIGXCPU, then another each further second (the soft limit it
 * reads grows by one each time), and SIGKILL at the hard limit; without a
 * handler SIGXCPU kills it (a core dump signal). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int *shared;    /* [0] count of SIGXCPU, [1..] soft limit seen */

static void on_xcpu(int sig)
{
	struct rlimit rl;
	(void)sig;
	getrlimit(RLIMIT_CPU, &rl);
	int n = ++shared[0];
	if (n < 8)
		shared[n] = (int)rl.rlim_cur;
}

static void spin_child(rlim_t soft, rlim_t hard, int handle)
{
	struct rlimit rl = { soft, hard };
	if (handle)
		signal(SIGXCPU, on_xcpu);
	if (setrlimit(RLIMIT_CPU, &rl))
		_exit(1);
	alarm(60);
	for (;;)
		;
}

static void show(const char *what, int status)
{
	printf("%s: ", what);
	if (WIFSIGNALED(status))
		printf("killed by signal %d", WTERMSIG(status));
	else
		printf("exit %d", WEXITSTATUS(status));
	printf(", %d SIGXCPU, soft limits seen:", shared[0]);
	for (int i = 1; i <= shared[0] && i < 8; i++)
		printf(" %d", shared[i]);
	printf("\n");
}

int main(void)
{
	int status;
	pid_t pid;

	shared = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	setvbuf(stdout, 0, _IONBF, 0);

	/* soft 1 s, hard 3 s, SIGXCPU handled: two SIGXCPU, then SIGKILL */
	memset((void *)shared, 0, 64);
	if ((pid = fork()) == 0)
		spin_child(1, 3, 1);
	waitpid(pid, &status, 0);
	show("soft 1 hard 3", status);

	/* soft 1 s, no handler: SIGXCPU's default action */
	memset((void *)shared, 0, 64);
	if ((pid = fork()) == 0)
		spin_child(1, RLIM_INFINITY, 0);
	waitpid(pid, &status, 0);
	show("soft 1 default action", status & 0x7f ? status & 0x7f : status);

	/* soft = hard = 1: SIGKILL, no SIGXCPU */
	memset((void *)shared, 0, 64);
	if ((pid = fork()) == 0)
		spin_child(1, 1, 1);
	waitpid(pid, &status, 0);
	show("soft 1 hard 1", status);
	return 0;
}
