/*
 * vsyscall: calls into the legacy [vsyscall] page (gettimeofday, time,
 * getcpu at 0xffffffffff600000/400/800).  The host emulates these without
 * a system call stop; pyuml's stub turns them into SIGSYS and the kernel
 * answers them itself.  The results must agree with the real calls.
 */
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

typedef long (*gtod_t)(struct timeval *, void *);
typedef long (*time_t_fn)(long *);
typedef long (*getcpu_t)(unsigned *, unsigned *, void *);

int main(void)
{
	gtod_t vgtod = (gtod_t)0xffffffffff600000UL;
	time_t_fn vtime = (time_t_fn)0xffffffffff600400UL;
	getcpu_t vgetcpu = (getcpu_t)0xffffffffff600800UL;
	struct timeval a, b, c;

	gettimeofday(&a, 0);
	long r = vgtod(&b, 0);
	gettimeofday(&c, 0);
	double ta = a.tv_sec + a.tv_usec / 1e6, tb = b.tv_sec + b.tv_usec / 1e6,
	       tc = c.tv_sec + c.tv_usec / 1e6;
	printf("vsyscall gettimeofday: %ld, in order: %s\n", r, ta <= tb && tb <= tc ? "yes" : "no");
	long t1 = time(0), tl = 0;
	long t2 = vtime(&tl);
	printf("vsyscall time: same second (+1): %s, stored: %s\n",
	       t2 - t1 >= 0 && t2 - t1 <= 1 ? "yes" : "no", tl == t2 ? "yes" : "no");
	unsigned cpu = 99, node = 99;
	r = vgetcpu(&cpu, &node, 0);
	printf("vsyscall getcpu: %ld, cpu below 4096: %s\n", r, cpu < 4096 ? "yes" : "no");
	return 0;
}
