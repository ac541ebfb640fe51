/*
 * pvmpreempt: process_vm_writev into a process that is preempted in user
 * mode.  The writes fault pages into the target's address space, so the
 * kernel must bring the target's host process up to date (a stub batch)
 * before it runs again - while the target's registers live only in its
 * host thread.  The target must go on exactly where it was.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	/* pages the child never touches: the parent's writes fault them in */
	char *area = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile int *flag = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*flag = 0;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		unsigned long a = 1, b = 2, spins = 0;
		while (!*flag) {                /* user mode only: preempted by ticks */
			a = a * 3 + b;
			b ^= a;
			spins++;
		}
		int sum = 0;
		for (int i = 0; i < 64; i++)
			sum += area[i * 4096];
		printf("child: flag seen, bytes written into it sum to %d\n", sum);
		return spins ? 7 : 8;
	}
	for (int i = 0; i < 64; i++) {
		char byte = i;
		struct iovec l = {&byte, 1}, r = {area + i * 4096, 1};
		if (process_vm_writev(pid, &l, 1, &r, 1, 0) != 1)
			perror("process_vm_writev");
		usleep(2000);
	}
	int one = 1;
	struct iovec l = {&one, sizeof one}, r = {(void *)flag, sizeof one};
	process_vm_writev(pid, &l, 1, &r, 1, 0);
	int st;
	waitpid(pid, &st, 0);
	printf("parent: child %s %d\n", WIFEXITED(st) ? "exited with" : "killed by signal",
	       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return 0;
}
