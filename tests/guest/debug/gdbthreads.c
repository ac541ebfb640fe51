/* tests/guest/debug/gdbthreads.c - two threads that compute until a debugger
 * interrupts them (the GDB stub's ^C and thread list), then end when told:
 * the debugger sets `stop` to 1. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

volatile int stop;
volatile unsigned long spins[2];

static void *spin(void *arg)
{
	long i = (long)arg;
	while (!stop)
		spins[i]++;
	return NULL;
}

int main(void)
{
	pthread_t th;
	pthread_create(&th, NULL, spin, (void *)1L);
	printf("pid %d\n", (int)getpid());     /* for a debugger to attach to */
	fflush(stdout);
	spin((void *)0L);
	pthread_join(th, NULL);
	printf("threads done\n");
	return 0;
}
