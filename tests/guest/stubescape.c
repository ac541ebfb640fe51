/*
 * stubescape: a guest attacking the stub, the only host code in its address
 * space (tests/test_escape.py gives it the stub's addresses, read from the
 * stub's ELF symbols).  Each mode prints what happened; the test checks
 * that the guest got errnos or a signal, that the kernel ran on, and on the
 * host that nothing the guest asked for happened (HOSTPATH not created).
 *
 *   pointers A...            addresses in the stub (code, data, stack) and
 *                            above it, passed to system calls: EFAULT
 *   mremap STUB              mremap onto, of, and growing into the stub
 *   scribble D N S M PATH    fill the N bytes of data pages at D with
 *                            records of host open(PATH, O_CREAT) calls and
 *                            the M bytes of stub stack at S with garbage,
 *                            then make system calls, fault, fork, munmap:
 *                            the kernel rewrites what it uses, so all of
 *                            it works and no record of ours runs
 *   jump A D N PATH          the same records at D, then jump to A with
 *                            every register pointing at them
 *   sysenter PATH            (x86_64) `sysenter` open(PATH, O_CREAT)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void result(const char *what, long r)
{
	if (r < 0)
		printf("%s: %s\n", what, strerror(errno));
	else
		printf("%s: %ld\n", what, r);
	fflush(stdout);
}

static uintptr_t num(const char *s)
{
	return (uintptr_t)strtoull(s, NULL, 0);
}

static void pointers(int n, char **addrs)
{
	int fds[2];
	if (pipe(fds))
		return;
	write(fds[1], "0123456789abcdef", 16);
	for (int i = 0; i < n; i++) {
		char *p = (char *)num(addrs[i]);
		char what[80];
		snprintf(what, sizeof what, "write from %s", addrs[i]);
		result(what, write(fds[1], p, 16));
		snprintf(what, sizeof what, "read into %s", addrs[i]);
		result(what, read(fds[0], p, 4));
		snprintf(what, sizeof what, "open %s", addrs[i]);
		result(what, open(p, O_RDONLY));
		snprintf(what, sizeof what, "write across the start of %s", addrs[i]);
		result(what, write(fds[1], p - 8, 16));
	}
}

static void do_mremap(uintptr_t stub)
{
	char *g = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	result("mremap a mapping onto the stub",
	       (long)mremap(g, 8192, 8192, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)stub) == -1 ? -1 : 0);
	result("mremap the stub itself",
	       (long)mremap((void *)stub, 4096, 8192, MREMAP_MAYMOVE) == -1 ? -1 : 0);
	/* whatever lies just below the stub (the stack, or nothing) may not
	 * grow into it in place */
	result("mremap growing into the stub",
	       (long)mremap((void *)(stub - 4096), 4096, 8192, 0) == -1 ? -1 : 0);
}

/* what a stub batch record looks like: nr, six arguments, the result */
struct record { uint64_t nr, a[6], result; };

static void forge(uintptr_t data, size_t n, const char *path)
{
	struct record *r = (struct record *)data;
	for (size_t i = 0; i < n / sizeof *r; i++) {
		r[i].nr = SYS_open;
		r[i].a[0] = (uintptr_t)path;
		r[i].a[1] = O_CREAT | O_WRONLY;
		r[i].a[2] = 0644;
		r[i].a[3] = r[i].a[4] = r[i].a[5] = 0;
		r[i].result = 0;
	}
}

static void scribble(uintptr_t data, size_t dn, uintptr_t stack, size_t sn, const char *path)
{
	forge(data, dn, path);
	memset((void *)stack, 0xA5, sn);
	result("getpid after the scribble", getpid() > 0);
	char *p = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 64; i++) {
		forge(data, dn, path);          /* before every fault */
		p[i * 4096] = i;
	}
	int sum = 0;
	for (int i = 0; i < 64; i++)
		sum += p[i * 4096];
	result("faults after the scribble, sum", sum);
	forge(data, dn, path);
	result("munmap after the scribble", munmap(p, 64 * 4096));
	forge(data, dn, path);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		forge(data, dn, path);
		_exit(getpid() > 0 ? 3 : 4);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	result("fork after the scribble, child status", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	result("file created", access(path, F_OK) == 0);
}

static void jump(uintptr_t target, uintptr_t data, size_t dn, const char *path)
{
	static struct record fake[8];
	forge(data, dn, path);
	forge((uintptr_t)fake, sizeof fake, path);
	printf("jumping\n");
	fflush(stdout);
#ifdef __x86_64__
	__asm__ volatile("mov %0, %%rax\n\tmov %1, %%rbx\n\tmov %1, %%rcx\n\tmov %1, %%rdx\n\t"
			 "mov %1, %%rsi\n\tmov %1, %%rdi\n\tmov %1, %%rbp\n\tmov %1, %%rsp\n\t"
			 "jmp *%%rax"
			 : : "r"(target), "r"((uintptr_t)fake) : "memory");
#else
	__asm__ volatile("mov %0, %%eax\n\tmov %1, %%ebx\n\tmov %1, %%ecx\n\tmov %1, %%edx\n\t"
			 "mov %1, %%esi\n\tmov %1, %%edi\n\tmov %1, %%ebp\n\tmov %1, %%esp\n\t"
			 "jmp *%%eax"
			 : : "r"(target), "r"((uintptr_t)fake) : "memory");
#endif
}

#ifdef __x86_64__
static char sysenter_path[256];         /* .bss of a non-PIE binary: below 4 GiB */

static void do_sysenter(const char *path)
{
	long r;
	strncpy(sysenter_path, path, sizeof sysenter_path - 1);
	printf("sysenter\n");
	fflush(stdout);
	/* i386 open(path, O_CREAT|O_WRONLY, 0644) */
	__asm__ volatile("mov %%rsp, %%rbp\n\tmov $0101, %%ecx\n\tsysenter"
			 : "=a"(r) : "a"(5), "b"(sysenter_path), "d"(0644)
			 : "rbp", "rcx", "r11", "memory");
	result("sysenter returned", r);
}
#endif

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "pointers"))
		pointers(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "mremap") && argc > 2)
		do_mremap(num(argv[2]));
	else if (!strcmp(argv[1], "scribble") && argc > 6)
		scribble(num(argv[2]), num(argv[3]), num(argv[4]), num(argv[5]), argv[6]);
	else if (!strcmp(argv[1], "jump") && argc > 5)
		jump(num(argv[2]), num(argv[3]), num(argv[4]), argv[5]);
#ifdef __x86_64__
	else if (!strcmp(argv[1], "sysenter") && argc > 2)
		do_sysenter(argv[2]);
#endif
	else
		return 2;
	printf("still alive\n");
	return 0;
}
