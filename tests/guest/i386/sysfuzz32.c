/*
 * sysfuzz32: sysfuzz for i386 - run a list of raw i386 system calls and
 * print what each returned.
 *
 * argv[1] names a file of records, eight little-endian 64-bit words each:
 * the system call number and six arguments, truncated to 32 bits.  An
 * argument whose top byte is 0xA5 is an address: "scratch + low bits" (a
 * region the calls play in) or, with byte 6 set to 1, "buffer + low bits"
 * (a valid buffer).  The point is hostile arguments: the kernel must
 * answer with errnos, never fall over.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SCRATCH 0x20000000UL
#define SCRATCH_LEN (16UL << 20)

static unsigned char buffer[1 << 16] __attribute__((aligned(4096)));

static unsigned long arg(uint64_t v)
{
	if (v >> 56 != 0xA5)
		return (unsigned long)v;
	unsigned long off = (unsigned long)(v & 0xffffffffUL);
	if ((v >> 48 & 0xff) == 1)
		return (unsigned long)buffer + off % sizeof(buffer);
	return SCRATCH + off % SCRATCH_LEN;
}

int main(int argc, char **argv)
{
	FILE *f = fopen(argv[1], "rb");
	uint64_t rec[8];
	int n = 0;
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	setvbuf(stdout, 0, _IOLBF, 0);
	while (fread(rec, 8, 8, f) == 8) {
		errno = 0;
		long r = syscall((long)rec[0], arg(rec[1]), arg(rec[2]), arg(rec[3]),
				 arg(rec[4]), arg(rec[5]), arg(rec[6]));
		if (r == -1 && errno)
			printf("%d: %ld -> errno %d\n", n, (long)rec[0], errno);
		else
			printf("%d: %ld -> %ld\n", n, (long)rec[0], r);
		n++;
	}
	printf("done after %d calls\n", n);
	return 0;
}
