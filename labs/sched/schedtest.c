/* schedtest: how the CPU is shared.
 *
 *   schedtest share T WHO...   one spinning child per WHO (a nice value, or
 *                              "idle" for SCHED_IDLE, "batch" for SCHED_BATCH);
 *                              when the first child has been given T time
 *                              slices (/proc/self/schedstat counts them), the
 *                              parent asks /dev/kstate about every child and
 *                              stops them all.
 *   schedtest wake [batch]     a sleeper woken through a pipe by a spinning
 *                              parent: does it run before the parent goes on?
 *
 * Everything is counted (slices, loop iterations), nothing is timed. */
#define _GNU_SOURCE
#include "kstate.h"
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define MAXKIDS 8
#define ROUNDS 10

struct shared {
	volatile unsigned long count[MAXKIDS];
	volatile unsigned long seen[ROUNDS];
	volatile int done[ROUNDS];
};

static struct shared *sh;

static long slices(void)
{
	char buf[128];
	long a, b, c = -1;
	int fd = open("/proc/self/schedstat", O_RDONLY);
	int n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n > 0) {
		buf[n] = 0;
		sscanf(buf, "%ld %ld %ld", &a, &b, &c);
	}
	return c;
}

/* wait (a bounded number of tries, giving the CPU away in between) until
 * pid sleeps: state S in /proc/PID/stat */
static int wait_asleep(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	for (int i = 0; i < 100000; i++) {
		int fd = open(path, O_RDONLY);
		int n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			char *p = strrchr(buf, ')');
			if (p && p[1] == ' ' && p[2] == 'S')
				return 1;
		}
		sched_yield();
	}
	return 0;
}

static void set_who(const char *who)
{
	struct sched_param p = { 0 };
	if (!strcmp(who, "idle"))
		syscall(SYS_sched_setscheduler, 0, SCHED_IDLE, &p);
	else if (!strcmp(who, "batch"))
		syscall(SYS_sched_setscheduler, 0, SCHED_BATCH, &p);
	else
		setpriority(PRIO_PROCESS, 0, atoi(who));
}

static int share(long target, int n, char **who)
{
	int fd[2];
	pid_t kids[MAXKIDS];
	char c;

	if (pipe(fd) < 0)
		return 1;
	for (int i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			set_who(who[i]);
			for (unsigned long k = 1;; k++) {
				sh->count[i]++;
				if (i == 0 && (k & 0xffff) == 0 && slices() >= target) {
					write(fd[1], "x", 1);
					for (;;)
						sh->count[i]++;
				}
			}
		}
	}
	read(fd[0], &c, 1);
	for (int i = 0; i < n; i++)
		kstate("@share-%s-%d-%s task %d", who[0], i, who[i], kids[i]);
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	printf("share %ld:", target);
	for (int i = 0; i < n; i++)
		printf(" %s=%lu", who[i], sh->count[i]);
	printf("\n");
	return 0;
}

static int wake(int batch)
{
	int fd[2];
	char c;
	int prompt = 0;

	if (pipe(fd) < 0)
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		if (batch)
			set_who("batch");
		for (int r = 0; r < ROUNDS; r++) {
			read(fd[0], &c, 1);
			sh->seen[r] = sh->count[0];
			sh->done[r] = 1;
		}
		_exit(0);
	}
	/* first compute for a while: the sleeper is then the one that had
	 * less CPU, as a sleeper normally is (round 0 may still find them even) */
	for (long j = 0; j < 50000000; j++)
		sh->count[1]++;
	for (int r = 0; r < ROUNDS; r++) {
		if (!wait_asleep(pid))
			printf("the reader never went to sleep\n");
		sh->count[0] = 0;
		write(fd[1], "x", 1);
		while (!sh->done[r])
			sh->count[0]++;
	}
	waitpid(pid, NULL, 0);
	for (int r = 0; r < ROUNDS; r++)
		prompt += sh->seen[r] == 0;
	if (getenv("SCHEDTEST_DEBUG"))
		for (int r = 0; r < ROUNDS; r++)
			printf("round %d: %lu\n", r, sh->seen[r]);
	printf("wake%s: the woken task ran before the waker went on in %d of %d rounds\n",
	       batch ? " batch" : "", prompt, ROUNDS);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	if (argc >= 4 && !strcmp(argv[1], "share"))
		return share(atol(argv[2]), argc - 3 > MAXKIDS ? MAXKIDS : argc - 3, argv + 3);
	if (argc >= 2 && !strcmp(argv[1], "wake"))
		return wake(argc > 2 && !strcmp(argv[2], "batch"));
	fprintf(stderr, "usage: schedtest share T WHO... | wake [batch]\n");
	return 2;
}
