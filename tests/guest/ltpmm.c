/* ltpmm: memory and process interfaces LTP found missing, one mode per
 * argument, in a scratch directory argv[1]; one result per line, compared
 * with the host.
 *   remap  remap_file_pages(2) (emulated since Linux 4.0: a fresh
 *          MAP_FIXED mapping of the file) on a file, on shm, its errors */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096
#define T(expr) do { errno = 0; long _r = (long)(expr); \
	if (_r < 0) printf("%s = -1 %s\n", #expr, strerror(errno)); \
	else printf("%s = %ld\n", #expr, _r); } while (0)

static long rfp(void *start, size_t size, int prot, size_t pgoff, int flags)
{
	return syscall(SYS_remap_file_pages, start, size, prot, pgoff, flags);
}

static void remap(void)
{
	int fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char page[PG];
	for (int i = 0; i < 8; i++) { memset(page, 'a' + i, PG); write(fd, page, PG); }
	char *m = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	/* reverse the pages two at a time */
	for (int i = 0; i < 8; i += 2)
		T(rfp(m + i * PG, 2 * PG, 0, 6 - i, 0));
	for (int i = 0; i < 8; i++) printf("%c", m[i * PG]);
	printf("\n");
	m[0] = 'Z';                       /* file page 6 */
	char c = 0;
	pread(fd, &c, 1, 6 * PG);
	printf("store reached file page 6: %c\n", c);
	T(rfp(m, PG, PROT_READ, 0, 0));           /* prot must be 0 */
	T(rfp(m, 0, 0, 0, 0));                    /* empty */
	T(rfp(m + PG, PG, 0, 1, MAP_NONBLOCK | MAP_PRIVATE));   /* flags ignored */
	printf("page 1 again: %c\n", m[PG]);
	T(rfp(m, 9 * PG, 0, 0, 0));               /* past the mapping */
	char *p = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	T(rfp(p, PG, 0, 1, 0));                   /* private */
	char *a = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	T(rfp(a, PG, 0, 0, 0));                   /* shared anonymous: shmem */
	munmap(p, 2 * PG);
	T(rfp(p, PG, 0, 0, 0));                   /* nothing there */
	/* read-only shared mapping keeps its protection */
	char *r = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
	T(rfp(r, PG, 0, 3, 0));
	printf("ro page: %c\n", r[0]);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) { r[0] = 1; _exit(0); }
	int st;
	waitpid(pid, &st, 0);
	printf("store to read-only remap: %s\n", WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "no signal");

	/* System V shm: remapping a removed segment drops it, then fails */
	int id = shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	char *s = shmat(id, NULL, 0);
	s[0] = 'S';
	T(rfp(s, PG, 0, 0, 0));
	printf("shm after remap: %c\n", s[0]);
	T(shmctl(id, IPC_RMID, NULL));
	T(rfp(s, PG, 0, 0, 0));
	T(rfp(s, PG, 0, 0, 0));
	T(shmdt(s));
}

int main(int argc, char **argv)
{
	if (argc < 3) return 2;
	for (char *p = argv[1] + 1; *p; p++)
		if (*p == '/') { *p = 0; mkdir(argv[1], 0755); *p = '/'; }
	mkdir(argv[1], 0755);
	if (chdir(argv[1]) < 0) return 2;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(argv[2], "remap")) remap();
	else return 2;
	return 0;
}
