/*
 * time32: i386's two generations of time calls, by number.  The old ones
 * (clock_gettime 265, nanosleep 162, gettimeofday, time, setitimer ...)
 * take 32-bit time_t structures; the *_time64 ones (clock_gettime64 403,
 * clock_nanosleep_time64 407 ...) take 64-bit ones.  Prints only what does
 * not depend on when it runs: results, errors, and whether the clocks agree.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long sc(long nr, long a, long b, long c, long d)
{
	long r = syscall(nr, a, b, c, d);
	return r == -1 ? -errno : r;
}

struct ts32 { int32_t sec, nsec; };
struct ts64 { int64_t sec, nsec; };
struct tv32 { int32_t sec, usec; };

int main(void)
{
	struct ts32 a;
	struct ts64 b;
	setvbuf(stdout, NULL, _IONBF, 0);
	long r1 = sc(265, 1, (long)&a, 0, 0);		/* clock_gettime(MONOTONIC) */
	long r2 = sc(403, 1, (long)&b, 0, 0);		/* clock_gettime64 */
	printf("clock_gettime: %ld %ld, agree %d, nsec in range %d %d\n", r1, r2,
	       b.sec - a.sec >= 0 && b.sec - a.sec < 5, a.nsec >= 0 && a.nsec < 1000000000,
	       b.nsec >= 0 && b.nsec < 1000000000);
	r1 = sc(265, 0, (long)&a, 0, 0);
	r2 = sc(403, 0, (long)&b, 0, 0);
	printf("realtime: %ld %ld, agree %d, 64-bit high word zero %d\n", r1, r2,
	       (int64_t)(uint32_t)a.sec <= b.sec && b.sec - (uint32_t)a.sec < 5, (b.sec >> 32) == 0);
	printf("bad clock: %ld %ld, bad pointer: %ld %ld\n", sc(265, 99, (long)&a, 0, 0),
	       sc(403, 99, (long)&b, 0, 0), sc(265, 0, 16, 0, 0), sc(403, 0, 16, 0, 0));
	r1 = sc(266, 1, (long)&a, 0, 0);		/* clock_getres */
	printf("getres: %ld %d.%09d\n", r1, a.sec, a.nsec);
	r2 = sc(406, 1, (long)&b, 0, 0);		/* clock_getres_time64 */
	printf("getres64: %ld %lld.%09lld\n", r2, (long long)b.sec, (long long)b.nsec);

	struct ts32 d32 = { 0, 1000000 }, bad32 = { 0, 2000000000 };
	struct ts64 d64 = { 0, 1000000 }, bad64 = { 0, 2000000000 }, neg64 = { -1, 0 };
	printf("nanosleep: %ld, bad nsec %ld, bad pointer %ld\n", sc(162, (long)&d32, 0, 0, 0),
	       sc(162, (long)&bad32, 0, 0, 0), sc(162, 16, 0, 0, 0));
	printf("clock_nanosleep: %ld\n", sc(267, 1, 0, (long)&d32, 0));
	printf("clock_nanosleep_time64: %ld, bad nsec %ld, negative %ld\n",
	       sc(407, 1, 0, (long)&d64, 0), sc(407, 1, 0, (long)&bad64, 0),
	       sc(407, 1, 0, (long)&neg64, 0));

	struct tv32 tv;
	r1 = sc(78, (long)&tv, 0, 0, 0);		/* gettimeofday */
	sc(403, 0, (long)&b, 0, 0);
	printf("gettimeofday: %ld agrees %d usec in range %d\n", r1,
	       b.sec - (uint32_t)tv.sec >= 0 && b.sec - (uint32_t)tv.sec < 5,
	       tv.usec >= 0 && tv.usec < 1000000);
	int32_t t32 = 0;
	long now = sc(13, (long)&t32, 0, 0, 0);	/* time */
	printf("time: agrees with its store %d, with clock %d\n", now == t32,
	       b.sec - (uint32_t)now >= -5 && b.sec - (uint32_t)now < 5);

	struct { struct tv32 interval, value; } it = { { 0, 0 }, { 5, 0 } }, old;
	printf("setitimer: %ld\n", sc(104, 0, (long)&it, 0, 0));
	r1 = sc(105, 0, (long)&old, 0, 0);
	printf("getitimer: %ld value <= 5s %d interval %d.%06d\n", r1,
	       old.value.sec < 5 || (old.value.sec == 5 && old.value.usec == 0),
	       old.interval.sec, old.interval.usec);
	it.value.sec = 0;
	sc(104, 0, (long)&it, (long)&old, 0);
	printf("setitimer off: old value left %d\n", old.value.sec <= 5);
	struct tv32 badtv = { 0, 2000000 };
	it.value = badtv;
	printf("setitimer bad usec: %ld\n", sc(104, 0, (long)&it, 0, 0));

	struct { int32_t uptime; uint32_t loads[3], totalram, freeram, sharedram, bufferram,
		 totalswap, freeswap; uint16_t procs, pad; uint32_t totalhigh, freehigh,
		 mem_unit; char f[8]; } si;
	memset(&si, 0, sizeof si);
	r1 = sc(116, (long)&si, 0, 0, 0);		/* sysinfo */
	printf("sysinfo: %ld procs %d ram %d free<=total %d unit %d\n", r1, si.procs > 0,
	       si.totalram > 0, si.freeram <= si.totalram, si.mem_unit > 0);
	int32_t tms[4];
	r1 = sc(43, (long)tms, 0, 0, 0);		/* times */
	printf("times: ok %d\n", r1 != -14);
	printf("times bad pointer: %ld\n", sc(43, 16, 0, 0, 0));
	return 0;
}
