/*
 * thread32: TLS descriptors are per thread.  Two threads of one process
 * (one host process under pyuml) give GDT entry 13 different bases: the
 * main thread with set_thread_area, the new one with clone(CLONE_SETTLS).
 * Each loads %fs with the entry and reads %fs:0 before and after the other
 * has run, and again after reloading %fs (which reads the GDT afresh).
 * No libc in the thread: it uses raw system calls only.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SEL13 ((13 << 3) | 3)
#define CLONE_FLAGS 0x000d0f00	/* VM FS FILES SIGHAND THREAD SYSVSEM SETTLS */

struct user_desc32 { uint32_t entry, base, limit, flags; };

static volatile int stage;
static volatile uint32_t seen[6];
static uint32_t main_word = 0x1111, thread_word = 0x2222;
static char thread_stack[16384] __attribute__((aligned(16)));

static long sys1(long n, long a)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a) : "memory");
	return r;
}

static uint32_t fs0(void)
{
	uint32_t v;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(v));
	return v;
}

static uint32_t reload_fs0(void)
{
	__asm__ volatile("mov %0, %%fs" : : "r"(SEL13));
	return fs0();
}

static void thread_fn(void)
{
	seen[2] = reload_fs0();
	stage = 1;
	while (stage != 2)
		sys1(158, 0);			/* sched_yield */
	seen[3] = fs0();
	seen[4] = reload_fs0();
	stage = 3;
	for (;;)
		sys1(1, 0);			/* exit (this thread) */
}

static long clone_thread(void (*fn)(void), void *stack_top, struct user_desc32 *tls)
{
	long r;
	void **sp = (void **)stack_top;
	*--sp = (void *)fn;
	__asm__ volatile("push %%ebx\n\t"
			 "mov %[flags], %%ebx\n\t"
			 "int $0x80\n\t"
			 "test %%eax, %%eax\n\t"
			 "jnz 1f\n\t"
			 "call *(%%esp)\n\t"	/* the new thread: never returns */
			 "hlt\n"
			 "1:\tpop %%ebx"
			 : "=a"(r)
			 : "a"(120), [flags] "i"(CLONE_FLAGS), "c"(sp), "d"(0), "S"(tls), "D"(0)
			 : "memory");
	return r;
}

int main(void)
{
	struct user_desc32 mine = { 13, (uint32_t)&main_word, 0xfffff, 0x51 };
	struct user_desc32 theirs = { 13, (uint32_t)&thread_word, 0xfffff, 0x51 };
	printf("set_thread_area: %ld\n", sys1(243, (long)&mine));
	seen[0] = reload_fs0();
	long tid = clone_thread(thread_fn, thread_stack + sizeof thread_stack, &theirs);
	printf("clone: %s\n", tid > 0 ? "ok" : "failed");
	while (stage != 1)
		sys1(158, 0);
	seen[1] = fs0();
	seen[5] = reload_fs0();
	stage = 2;
	while (stage != 3)
		sys1(158, 0);
	uint32_t after = reload_fs0();
	printf("main before %#x, after the thread started %#x, reloaded %#x, at the end %#x\n",
	       seen[0], seen[1], seen[5], after);
	printf("thread first %#x, after main ran %#x, reloaded %#x\n", seen[2], seen[3], seen[4]);
	struct user_desc32 g = { 13, 0, 0, 0 };
	sys1(244, (long)&g);
	printf("main's entry 13 still its own: %d\n", g.base == (uint32_t)&main_word);
	return 0;
}
