/*
 * limits: resource limits and running out.  limits MODE:
 *   rlimit    getrlimit/setrlimit/prlimit: round trips, EINVAL/EPERM/ESRCH,
 *             inheritance, and RLIMIT_NOFILE, NPROC, AS, DATA enforced;
 *             a request for more memory than the machine has fails
 *   forkbomb  fork until the kernel refuses; the machine and a bystander
 *             process keep working (pyuml only: natively it would be a
 *             real fork bomb)
 *   oom       a process that touches memory without end is killed by the
 *             OOM killer; its parent and a bystander carry on (pyuml only)
 */
#include "procs.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static void show_lim(const char *name, int res)
{
	struct rlimit r;
	getrlimit(res, &r);
	printf("%s: cur %lld max %lld\n", name, (long long)r.rlim_cur, (long long)r.rlim_max);
}

static void rlimit(void)
{
	struct rlimit r = {64, 128}, old;
	getrlimit(RLIMIT_NOFILE, &old);
	SHOW(setrlimit(RLIMIT_NOFILE, &r));
	show_lim("NOFILE", RLIMIT_NOFILE);
	struct rlimit bad = {200, 100};
	SHOW(setrlimit(RLIMIT_NOFILE, &bad));
	SHOW(getrlimit(99, &r));
	SHOW(setrlimit(99, &r));
	SHOW(syscall(SYS_getrlimit, RLIMIT_NOFILE, (void *)8));
	SHOW(syscall(SYS_prlimit64, 999999, RLIMIT_NOFILE, NULL, &r));
	/* the soft limit may move up to the hard one */
	struct rlimit up = {100, 128};
	SHOW(setrlimit(RLIMIT_NOFILE, &up));
	/* prlimit on a child; children inherit limits across fork and exec */
	int p[2];
	pipe(p);
	struct rlimit stk;
	getrlimit(RLIMIT_STACK, &stk);
	stk.rlim_cur = 6 << 20;
	setrlimit(RLIMIT_STACK, &stk);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		char x;
		close(p[1]);
		read(p[0], &x, 1);
		show_lim("child NOFILE after prlimit", RLIMIT_NOFILE);
		getrlimit(RLIMIT_STACK, &stk);
		printf("child STACK inherited: %lld\n", (long long)stk.rlim_cur);
		fflush(stdout);
		_exit(0);
	}
	struct rlimit cl = {33, 44}, prev;
	SHOW(prlimit(c, RLIMIT_NOFILE, &cl, &prev));
	printf("prev was ours: %d\n", prev.rlim_cur == 100 && prev.rlim_max == 128);
	write(p[1], "x", 1);
	wait_describe("prlimit child", c);
	close(p[0]);
	close(p[1]);
	/* an unprivileged process cannot raise its hard limit */
	if ((c = fork()) == 0) {
		setuid(54321);
		struct rlimit hi = {64, 512};
		SHOW(setrlimit(RLIMIT_NOFILE, &hi));
		struct rlimit lo = {10, 100};
		SHOW(setrlimit(RLIMIT_NOFILE, &lo));
		SHOW(setrlimit(RLIMIT_NOFILE, &up));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("unprivileged", c);
	/* RLIMIT_NOFILE is enforced */
	struct rlimit ten = {10, 128};
	setrlimit(RLIMIT_NOFILE, &ten);
	int n = 0, fd;
	while ((fd = open("/", O_RDONLY)) >= 0)
		n++;
	printf("open until %s: %d more fds\n", strerror(errno), n);
	SHOW(pipe(p));
	SHOW(open("/", O_RDONLY));
	for (int i = 3; i < 10; i++)
		close(i);
	/* RLIMIT_NPROC, for a user other than root */
	fflush(stdout);
	if ((c = fork()) == 0) {
		struct rlimit three = {3, 3};
		setrlimit(RLIMIT_NPROC, &three);
		setuid(54321);
		int made = 0;
		pid_t kids[8];
		for (int i = 0; i < 8; i++) {
			kids[i] = fork();
			if (kids[i] == 0) {
				pause();
				_exit(0);
			}
			if (kids[i] < 0) {
				printf("fork %d: %s\n", i, strerror(errno));
				break;
			}
			made++;
		}
		printf("NPROC 3: made %d children\n", made);
		for (int i = 0; i < made; i++) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
		}
		fflush(stdout);
		_exit(0);
	}
	wait_describe("nproc", c);
	/* RLIMIT_AS */
	fflush(stdout);
	if ((c = fork()) == 0) {
		struct rlimit as = {64 << 20, 64 << 20};
		setrlimit(RLIMIT_AS, &as);
		void *m = mmap(NULL, 100 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		printf("AS 64M: mmap 100M %s\n", m == MAP_FAILED ? strerror(errno) : "ok");
		m = mmap(NULL, 10 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		printf("AS 64M: mmap 10M %s\n", m == MAP_FAILED ? strerror(errno) : "ok");
		printf("AS 64M: malloc 100M %s\n", malloc(100 << 20) ? "ok" : "NULL");
		fflush(stdout);
		_exit(0);
	}
	wait_describe("as", c);
	/* RLIMIT_DATA bounds brk */
	fflush(stdout);
	if ((c = fork()) == 0) {
		struct rlimit data = {16 << 20, 16 << 20};
		setrlimit(RLIMIT_DATA, &data);
		void *cur = sbrk(0);
		void *r1 = sbrk(32 << 20);
		printf("DATA 16M: sbrk 32M %s, break unchanged %d\n",
		       r1 == (void *)-1 ? strerror(errno) : "ok", sbrk(0) == cur);
		printf("DATA 16M: sbrk 1M %s\n", sbrk(1 << 20) == (void *)-1 ? "failed" : "ok");
		fflush(stdout);
		_exit(0);
	}
	wait_describe("data", c);
	/* more than the machine: refused at once (overcommit heuristic); an
	 * i386 program asks for more than its address space */
	volatile unsigned long HUGE = sizeof(long) == 8 ? (unsigned long)1 << 40 : 0xF0000000UL;
	void *huge = mmap(NULL, HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mmap 1 TiB: %s\n", huge == MAP_FAILED ? strerror(errno) : "ok");
	printf("malloc 1 TiB: %s\n", malloc(HUGE) ? "ok" : "NULL");
	huge = mmap(NULL, HUGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	printf("mmap 1 TiB read-only, NORESERVE: %s\n", huge == MAP_FAILED ? strerror(errno) : "ok");
}

static pid_t start_bystander(int *to, int *from)
{
	int p[2], q[2];
	pipe(p);
	pipe(q);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		char x;
		close(p[1]);
		close(q[0]);
		while (read(p[0], &x, 1) == 1)
			write(q[1], &x, 1);
		_exit(0);
	}
	close(p[0]);
	close(q[1]);
	*to = p[1];
	*from = q[0];
	return c;
}

static int ping(int to, int from)
{
	char x = 'p';
	return write(to, &x, 1) == 1 && read(from, &x, 1) == 1;
}

static void forkbomb(void)
{
	int to, from;
	pid_t by = start_bystander(&to, &from);
	static pid_t kids[100000];
	int n = 0, err = 0;
	for (;;) {
		pid_t c = fork();
		if (c == 0) {
			pause();
			_exit(0);
		}
		if (c < 0) {
			err = errno;
			break;
		}
		kids[n++] = c;
	}
	printf("fork refused after %d children: %s\n", n > 50 ? 50 : n, strerror(err));
	printf("bystander answers during the bomb: %d\n", ping(to, from));
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	printf("bystander answers after: %d\n", ping(to, from));
	pid_t c = fork();
	if (c == 0)
		_exit(3);
	wait_describe("fork works again", c);
	close(to);
	wait_describe("bystander", by);
	close(from);
}

static void oom(void)
{
	int to, from;
	pid_t by = start_bystander(&to, &from);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		for (size_t total = 0;; total += 1 << 20) {
			char *m = malloc(1 << 20);
			if (!m) {
				printf("malloc failed at %zu MiB\n", total >> 20);
				fflush(stdout);
				_exit(1);
			}
			for (int i = 0; i < (1 << 20); i += 4096)
				m[i] = 1;
		}
	}
	wait_describe("memory hog", c);
	printf("bystander answers after: %d\n", ping(to, from));
	/* the memory came back: a new process can use plenty */
	if ((c = fork()) == 0) {
		size_t len = 16 << 20;
		char *m = malloc(len);
		memset(m, 7, len);
		_exit(m[len - 1]);
	}
	wait_describe("16 MiB afterwards", c);
	close(to);
	wait_describe("bystander", by);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "rlimit";
	test_as_child();
	if (!strcmp(mode, "rlimit"))
		rlimit();
	else if (!strcmp(mode, "forkbomb"))
		forkbomb();
	else if (!strcmp(mode, "oom"))
		oom();
	fflush(stdout);
	return 0;
}
