/* thread_cj: pthread_create a thread that returns at once, join it. */
#include <pthread.h>
#include "bench.h"

static void *fn(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 500;
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		pthread_t t;
		pthread_create(&t, NULL, fn, NULL);
		pthread_join(t, NULL);
	}
	report(t0, n);
	return 0;
}
