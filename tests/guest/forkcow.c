/* forkcow: fork, copy-on-write isolation of memory, wait status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int global = 1;

int main(void)
{
	size_t len = 8 << 20;
	char *big = malloc(len);
	memset(big, 'p', len);
	char *shared = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	strcpy(shared, "before");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		global = 2;
		memset(big, 'c', len);
		strcpy(shared, "child wrote this");
		printf("child: global=%d big[0]=%c big[end]=%c\n", global, big[0], big[len - 1]);
		exit(7);
	}
	int st;
	pid_t w = waitpid(pid, &st, 0);
	printf("parent: waited %s, exited=%d status=%d\n", w == pid ? "ok" : "BAD",
	       WIFEXITED(st), WEXITSTATUS(st));
	printf("parent: global=%d big[0]=%c big[end]=%c shared=%s\n", global, big[0],
	       big[len - 1], shared);
	for (int i = 0; i < 20; i++) {
		pid = fork();
		if (pid == 0)
			_exit(i);
		waitpid(pid, &st, 0);
		if (WEXITSTATUS(st) != i)
			printf("bad status %d for %d\n", WEXITSTATUS(st), i);
	}
	printf("20 more forks ok\n");
	return 0;
}
