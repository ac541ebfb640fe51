/* lazytest: anonymous memory gets its frames when it is touched.
 *
 *   lazytest mmap | brk    map NPAGES pages, touch a few, report
 *   lazytest stack         recurse through 2 MiB of stack
 *   lazytest big           map 64 MiB, touch 8 pages
 *   lazytest shrink        grow the heap, touch it, shrink it again
 *   lazytest kernel        read(2) into untouched memory, write(2) from it
 *   lazytest fork          fork with untouched pages; both sides touch some
 *   lazytest beyond        touch past the end of a mapping (SIGSEGV)
 *
 * At each step it asks /dev/kstate for its ptes and the free frames (the
 * grader counts them); what it prints, mincore(2)'s view included, is the
 * same natively. */
#include "kstate.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* the raw call: musl's sbrk() only reports the break */
static char *kbrk(char *to)
{
	return (char *)syscall(SYS_brk, to);
}

#define PAGE 4096
#define NPAGES 1000

static const int touch[] = { 0, 10, 500, 999 };
static const char *mode;		/* tags kstate snapshots: @MODE-... */

static void region_report(const char *tag, volatile unsigned char *p, int n)
{
	unsigned char vec[NPAGES];
	int res = 0;

	kstate("@%s-%s-%lx-%d mm self", mode, tag, (unsigned long)p, n);
	kstate("@%s-%s-mem mem", mode, tag);
	if (mincore((void *)p, (size_t)n * PAGE, vec) == 0)
		for (int i = 0; i < n; i++)
			res += vec[i] & 1;
	printf("%s: mincore says %d of %d pages resident\n", tag, res, n);
}

static void touch_some(volatile unsigned char *p)
{
	int zero = 1;
	for (int i = 0; i < 3; i++)
		p[touch[i] * PAGE + 5] = 42;
	zero = p[touch[3] * PAGE + 7] == 0;		/* a read */
	printf("untouched memory reads as zero: %s\n", zero ? "yes" : "no");
}

static int depth(int n)
{
	volatile char buf[1024];
	buf[0] = n & 0x7f;
	buf[1023] = 1;
	return n ? depth(n - 1) + buf[1023] : 0;
}

int main(int argc, char **argv)
{
	mode = argc > 1 ? argv[1] : "mmap";
	volatile unsigned char *p;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(mode, "mmap") || !strcmp(mode, "brk")) {
		if (!strcmp(mode, "mmap"))
			p = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		else {
			char *cur = kbrk(0);
			cur = (char *)(((unsigned long)cur + PAGE - 1) & ~(PAGE - 1L));
			if (kbrk(cur + NPAGES * PAGE) != cur + NPAGES * PAGE)
				return 1;
			p = (unsigned char *)cur;
		}
		if (p == MAP_FAILED)
			return 1;
		region_report("fresh", p, NPAGES);
		touch_some(p);
		region_report("touched", p, NPAGES);
	} else if (!strcmp(mode, "stack")) {
		printf("depth %d\n", depth(2048));	/* 2 MiB and more */
	} else if (!strcmp(mode, "big")) {
		kstate("@%s-before mem", mode);
		p = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 1;
		kstate("@%s-mapped mem", mode);
		for (int i = 0; i < 8; i++)
			p[(i * 2048 + 3) * PAGE] = 1;
		kstate("@%s-touched mem", mode);
		munmap((void *)p, 64 << 20);
		kstate("@%s-unmapped mem", mode);
		printf("big: done\n");
	} else if (!strcmp(mode, "shrink")) {
		char *cur = kbrk(0);
		cur = (char *)(((unsigned long)cur + PAGE - 1) & ~(PAGE - 1L));
		kbrk(cur);
		kstate("@%s-before mem", mode);
		if (kbrk(cur + 256 * PAGE) != cur + 256 * PAGE)
			return 1;
		for (int i = 0; i < 256; i++)
			cur[i * PAGE] = 1;
		kstate("@%s-grown mem", mode);
		kbrk(cur);
		kstate("@%s-shrunk mem", mode);
		if (kbrk(cur + 256 * PAGE) != cur + 256 * PAGE)
			return 1;
		int zero = 1;
		for (int i = 0; i < 256; i++)
			zero &= cur[i * PAGE] == 0;
		printf("shrink: regrown heap reads as zero: %s\n", zero ? "yes" : "no");
	} else if (!strcmp(mode, "kernel")) {
		int fd[2];
		p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (pipe(fd) < 0)
			return 1;
		/* the kernel writes into a page nobody touched, then reads one */
		write(fd[1], "kernel wrote this", 17);
		printf("read %zd\n", read(fd[0], (char *)p + PAGE, 17));
		printf("got %.17s\n", (char *)p + PAGE);
		printf("write %zd\n", write(fd[1], (char *)p + 2 * PAGE, 100));
		char back[100];
		int zeros = 0;
		read(fd[0], back, 100);
		for (int i = 0; i < 100; i++)
			zeros += back[i] == 0;
		printf("zeros %d\n", zeros);
	} else if (!strcmp(mode, "fork")) {
		p = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		p[0] = 7;
		pid_t pid = fork();
		if (pid == 0) {
			p[PAGE * 100] = 8;
			region_report("child", p, NPAGES);
			printf("child sees %d %d %d\n", p[0], p[PAGE * 100], p[PAGE * 200]);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
		p[PAGE * 200] = 9;
		region_report("parent", p, NPAGES);
		printf("parent sees %d %d %d\n", p[0], p[PAGE * 100], p[PAGE * 200]);
	} else if (!strcmp(mode, "beyond")) {
		p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		munmap((void *)(p + 3 * PAGE), PAGE);
		p[2 * PAGE] = 1;
		printf("inside: fine\n");
		p[3 * PAGE] = 1;
		printf("beyond: not reached\n");
	}
	return 0;
}
