/*
 * tests/guest/nolibc/nolibc.h - just enough runtime for -nostdlib guests:
 * _start, raw system calls and a few output helpers.  No libc at all, so
 * these programs exercise the kernel's ELF loader and syscall ABI directly.
 * Built for x86_64, and (those listed in Makefile.inc) for i386.
 */
#ifndef NOLIBC_H
#define NOLIBC_H

typedef unsigned long size_t;
typedef long ssize_t;

#if defined(__i386__)
static inline long sys3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c)
			 : "memory");
	return r;
}

static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	long r;
	/* every register but %esp carries something: the sixth argument goes
	 * through the stack into %ebp */
	__asm__ volatile("push %[f]\n\tpush %%ebp\n\tmov 4(%%esp), %%ebp\n\t"
			 "int $0x80\n\tpop %%ebp\n\tadd $4, %%esp"
			 : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e),
			   [f] "g"(f) : "memory");
	return r;
}

#define SYS_read 3
#define SYS_write 4
#define SYS_open 5
#define SYS_close 6
#define SYS_mmap2 192
#define SYS_mprotect 125
#define SYS_munmap 91
#define SYS_brk 45
#define SYS_getpid 20
#define SYS_exit 1
#define SYS_exit_group 252

#else
static inline long sys3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	long r;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c),
			 "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
	return r;
}

#define SYS_read 0
#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_mmap 9
#define SYS_mprotect 10
#define SYS_munmap 11
#define SYS_brk 12
#define SYS_getpid 39
#define SYS_exit 60
#define SYS_exit_group 231

#endif

static size_t slen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }
static void puts_(const char *s) { sys3(SYS_write, 1, (long)s, slen(s)); }
static void putnum(unsigned long v)
{
	char b[24]; int i = 23; b[i] = 0;
	do { b[--i] = '0' + v % 10; v /= 10; } while (v);
	puts_(b + i);
}
static void puthex(unsigned long v)
{
	char b[20]; int i = 19; b[i] = 0;
	do { b[--i] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
	b[--i] = 'x'; b[--i] = '0';
	puts_(b + i);
}
static __attribute__((noreturn)) void exit_(int code)
{
	sys3(SYS_exit_group, code, 0, 0);
	for (;;);
}

int main(int argc, char **argv, char **envp);

#if defined(__i386__)
__asm__(".globl _start\n_start:\n"
	"  xor %ebp, %ebp\n"
	"  mov (%esp), %eax\n"
	"  lea 4(%esp), %edx\n"
	"  lea 4(%edx,%eax,4), %ecx\n"
	"  and $-16, %esp\n"
	"  sub $4, %esp\n"
	"  push %ecx\n"
	"  push %edx\n"
	"  push %eax\n"
	"  call cstart\n"
	"  hlt\n");
#else
__asm__(".globl _start\n_start:\n"
	"  xor %rbp, %rbp\n"
	"  mov (%rsp), %rdi\n"
	"  lea 8(%rsp), %rsi\n"
	"  lea 8(%rsi,%rdi,8), %rdx\n"
	"  and $-16, %rsp\n"
	"  call cstart\n"
	"  hlt\n");
#endif

__attribute__((used)) static void cstart(int argc, char **argv, char **envp)
{
	exit_(main(argc, argv, envp));
}
#endif
