/* poll: poll, ppoll, select, pselect and eventfd, compared with the host.
 * Every line printed is deterministic; times are only compared as "less
 * than what was asked" or "zero". */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int got_sig;
static void handler(int sig) { got_sig = sig; }

#define CHECK(what, expr) do { long _r = (long)(expr); \
	printf("%-40s %ld %s\n", what, _r, _r < 0 ? strerror(errno) : ""); } while (0)

static void eventfd_basics(void)
{
	uint64_t v;
	int fd = eventfd(3, EFD_NONBLOCK);
	struct stat st;
	fstat(fd, &st);
	printf("eventfd mode %o\n", st.st_mode);
	CHECK("read 4 bytes", read(fd, &v, 4));
	CHECK("read", read(fd, &v, 8));
	printf("value %llu\n", (unsigned long long)v);
	CHECK("read empty", read(fd, &v, 8));
	v = 5;
	CHECK("write 5", write(fd, &v, 8));
	v = 7;
	CHECK("write 7", write(fd, &v, 8));
	CHECK("read", read(fd, &v, 8));
	printf("value %llu\n", (unsigned long long)v);
	v = UINT64_MAX;
	CHECK("write max", write(fd, &v, 8));
	v = UINT64_MAX - 1;
	CHECK("write max-1", write(fd, &v, 8));
	v = 1;
	CHECK("write 1 more (full)", write(fd, &v, 8));
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
	CHECK("poll full", poll(&p, 1, 0));
	printf("revents %#x\n", p.revents);
	CHECK("read", read(fd, &v, 8));
	close(fd);

	fd = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK("sem read", read(fd, &v, 8));
	printf("value %llu\n", (unsigned long long)v);
	CHECK("sem read", read(fd, &v, 8));
	CHECK("sem read empty", read(fd, &v, 8));
	close(fd);
	CHECK("eventfd bad flags", eventfd(0, 0x40));
}

static void poll_basics(void)
{
	int a = eventfd(0, EFD_NONBLOCK), b = eventfd(1, EFD_NONBLOCK);
	struct pollfd p[5] = {
		{ a, POLLIN, 0 }, { b, POLLIN | POLLOUT, 0 }, { -1, POLLIN, 0x77 },
		{ 999, POLLIN, 0 }, { a, POLLOUT | POLLPRI, 0 },
	};
	CHECK("poll mixed", poll(p, 5, 0));
	for (int i = 0; i < 5; i++)
		printf("  fd %d revents %#x\n", p[i].fd, p[i].revents);
	p[0].events = POLLIN;
	CHECK("poll timeout 30ms", poll(p, 1, 30));
	printf("  revents %#x\n", p[0].revents);
	CHECK("poll nothing 10ms", poll(NULL, 0, 10));
	CHECK("poll bad pointer", syscall(SYS_poll, (void *)16, 1, 0));
	CHECK("poll too many", syscall(SYS_poll, p, 1 << 20, 0));
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	CHECK("ppoll 20ms", ppoll(p, 1, &ts, NULL));
	printf("  ts zeroed %d\n", ts.tv_sec == 0 && ts.tv_nsec == 0);
	ts.tv_nsec = 2000000000;
	CHECK("ppoll bad timespec", ppoll(p, 1, &ts, NULL));
	sigset_t s;
	sigemptyset(&s);
	CHECK("ppoll bad sigsetsize", syscall(SYS_ppoll, p, 1, NULL, &s, 4));
	close(a);
	close(b);
}

static void select_basics(void)
{
	int a = eventfd(0, EFD_NONBLOCK), b = eventfd(1, EFD_NONBLOCK);
	fd_set r, w, e;
	FD_ZERO(&r); FD_ZERO(&w); FD_ZERO(&e);
	FD_SET(a, &r); FD_SET(b, &r); FD_SET(a, &w); FD_SET(b, &e);
	struct timeval tv = { 0, 0 };
	int n = (a > b ? a : b) + 1;
	CHECK("select", select(n, &r, &w, &e, &tv));
	printf("  r a%d b%d w a%d e b%d\n", FD_ISSET(a, &r), FD_ISSET(b, &r), FD_ISSET(a, &w),
	       FD_ISSET(b, &e));
	FD_ZERO(&r);
	FD_SET(a, &r);
	tv.tv_sec = 0; tv.tv_usec = 30000;
	CHECK("select timeout", select(n, &r, NULL, NULL, &tv));
	printf("  tv %ld.%06ld set %d\n", (long)tv.tv_sec, (long)tv.tv_usec, FD_ISSET(a, &r));
	tv.tv_sec = 1; tv.tv_usec = 0;
	FD_SET(b, &r);
	CHECK("select ready", select(n, &r, NULL, NULL, &tv));
	printf("  tv left <= 1s %d\n", tv.tv_sec == 0 || (tv.tv_sec == 1 && tv.tv_usec == 0));
	FD_ZERO(&r);
	FD_SET(50, &r);
	tv.tv_sec = 0; tv.tv_usec = 0;
	CHECK("select closed fd", select(51, &r, NULL, NULL, &tv));
	CHECK("select negative n", select(-1, NULL, NULL, NULL, &tv));
	tv.tv_usec = -5;
	CHECK("select bad timeval", select(1, NULL, NULL, NULL, &tv));
	tv.tv_sec = 0; tv.tv_usec = 1500000;
	FD_ZERO(&r);
	FD_SET(b, &r);
	CHECK("select usec > 1s", select(n, &r, NULL, NULL, &tv));
	CHECK("select bad set", select(n, (void *)8, NULL, NULL, &tv));
	struct timespec ts = { 0, 10000000 };
	FD_ZERO(&r);
	FD_SET(a, &r);
	CHECK("pselect timeout", pselect(n, &r, NULL, NULL, &ts, NULL));
	close(a);
	close(b);
}

/* a child wakes the parent through an eventfd */
static void wakeups(void)
{
	int a = eventfd(0, 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec d = { 0, 20 * 1000 * 1000 };
		nanosleep(&d, NULL);
		uint64_t v = 42;
		write(a, &v, 8);
		_exit(0);
	}
	struct pollfd p = { a, POLLIN, 0 };
	CHECK("poll woken by child", poll(&p, 1, -1));
	printf("  revents %#x\n", p.revents);
	uint64_t v;
	CHECK("blocking read", read(a, &v, 8));
	printf("  value %llu\n", (unsigned long long)v);
	waitpid(pid, NULL, 0);

	/* blocking read woken by a child */
	pid = fork();
	if (pid == 0) {
		struct timespec d = { 0, 10 * 1000 * 1000 };
		nanosleep(&d, NULL);
		uint64_t v = 9;
		write(a, &v, 8);
		_exit(0);
	}
	CHECK("blocking read (child writes)", read(a, &v, 8));
	printf("  value %llu\n", (unsigned long long)v);
	waitpid(pid, NULL, 0);

	/* select woken by a child */
	pid = fork();
	if (pid == 0) {
		struct timespec d = { 0, 10 * 1000 * 1000 };
		nanosleep(&d, NULL);
		uint64_t v = 1;
		write(a, &v, 8);
		_exit(0);
	}
	fd_set r;
	FD_ZERO(&r);
	FD_SET(a, &r);
	CHECK("select woken by child", select(a + 1, &r, NULL, NULL, NULL));
	read(a, &v, 8);
	waitpid(pid, NULL, 0);
	close(a);
}

static void signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	int a = eventfd(0, 0);
	struct pollfd p = { a, POLLIN, 0 };

	/* poll is never restarted after a handler, SA_RESTART or not */
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	got_sig = 0;
	CHECK("poll + SIGALRM", poll(&p, 1, -1));
	printf("  got %d\n", got_sig);
	setitimer(ITIMER_REAL, &it, NULL);
	got_sig = 0;
	fd_set r;
	FD_ZERO(&r);
	FD_SET(a, &r);
	CHECK("select + SIGALRM", select(a + 1, &r, NULL, NULL, NULL));
	printf("  got %d\n", got_sig);

	/* ppoll: SIGUSR1 is blocked, pending, and unblocked only for the wait */
	sigset_t block, old, during;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	kill(getpid(), SIGUSR1);
	got_sig = 0;
	sigemptyset(&during);
	CHECK("ppoll unblocks SIGUSR1", ppoll(&p, 1, NULL, &during));
	printf("  got %d\n", got_sig);
	sigset_t now;
	sigprocmask(SIG_SETMASK, NULL, &now);
	printf("  SIGUSR1 blocked again %d\n", sigismember(&now, SIGUSR1));
	/* a mask that keeps it blocked: the timeout expires, it stays pending */
	kill(getpid(), SIGUSR1);
	struct timespec ts = { 0, 10000000 };
	CHECK("ppoll keeps it blocked", ppoll(&p, 1, &ts, &block));
	sigset_t pend;
	sigpending(&pend);
	printf("  pending %d got %d\n", sigismember(&pend, SIGUSR1), got_sig);
	CHECK("pselect unblocks SIGUSR1", pselect(a + 1, &r, NULL, NULL, NULL, &during));
	printf("  got %d\n", got_sig);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* stopped and continued while polling: restarted, not interrupted */
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec d = { 0, 20 * 1000 * 1000 };
		nanosleep(&d, NULL);
		kill(parent, SIGSTOP);
		nanosleep(&d, NULL);
		kill(parent, SIGCONT);
		nanosleep(&d, NULL);
		uint64_t v = 1;
		write(a, &v, 8);
		_exit(0);
	}
	CHECK("poll across SIGSTOP/SIGCONT", poll(&p, 1, -1));
	waitpid(pid, NULL, 0);
	close(a);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	eventfd_basics();
	poll_basics();
	select_basics();
	wakeups();
	signals();
	printf("done\n");
	return 0;
}
