/* mmaptest: file mappings over the page cache (lab mmap).
 *
 *   shared     MAP_SHARED: a store is in the file at once (read sees it), a
 *              write() is in the mapping, two mappings and a forked child
 *              see one another's stores
 *   private    MAP_PRIVATE: the file's bytes until a page is written; a
 *              store never reaches the file; a write() to the file shows
 *              through a page not yet written, not through a written one
 *   writeback DIR OTHER   a file in DIR (a host directory, hostfs in the
 *              guest) is stored to through MAP_SHARED; what OTHER (the same
 *              host directory by another mount, with its own cache) reads
 *              after msync and after munmap is what reached the host
 *
 * Under pyuml /dev/kstate is asked for the ptes (@NAME-map mm self) and the
 * file's page cache (@NAME-file file PATH): the grader compares the frames.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "kstate.h"

#define NPAGES 4
#define PG 4096

static int make(const char *path)
{
	char page[PG];
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);

	if (fd < 0) {
		perror(path);
		exit(1);
	}
	for (int i = 0; i < NPAGES; i++) {
		memset(page, 'a' + i, PG);
		if (write(fd, page, PG) != PG) {
			perror("write");
			exit(1);
		}
	}
	return fd;
}

static char *map(int fd, int flags)
{
	char *p = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE, flags, fd, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

/* Byte off of the file, by read(2) through a fresh descriptor. */
static char byte_of(const char *path, off_t off)
{
	char c = '?';
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		if (pread(fd, &c, 1, off) != 1)
			c = '-';
		close(fd);
	}
	return c;
}

static int shared(void)
{
	char path[] = "shared.dat";
	int fd = make(path);
	char *p = map(fd, MAP_SHARED), *q = map(fd, MAP_SHARED);

	printf("page 1 reads: %c\n", p[PG]);
	p[PG + 5] = 'S';
	kstate("@shared-map mm self");
	kstate("@shared-file file /tmp/shared/%s", path);
	printf("map: %p\n", (void *)p);      /* a raw line: the grader reads it, never compares */
	printf("read after a store: %c\n", byte_of(path, PG + 5));
	printf("the other mapping sees it: %c\n", q[PG + 5]);
	pwrite(fd, "W", 1, 2 * PG + 7);
	printf("the mapping after a write(): %c\n", p[2 * PG + 7]);
	pid_t c = fork();
	if (c == 0) {
		p[3 * PG] = 'C';
		_exit(0);
	}
	waitpid(c, NULL, 0);
	printf("the child's store, seen by the parent: %c, by read: %c\n", p[3 * PG],
	       byte_of(path, 3 * PG));
	munmap(q, NPAGES * PG);
	munmap(p, NPAGES * PG);
	printf("after munmap, read: %c %c\n", byte_of(path, PG + 5), byte_of(path, 3 * PG));
	return 0;
}

static int private(void)
{
	char path[] = "private.dat";
	int fd = make(path);
	char *p = map(fd, MAP_PRIVATE);

	printf("page 0 reads: %c\n", p[0]);
	p[0] = 'P';
	kstate("@private-map mm self");
	kstate("@private-file file /tmp/private/%s", path);
	printf("map: %p\n", (void *)p);
	printf("the mapping: %c, read: %c\n", p[0], byte_of(path, 0));
	pwrite(fd, "W", 1, 0);
	pwrite(fd, "W", 1, 2 * PG);
	printf("after write()s: the written page %c, an unwritten one %c\n", p[0], p[2 * PG]);
	munmap(p, NPAGES * PG);
	printf("after munmap, read: %c\n", byte_of(path, 1));
	return 0;
}

static int writeback(const char *dir, const char *other)
{
	char path[256], there[256];

	snprintf(path, sizeof path, "%s/wb.dat", dir);
	snprintf(there, sizeof there, "%s/wb.dat", other);
	int fd = make(path);
	char *p = map(fd, MAP_SHARED);
	close(fd);
	p[0] = 'X';
	p[2 * PG] = 'Y';
	msync(p, PG, MS_SYNC);
	printf("after msync of page 0: the host has %c\n", byte_of(there, 0));
	msync(p, NPAGES * PG, MS_SYNC);
	printf("after msync of all: the host has %c %c\n", byte_of(there, 0), byte_of(there, 2 * PG));
	p[3 * PG] = 'Z';
	munmap(p, NPAGES * PG);
	printf("after munmap: the host has %c\n", byte_of(there, 3 * PG));
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(mode, "writeback") && argc == 4)
		return writeback(argv[2], argv[3]);
	if (mkdir(mode, 0755) || chdir(mode)) {     /* each mode in a fresh directory */
		perror(mode);
		return 1;
	}
	if (!strcmp(mode, "shared"))
		return shared();
	if (!strcmp(mode, "private"))
		return private();
	fprintf(stderr, "usage: mmaptest shared|private|writeback DIR OTHER\n");
	return 2;
}
