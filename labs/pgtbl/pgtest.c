/* pgtest: page tables through /proc/self/pagemap and /proc/self/pagetable
 * (lab pgtbl).
 *
 *   pgtest flags    the pagemap flags of pages in several kinds of mapping,
 *                   before and after a fork (same as on Linux)
 *   pgtest pfn      the frame numbers pagemap gives, with a /dev/kstate
 *                   snapshot of the ptes taken at the same moment
 *   pgtest vmprint  /proc/self/pagetable, with a kstate snapshot of the
 *                   page-table pages taken just before
 *   pgtest reads    how pagemap takes odd reads */
#include "kstate.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGE 4096
#define FLAGS(e) ((unsigned long)((e) >> 55))	/* bits 55..63 */

static int pm = -1;

static uint64_t entry(const void *p)
{
	uint64_t e = 0;
	if (pread(pm, &e, 8, ((uintptr_t)p / PAGE) * 8) != 8)
		return ~0ULL;
	return e;
}

static void show(const char *what, char *base, int n)
{
	printf("%s:", what);
	for (int i = 0; i < n; i++)
		printf(" %02lx", FLAGS(entry(base + i * PAGE)));
	printf("\n");
}

static char *anon, *file, *shared, *none;

static void setup(void)
{
	anon = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 16; i++)
		if (i % 3 == 0)
			anon[i * PAGE] = 1;
	int fd = open("/etc/passwd", O_RDONLY);
	file = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	volatile char c = file[0];		/* a page-cache page */
	(void)c;
	shared = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	shared[PAGE] = 1;
	none = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	none[0] = 1;
	mprotect(none, 2 * PAGE, PROT_NONE);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "flags";
	static char buf[1 << 18];

	setvbuf(stdout, NULL, _IONBF, 0);
	memset(buf, 0, sizeof buf);
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (pm < 0) {
		printf("open /proc/self/pagemap: %s\n", strerror(errno));
		return 1;
	}
	setup();
	if (!strcmp(mode, "flags")) {
		show("anon, every third page written", anon, 16);
		show("private file, first page read", file, 2);
		file[0] = 'x';
		show("private file, first page written", file, 2);
		show("shared anonymous, second page written", shared, 4);
		show("written, then PROT_NONE", none, 2);
		pid_t c = fork();
		if (c == 0) {
			show("child: anon after fork", anon, 4);
			anon[0] = 2;
			show("child: anon, page 0 written", anon, 4);
			_exit(0);
		}
		waitpid(c, NULL, 0);
		show("parent: anon after the child is gone", anon, 4);
	} else if (!strcmp(mode, "pfn")) {
		kstate("@ptes-%lx mm self", (unsigned long)anon);
		for (int i = 0; i < 16; i++) {
			uint64_t e = entry(anon + i * PAGE);
			printf("page %d present %d pfn %lu\n", i, (int)(e >> 63),
			       (unsigned long)(e & ((1UL << 55) - 1)));
		}
	} else if (!strcmp(mode, "vmprint")) {
		kstate("@tables pt self");
		int fd = open("/proc/self/pagetable", O_RDONLY);
		ssize_t n, got = 0;
		while ((n = read(fd, buf + got, sizeof buf - got)) > 0)
			got += n;
		fwrite(buf, 1, got, stdout);
	} else if (!strcmp(mode, "reads")) {
		uint64_t e[4];
		ssize_t r = pread(pm, e, 8, 3);
		printf("unaligned offset: %zd %s\n", r, r < 0 ? strerror(errno) : "");
		r = pread(pm, e, 5, 0);
		printf("odd size: %zd %s\n", r, r < 0 ? strerror(errno) : "");
		r = pread(pm, e, 32, (off_t)1 << 60);
		printf("beyond user space: %zd\n", r);
		r = pread(pm, e, 32, ((uintptr_t)anon / PAGE) * 8);
		printf("four entries: %zd\n", r);
	}
	return 0;
}
