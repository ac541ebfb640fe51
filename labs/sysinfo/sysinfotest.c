/* sysinfotest: sysinfo(2), seen by a program (lab sysinfo).
 *
 *   sysinfotest facts   what must hold on any Linux: printed as yes/no
 *   sysinfotest show    the raw fields, and a /dev/kstate snapshot of
 *                       physical memory and the tasks taken right after
 *
 * Built 64-bit and 32-bit (the i386 struct is another layout). */
#include "kstate.h"
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/* the kernel's struct sysinfo, in this ABI's longs */
struct ksysinfo {
	long uptime;
	unsigned long loads[3];
	unsigned long totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	unsigned short procs, pad;
	unsigned long totalhigh, freehigh;
	unsigned int mem_unit;
	char _f[20 - 2 * sizeof(long) - sizeof(int)];
};

static long sysinfo_call(struct ksysinfo *si)
{
	return syscall(SYS_sysinfo, si);
}

int main(int argc, char **argv)
{
	struct ksysinfo a, b;
	const char *mode = argc > 1 ? argv[1] : "facts";

	memset(&a, 0xAA, sizeof a);
	if (!strcmp(mode, "show"))
		kstate("@warm mem");	/* open the device, touch the stack: no faults later */
	long r = sysinfo_call(&a);
	if (!strcmp(mode, "show")) {
		kstate("@after mem");
		kstate("@tasks tasks");
		printf("r=%ld uptime=%ld load0=%lu load1=%lu load2=%lu totalram=%lu freeram=%lu "
		       "sharedram=%lu bufferram=%lu totalswap=%lu freeswap=%lu procs=%u "
		       "totalhigh=%lu freehigh=%lu mem_unit=%u\n", r, a.uptime, a.loads[0],
		       a.loads[1], a.loads[2], a.totalram, a.freeram, a.sharedram, a.bufferram,
		       a.totalswap, a.freeswap, a.procs, a.totalhigh, a.freehigh, a.mem_unit);
		return r != 0;
	}
	printf("sysinfo returns 0: %s\n", r == 0 ? "yes" : "no");
	printf("struct size: %zu\n", sizeof a);
	printf("mem_unit is a power of two: %s\n", a.mem_unit && !(a.mem_unit & (a.mem_unit - 1)) ? "yes" : "no");
	printf("totalram > 0: %s\n", a.totalram > 0 ? "yes" : "no");
	printf("freeram <= totalram: %s\n", a.freeram <= a.totalram ? "yes" : "no");
	printf("uptime >= 0: %s\n", a.uptime >= 0 ? "yes" : "no");
	printf("procs > 0: %s\n", a.procs > 0 ? "yes" : "no");
	printf("freeswap <= totalswap: %s\n", a.freeswap <= a.totalswap ? "yes" : "no");
	printf("padding is zero: %s\n", a.pad == 0 ? "yes" : "no");
	sysinfo_call(&b);
	printf("uptime does not go back: %s\n", b.uptime >= a.uptime ? "yes" : "no");
	errno = 0;
	r = sysinfo_call((void *)16);
	printf("bad pointer: %ld %s\n", r, strerror(errno));
	return 0;
}
