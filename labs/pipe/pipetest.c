/* pipetest: what a pipe does (lab pipe).  Each mode prints the same
 * lines natively; alarm() only ends a run that would otherwise hang.
 *
 *   pipetest fill       non-blocking writes of several sizes until EAGAIN;
 *                       what poll says then
 *   pipetest epipe      writing with no reader: SIGPIPE, or EPIPE if ignored
 *   pipetest eof        the last writer goes: the reader sees end of file
 *   pipetest nonblock   reading an empty pipe with O_NONBLOCK
 *   pipetest block      a writer of 200 KiB sleeps while the pipe is full;
 *                       /dev/kstate shows the pipe at that moment
 *   pipetest atomic     four writers of 4096-byte records, one reader */
#include "kstate.h"
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

static int wait_asleep(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	for (int i = 0; i < 100000; i++) {
		int fd = open(path, O_RDONLY);
		int n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			char *p = strrchr(buf, ')');
			if (p && (p[2] == 'S' || p[2] == 'Z'))
				return p[2];
		}
		sched_yield();
	}
	return 0;
}

static void fill(void)
{
	static char buf[65536];
	int sizes[] = { 1, 100, 4096, 5000, 65536 };
	for (int k = 0; k < 5; k++) {
		int fd[2];
		pipe(fd);
		fcntl(fd[1], F_SETFL, O_NONBLOCK);
		long total = 0, n;
		while (total < (1 << 17) && (n = write(fd[1], buf, sizes[k])) > 0)
			total += n;
		int err = errno;
		struct pollfd p = { .fd = fd[1], .events = POLLOUT };
		int ready = poll(&p, 1, 0);
		printf("writes of %d: %ld bytes, then %s; poll: %d %#x\n", sizes[k], total,
		       total >= (1 << 17) ? "no end" : strerror(err), ready, p.revents);
		char c;
		read(fd[0], &c, 1);
		p.revents = 0;
		printf("  after reading a byte, poll: %d\n", poll(&p, 1, 0));
		n = write(fd[1], buf, 4096);
		printf("  a 4096-byte write: %ld\n", n);
		close(fd[0]);
		close(fd[1]);
	}
}

static void epipe(void)
{
	int fd[2];
	pipe(fd);
	close(fd[0]);
	pid_t c = fork();
	if (c == 0) {
		write(fd[1], "x", 1);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	printf("no reader: killed by signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	signal(SIGPIPE, SIG_IGN);
	errno = 0;
	ssize_t r = write(fd[1], "x", 1);
	printf("SIGPIPE ignored: write %zd %s\n", r, strerror(errno));
}

static void eof(void)
{
	int fd[2];
	char buf[16];
	pipe(fd);
	pid_t c = fork();
	if (c == 0) {
		close(fd[0]);
		write(fd[1], "abc", 3);
		_exit(0);
	}
	close(fd[1]);
	printf("read %zd", read(fd[0], buf, sizeof buf));
	printf(", then %zd\n", read(fd[0], buf, sizeof buf));
	waitpid(c, NULL, 0);
}

static void nonblock(void)
{
	int fd[2];
	char c;
	pipe(fd);
	fcntl(fd[0], F_SETFL, O_NONBLOCK);
	errno = 0;
	ssize_t r = read(fd[0], &c, 1);
	printf("empty, O_NONBLOCK: read %zd %s\n", r, strerror(errno));
	write(fd[1], "z", 1);
	printf("one byte in: read %zd\n", read(fd[0], &c, 1));
	close(fd[1]);
	printf("no writer: read %zd\n", read(fd[0], &c, 1));
}

static void block(void)
{
	enum { N = 200 * 1024 };
	static char buf[N];
	int fd[2];
	pipe(fd);
	pid_t c = fork();
	if (c == 0) {
		close(fd[0]);
		memset(buf, 'w', N);
		ssize_t n = write(fd[1], buf, N);
		_exit(n == N ? 0 : 1);
	}
	close(fd[1]);
	int state = wait_asleep(c);
	printf("the writer %s\n", state == 'S' ? "sleeps" : "never slept");
	kstate("@full fd self %d", fd[0]);
	kstate("@writer task %d", c);
	long total = 0, n;
	while ((n = read(fd[0], buf, 4096)) > 0)
		total += n;
	int st;
	waitpid(c, &st, 0);
	printf("read %ld bytes; the writer's write returned all: %d\n", total,
	       WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void atomic(void)
{
	int fd[2];
	pipe(fd);
	for (int w = 0; w < 4; w++)
		if (fork() == 0) {
			char rec[4096];
			memset(rec, 'a' + w, sizeof rec);
			for (int i = 0; i < 32; i++)
				write(fd[1], rec, sizeof rec);
			_exit(0);
		}
	close(fd[1]);
	static char buf[4096 * 128];
	long total = 0, n;
	while ((n = read(fd[0], buf + total, sizeof buf - total)) > 0)
		total += n;
	int mixed = 0;
	for (long r = 0; r < total; r += 4096)
		for (int i = 1; i < 4096; i++)
			if (buf[r + i] != buf[r]) {
				mixed++;
				break;
			}
	while (wait(NULL) > 0)
		;
	printf("atomic: %ld bytes, %d records mixed\n", total, mixed);
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "fill";
	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(10);			/* a safety net: a hang ends, and shows */
	if (!strcmp(m, "fill")) fill();
	else if (!strcmp(m, "epipe")) epipe();
	else if (!strcmp(m, "eof")) eof();
	else if (!strcmp(m, "nonblock")) nonblock();
	else if (!strcmp(m, "block")) block();
	else if (!strcmp(m, "atomic")) atomic();
	return 0;
}
