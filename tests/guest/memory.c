/*
 * memory: brk, anonymous mmap/munmap/mprotect, touching 64 MiB, patterns
 * written and read back.  Prints what it checks; exits non-zero on a mismatch.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sys/syscall.h>

static int fail;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d %s\n", __FILE__, __LINE__, #c); fail = 1; } } while (0)

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], 0, 0) : 64;
	size_t len = mib << 20;

	/* brk, through the system call (musl's sbrk only reads it) */
	char *b0 = (char *)syscall(SYS_brk, 0);
	CHECK((char *)syscall(SYS_brk, b0 + (1 << 20)) == b0 + (1 << 20));
	memset(b0, 0x5a, 1 << 20);
	CHECK(b0[12345] == 0x5a);
	CHECK((char *)syscall(SYS_brk, b0) == b0);
	CHECK((char *)syscall(SYS_brk, 0) == b0);
	printf("brk ok\n");

	/* a big anonymous mapping, touched page by page, with a pattern */
	uint64_t *p = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	for (size_t i = 0; i < len / 8; i += 512)
		CHECK(p[i] == 0);
	for (size_t i = 0; i < len / 8; i++)
		p[i] = i * 0x9E3779B97F4A7C15ull;
	uint64_t bad = 0;
	for (size_t i = 0; i < len / 8; i++)
		bad += p[i] != i * 0x9E3779B97F4A7C15ull;
	CHECK(bad == 0);
	printf("touched %zu MiB, pattern ok\n", mib);

	/* munmap a hole in the middle; the rest must survive */
	CHECK(munmap((char *)p + (4 << 20), 1 << 20) == 0);
	CHECK(p[(5 << 20) / 8] == ((5 << 20) / 8) * 0x9E3779B97F4A7C15ull);
	CHECK(p[(3 << 20) / 8] == ((3 << 20) / 8) * 0x9E3779B97F4A7C15ull);

	/* mprotect read-only then back: data kept */
	CHECK(mprotect(p, 1 << 20, PROT_READ) == 0);
	CHECK(p[100] == 100 * 0x9E3779B97F4A7C15ull);
	CHECK(mprotect(p, 1 << 20, PROT_READ | PROT_WRITE) == 0);
	p[100] = 7;
	CHECK(p[100] == 7);
	/* PROT_NONE then back: data kept */
	CHECK(mprotect(p, 1 << 20, PROT_NONE) == 0);
	CHECK(mprotect(p, 1 << 20, PROT_READ | PROT_WRITE) == 0);
	CHECK(p[100] == 7);
	printf("mprotect ok\n");

	/* remap fixed over existing memory gives zeroes */
	void *q = mmap(p, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == p);
	CHECK(p[1] == 0);
	CHECK(munmap(p, len) == 0);

	/* malloc churn */
	for (int r = 0; r < 200; r++) {
		size_t n = (r * 7919) % 100000 + 1;
		char *m = malloc(n);
		memset(m, r, n);
		CHECK(m[n - 1] == (char)r);
		free(m);
	}
	printf("malloc ok\n");
	printf("%s\n", fail ? "FAILED" : "all ok");
	return fail;
}
