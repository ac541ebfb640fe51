/*
 * tests/guest/ldt.c - modify_ldt(2), compared with the host kernel, as a
 * 64-bit and as an i386 program: entries written and read back, the
 * default LDT, errors (and their unsigned return on x86_64), and memory
 * read through an LDT segment - in the process, a thread and a child.
 */
#define _GNU_SOURCE
#include "procs.h"
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>

struct udesc {
	unsigned int entry, base, limit;
	unsigned int seg_32bit : 1, contents : 2, read_exec_only : 1, limit_in_pages : 1,
		seg_not_present : 1, useable : 1, lm : 1;
};

static long ldt(int func, void *p, unsigned long n)
{
	return syscall(SYS_modify_ldt, func, p, n);
}

static void show(const char *what, long r)
{
	printf("%s -> %ld%s%s\n", what, r, r == -1 ? " " : "", r == -1 ? strerror(errno) : "");
}

static int data[4] = {11, 22, 33, 44};

static void set(int entry, void *base, unsigned limit, int func)
{
	struct udesc d;
	memset(&d, 0, sizeof d);
	d.entry = entry;
	d.base = (unsigned)(uintptr_t)base;
	d.limit = limit;
	d.seg_32bit = 1;
	d.useable = 1;
	char what[64];
	snprintf(what, sizeof what, "write entry %d func %#x", entry, func);
	show(what, ldt(func, &d, sizeof d));
}

/* read word i through LDT entry e: %fs on i386 (glibc keeps %gs), %gs on
   x86_64 (glibc keeps %fs) */
static int read_seg(int e, int i)
{
	int v;
	unsigned sel = e << 3 | 7;
#ifdef __i386__
	__asm__ volatile("push %%fs; mov %1, %%fs; movl %%fs:(%2), %0; pop %%fs"
			 : "=r"(v) : "r"(sel), "r"(i * 4) : "memory");
#else
	__asm__ volatile("mov %1, %%gs; movl %%gs:(%2), %0; mov %3, %%gs"
			 : "=r"(v) : "r"(sel), "r"((long)i * 4), "r"(0) : "memory");
#endif
	return v;
}

static void dump(const char *what)
{
	unsigned char buf[64];
	memset(buf, 0xAA, sizeof buf);
	long n = ldt(0, buf, sizeof buf);
	printf("%s: read %ld:", what, n);
	for (int i = 0; i < (n > 0 ? n : 0); i += 8) {
		uint32_t lo, hi;
		memcpy(&lo, buf + i, 4);
		memcpy(&hi, buf + i + 4, 4);
		printf(" [%d: limit %#x rights %#x]", i / 8, lo & 0xffff, hi & 0x00f0ff00);
	}
	printf("\n");
}

static void *thread_fn(void *arg)
{
	set(3, &data[1], 15, 0x11);
	(void)arg;
	return NULL;
}

int main(void)
{
	test_as_child();
	dump("empty");
	unsigned char buf[200];
	memset(buf, 0xAA, sizeof buf);
	show("default ldt", ldt(2, buf, sizeof buf));
	printf("zeros %d\n", buf[0] == 0 && buf[39] == 0);
	set(0, data, 15, 1);
	set(2, data, 0, 1);		/* old mode: base 0 and limit 0 clear... not here */
	set(1, NULL, 0, 1);		/* this clears */
	dump("three");
	printf("through the segment: %d %d\n", read_seg(0, 0), read_seg(0, 3));
	pthread_t th;
	pthread_create(&th, NULL, thread_fn, NULL);
	pthread_join(th, NULL);
	printf("an entry the thread made: %d\n", read_seg(3, 0));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dump("child");
		printf("child through the segment: %d\n", read_seg(0, 2));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("child", pid);
	/* a not-present segment cannot be loaded */
	struct udesc d;
	memset(&d, 0, sizeof d);
	d.entry = 4;
	d.base = (unsigned)(uintptr_t)data;
	d.limit = 15;
	d.seg_32bit = 1;
	d.seg_not_present = 1;
	show("not present", ldt(0x11, &d, sizeof d));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		read_seg(4, 0);
		_exit(0);
	}
	wait_describe("loading it", pid);
	/* errors */
	show("size 15", ldt(1, &d, 15));
	show("size 17", ldt(1, &d, 17));
	d.entry = 8192;
	show("entry 8192", ldt(1, &d, sizeof d));
	d.entry = 5;
	d.contents = 3;
	show("contents 3, old mode", ldt(1, &d, sizeof d));
	d.seg_not_present = 0;
	show("contents 3, present", ldt(0x11, &d, sizeof d));
	d.seg_not_present = 1;
	show("contents 3, not present", ldt(0x11, &d, sizeof d));
	show("bad pointer", ldt(1, (void *)16, sizeof d));
	show("read to a bad pointer", ldt(0, (void *)16, 64));
	show("func 3", ldt(3, buf, 16));
	show("func -1", ldt(-1, buf, 16));
	show("read 3 bytes", ldt(0, buf, 3));
	d.contents = 0;
	d.seg_32bit = 0;
	show("16-bit", ldt(0x11, &d, sizeof d));
	dump("at the end");
	return 0;
}
