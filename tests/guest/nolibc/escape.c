/*
 * escape: a guest trying to reach around the kernel.  Each step prints
 * what happened; the test checks the kernel refused and kept running.
 *
 *   escape maps     - mmap/munmap/mprotect over the stub's pages
 *   escape int80 P  - `int $0x80` open(P) from 64-bit code: it must be
 *                     handled by the kernel (i386 ABI) or refused, never
 *                     run by the host, which would find the host's file P
 *                     (natively it does: the test shows both)
 *   escape jump A   - jump to address A (the stub's batch entry): the
 *                     system call it makes must kill this address space
 */
#include "nolibc.h"

#if defined(__i386__)
#define STUB_START 0xff000000UL		/* arch/x86 (built as nolibc32 too) */
#define SYS_mmap SYS_mmap2		/* offset 0: the same call */
#else
#define STUB_START 0x7f8000000000UL
#endif
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b) a++, b++;
	return *a == *b;
}

static unsigned long hexval(const char *s)
{
	unsigned long v = 0;
	if (s[0] == '0' && s[1] == 'x') s += 2;
	for (; *s; s++)
		v = v * 16 + (*s <= '9' ? *s - '0' : (*s | 32) - 'a' + 10);
	return v;
}

static void result(const char *what, long r)
{
	puts_(what);
	puts_(": ");
	if (r < 0 && r > -4096) { puts_("-"); putnum(-r); }
	else puthex(r);
	puts_("\n");
}

int main(int argc, char **argv, char **envp)
{
	if (argc < 2)
		return 2;
	if (streq(argv[1], "maps")) {
		result("mmap fixed on stub", sys6(SYS_mmap, STUB_START, 4096, 3,
			MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0));
		result("mmap fixed over stub", sys6(SYS_mmap, STUB_START - 4096, 8192, 3,
			MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0));
		result("munmap stub", sys3(SYS_munmap, STUB_START, 4096, 0));
		result("mprotect stub", sys3(SYS_mprotect, STUB_START, 4096, 7));
		result("mmap hint at stub", sys6(SYS_mmap, STUB_START, 4096, 3,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) >= (long)STUB_START);
		puts_("still alive\n");
		return 0;
	}
	if (streq(argv[1], "int80")) {
		static char path[256];	/* .bss of a non-PIE binary: below 4 GiB */
		long r;
		for (int i = 0; argv[2][i] && i < 255; i++)
			path[i] = argv[2][i];
		/* i386 open(path, O_RDONLY): number 5, path in %ebx */
		__asm__ volatile("int $0x80" : "=a"(r) : "a"(5), "b"(path), "c"(0)
				 : "memory");
		result("int80 open", r);
		puts_("still alive\n");
		return 0;
	}
	if (streq(argv[1], "jump")) {
		void (*f)(void) = (void (*)(void))hexval(argv[2]);
		puts_("jumping\n");
		f();
		puts_("returned\n");
		return 0;
	}
	return 2;
}
