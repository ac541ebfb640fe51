/*
 * bench/guests/bench.h - timing for benchmark guests.
 *
 * A benchmark guest takes the iteration count as argv[1], times its loop
 * with CLOCK_MONOTONIC and prints "ns_per_op=<x>".  The same binary runs
 * natively and under pyuml (bench/run.py), so the ratio compares the same
 * work.  With argv[1] = 0 it must do its set-up only: bench/run.py uses that
 * run to subtract the fixed cost when it counts ptrace stops per operation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static inline void report(double t0, long n)
{
	double dt = now_ns() - t0;
	printf("ns_per_op=%.1f\n", n ? dt / n : 0.0);
	fflush(stdout);
}
