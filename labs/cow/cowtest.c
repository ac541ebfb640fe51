/* cowtest: copy-on-write fork, seen from inside and from outside.
 *
 * Maps NPAGES private anonymous pages, writes a value into each, forks,
 * and has both processes check what they read and write.  At each step it
 * asks /dev/kstate for the ptes of both processes (the grader compares the
 * frames and their reference counts); the lines it prints are the same
 * natively, where there is no /dev/kstate. */
#include "kstate.h"
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define NPAGES 1024
#define NWRITE 16			/* pages the child writes: 0, 64, 128, ... */
#define PAGE 4096

static volatile unsigned char *region;

static int check(const char *who, int base_val, int written_val)
{
	int bad = 0;
	for (int i = 0; i < NPAGES; i++) {
		int want = (i % (NPAGES / NWRITE) == 0) ? written_val : base_val + i % 200;
		if (want < 0)
			want = base_val + i % 200;
		if (region[i * PAGE] != (unsigned char)want)
			bad++;
	}
	printf("%s: %d pages read back wrong\n", who, bad);
	return bad;
}

int main(void)
{
	int pipefd[2];
	char c;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("cowtest: %d pages, the child writes %d of them\n", NPAGES, NWRITE);
	kstate("@start mem");
	region = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return 1;
	for (int i = 0; i < NPAGES; i++)
		region[i * PAGE] = 1 + i % 200;
	/* the grader finds the region in the ptes by these */
	kstate("@region-%lx mem", (unsigned long)region);
	kstate("@before-fork mem");
	if (pipe(pipefd) < 0)
		return 1;
	pid_t pid = fork();
	if (pid < 0) {
		printf("fork failed\n");
		return 1;
	}
	if (pid == 0) {
		kstate("@after-fork-child mm self");
		kstate("@after-fork-parent mm %d", getppid());
		kstate("@after-fork mem");
		check("child before writing", 1, -1);
		for (int i = 0; i < NPAGES; i += NPAGES / NWRITE)
			region[i * PAGE] = 250;
		kstate("@child-wrote-child mm self");
		kstate("@child-wrote-parent mm %d", getppid());
		check("child after writing", 1, 250);
		write(pipefd[1], "x", 1);
		pause();		/* until the parent has looked */
		_exit(0);
	}
	read(pipefd[0], &c, 1);
	check("parent after the child wrote", 1, -1);
	for (int i = 0; i < NPAGES; i += NPAGES / NWRITE)
		region[i * PAGE] = 77;
	kstate("@parent-wrote mm self");
	check("parent after writing", 1, 77);
	kill(pid, 9);
	int st;
	waitpid(pid, &st, 0);
	printf("child: %s %d\n", WIFSIGNALED(st) ? "killed by" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	munmap((void *)region, NPAGES * PAGE);
	kstate("@after-exit mem");
	printf("cowtest done\n");
	return 0;
}
