/*
 * sysfuzz: run a list of system calls and print what each returned.
 *
 * argv[1] names a file of records, eight little-endian 64-bit words each:
 * the system call number and six arguments.  An argument whose top byte
 * is 0xA5 is an address: "scratch + low bits" (a fixed region the calls
 * play in) or, with byte 6 set to 1, "buffer + low bits" (a valid buffer).
 * Results are printed as numbers, errno names, or "addr+OFFSET" for
 * addresses inside the scratch region, so the same list gives the same
 * output natively and under pyuml when the calls are deterministic.
 *
 * With SYSFUZZ_CHILD in the environment the calls run in a child, which an
 * alarm(2) among them can then end (init ignores SIGALRM): the parent
 * waits and exits with its status.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SCRATCH 0x200000000UL
#define SCRATCH_LEN (64UL << 20)

static unsigned char buffer[1 << 16] __attribute__((aligned(4096)));

static unsigned long arg(uint64_t v)
{
	if (v >> 56 != 0xA5)
		return v;
	unsigned long off = v & 0xffffffffffUL;
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
	if (getenv("SYSFUZZ_CHILD")) {
		int st;
		pid_t c = fork();
		if (c > 0) {
			while (waitpid(c, &st, 0) < 0 && errno == EINTR)
				;
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
	}
	while (fread(rec, 8, 8, f) == 8) {
		errno = 0;
		long r = syscall(rec[0], arg(rec[1]), arg(rec[2]), arg(rec[3]),
				 arg(rec[4]), arg(rec[5]), arg(rec[6]));
		if (r == -1 && errno)
			printf("%d: %ld -> errno %d\n", n, (long)rec[0], errno);
		else if ((unsigned long)r >= SCRATCH && (unsigned long)r < SCRATCH + SCRATCH_LEN * 4)
			printf("%d: %ld -> addr+%#lx\n", n, (long)rec[0], (unsigned long)r - SCRATCH);
		else if (rec[0] == SYS_mmap || rec[0] == SYS_mremap || rec[0] == SYS_brk)
			printf("%d: %ld -> %s\n", n, (long)rec[0], r > 0 ? "some address" : "0");
		else
			printf("%d: %ld -> %ld\n", n, (long)rec[0], r);
		n++;
	}
	/* which pages of the scratch region are mapped now (mprotect on an
	 * unmapped page is ENOMEM) */
	if (argc > 2) {
		printf("mapped:");
		for (unsigned long p = 0; p < strtoul(argv[2], 0, 0); p++)
			printf("%c", syscall(SYS_mprotect, SCRATCH + p * 4096, 4096, 1) ? '.' : 'M');
		printf("\n");
	}
	printf("done after %d calls\n", n);
	return 0;
}
