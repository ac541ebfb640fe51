/* spin: processes that compute, sleep, block on pipes and wait on a futex
 * forever, for tests that end the kernel from outside. */
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT 0

static int futex_word;

int main(void)
{
	int in[2], out[2];
	if (pipe(in) || pipe(out))
		return 1;
	for (int i = 0; i < 6; i++) {
		if (fork() != 0)
			continue;
		char buf[4096] = {0};
		struct timespec day = {86400, 0};
		switch (i) {
		case 0:
			for (volatile unsigned long n = 0;; n++)
				;
		case 1:
			pause();
			break;
		case 2:
			read(in[0], buf, 1);            /* nobody writes */
			break;
		case 3:
			for (;;)                        /* nobody reads: fills, then blocks */
				write(out[1], buf, sizeof buf);
		case 4:
			syscall(SYS_futex, &futex_word, FUTEX_WAIT, 0, NULL, NULL, 0);
			break;
		case 5:
			nanosleep(&day, NULL);
			break;
		}
		for (;;)
			pause();
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
