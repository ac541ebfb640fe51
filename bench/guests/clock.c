/* clock: clock_gettime through libc, as programs read the time (the vDSO). */
#include <time.h>
#include "bench.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000;
	struct timespec ts;
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		clock_gettime(CLOCK_REALTIME, &ts);
	report(t0, n);
	return 0;
}
