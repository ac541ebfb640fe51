/* spin: a few processes that sleep or compute forever, for tests that end
 * the kernel from outside. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	for (int i = 0; i < 3; i++)
		if (fork() == 0) {
			if (i == 0)
				for (volatile unsigned long n = 0;; n++)
					;
			pause();
		}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
