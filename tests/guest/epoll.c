/* epoll: level- and edge-triggered, EPOLLONESHOT, nesting, closing watched
 * fds, timeouts, signals and masks, with eventfds as the watched files. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int got_sig;
static void handler(int sig) { got_sig = sig; }

#define CHECK(what, expr) do { long _r = (long)(expr); \
	printf("%-40s %ld %s\n", what, _r, _r < 0 ? strerror(errno) : ""); } while (0)

static int add(int ep, int fd, unsigned ev)
{
	struct epoll_event e = { .events = ev, .data.u64 = 1000 + fd };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

static int mod(int ep, int fd, unsigned ev)
{
	struct epoll_event e = { .events = ev, .data.u64 = 2000 + fd };
	return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e);
}

static void wait_print(const char *what, int ep, int max, int timeout)
{
	struct epoll_event ev[8];
	int n = epoll_wait(ep, ev, max, timeout);
	printf("%-40s %d %s\n", what, n, n < 0 ? strerror(errno) : "");
	for (int i = 0; i < n; i++)
		printf("  events %#x data %llu\n", ev[i].events, (unsigned long long)ev[i].data.u64);
}

static void put(int fd, uint64_t v) { write(fd, &v, 8); }
static uint64_t take(int fd) { uint64_t v = 0; read(fd, &v, 8); return v; }

static void errors(const char *regular)
{
	CHECK("epoll_create 0", epoll_create(0));
	CHECK("epoll_create1 bad flags", epoll_create1(1));
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int a = eventfd(0, EFD_NONBLOCK), unwatched = eventfd(0, 0);
	int reg = open(regular, O_RDONLY);
	struct epoll_event e = { EPOLLIN, { 0 } };
	CHECK("ctl ADD", add(ep, a, EPOLLIN));
	CHECK("ctl ADD again", add(ep, a, EPOLLIN));
	CHECK("ctl MOD missing", mod(ep, unwatched, EPOLLIN));
	CHECK("ctl DEL missing", epoll_ctl(ep, EPOLL_CTL_DEL, unwatched, NULL));
	CHECK("ctl regular file", add(ep, reg, EPOLLIN));
	CHECK("ctl bad fd", add(ep, 77, EPOLLIN));
	CHECK("ctl bad epfd", add(78, a, EPOLLIN));
	CHECK("ctl not epoll", add(a, a, EPOLLIN));
	CHECK("ctl self", add(ep, ep, EPOLLIN));
	CHECK("ctl bad op", epoll_ctl(ep, 9, a, &e));
	CHECK("ctl bad event ptr", epoll_ctl(ep, EPOLL_CTL_MOD, a, (void *)8));
	CHECK("ctl MOD exclusive", mod(ep, a, EPOLLIN | EPOLLEXCLUSIVE));
	int b = eventfd(0, 0);
	CHECK("ctl ADD exclusive + oneshot", add(ep, b, EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT));
	CHECK("ctl ADD exclusive", add(ep, b, EPOLLIN | EPOLLEXCLUSIVE));
	CHECK("ctl MOD of exclusive", mod(ep, b, EPOLLIN));
	struct epoll_event ev[2];
	CHECK("wait maxevents 0", epoll_wait(ep, ev, 0, 0));
	CHECK("wait bad buffer", syscall(SYS_epoll_wait, ep, (void *)8, 1, 0));
	CHECK("wait not epoll", epoll_wait(a, ev, 1, 0));
	CHECK("wait bad fd", epoll_wait(79, ev, 1, 0));
	CHECK("wait timeout 20ms", epoll_wait(ep, ev, 1, 20));
	CHECK("DEL", epoll_ctl(ep, EPOLL_CTL_DEL, a, NULL));
	CHECK("DEL again", epoll_ctl(ep, EPOLL_CTL_DEL, a, NULL));
	close(reg); close(a); close(b); close(ep); close(unwatched);
}

static void triggers(void)
{
	int ep = epoll_create1(0);
	int lt = eventfd(1, EFD_NONBLOCK), et = eventfd(1, EFD_NONBLOCK), os = eventfd(1, EFD_NONBLOCK);
	add(ep, lt, EPOLLIN);
	add(ep, et, EPOLLIN | EPOLLET);
	add(ep, os, EPOLLIN | EPOLLONESHOT);
	wait_print("first wait", ep, 8, 0);
	wait_print("second wait (LT only)", ep, 8, 0);
	put(et, 1);
	put(os, 1);
	wait_print("after writes (LT, ET again)", ep, 8, 0);
	CHECK("re-arm oneshot", mod(ep, os, EPOLLIN | EPOLLONESHOT));
	wait_print("after re-arm", ep, 8, 0);
	take(lt);
	wait_print("LT drained", ep, 8, 0);
	CHECK("MOD ET to OUT", mod(ep, et, EPOLLOUT | EPOLLET));
	wait_print("OUT", ep, 8, 0);
	wait_print("OUT again (edge)", ep, 8, 0);
	close(lt); close(et); close(os); close(ep);
}

static void maxevents(void)
{
	int ep = epoll_create1(0);
	int fds[5];
	for (int i = 0; i < 5; i++) {
		fds[i] = eventfd(1, 0);
		add(ep, fds[i], EPOLLIN);
	}
	wait_print("max 2", ep, 2, 0);
	wait_print("max 2 (round robin)", ep, 2, 0);
	wait_print("max 8", ep, 8, 0);
	for (int i = 0; i < 5; i++)
		close(fds[i]);
	close(ep);
}

static void closing(void)
{
	int ep = epoll_create1(0);
	int a = eventfd(1, 0), b = eventfd(1, 0);
	add(ep, a, EPOLLIN);
	add(ep, b, EPOLLIN);
	int bdup = dup(b);
	close(a);
	close(b);
	/* a's file is gone, b's lives on through bdup */
	wait_print("after closing a and b (b dup'd)", ep, 8, 0);
	CHECK("DEL closed fd", epoll_ctl(ep, EPOLL_CTL_DEL, a, NULL));
	int c = eventfd(1, 0);          /* takes a's old number */
	printf("new fd reuses %d\n", c == a);
	CHECK("ADD new file on the same fd", add(ep, c, EPOLLIN));
	CHECK("DEL via dup", epoll_ctl(ep, EPOLL_CTL_DEL, bdup, NULL));
	close(bdup);
	wait_print("after all", ep, 8, 0);
	close(c);
	close(ep);
}

static void nesting(void)
{
	int outer = epoll_create1(0), inner = epoll_create1(0);
	int a = eventfd(0, EFD_NONBLOCK);
	add(inner, a, EPOLLIN);
	CHECK("ADD inner to outer", add(outer, inner, EPOLLIN));
	CHECK("ADD outer to inner (loop)", add(inner, outer, EPOLLIN));
	struct pollfd p = { inner, POLLIN, 0 };
	CHECK("poll inner, nothing", poll(&p, 1, 0));
	wait_print("outer, nothing", outer, 8, 0);
	put(a, 1);
	CHECK("poll inner", poll(&p, 1, 0));
	printf("  revents %#x\n", p.revents);
	wait_print("outer", outer, 8, 0);
	wait_print("inner", inner, 8, 0);
	take(a);
	wait_print("outer after drain", outer, 8, 0);
	close(a); close(inner); close(outer);
}

static void sleeping(void)
{
	int ep = epoll_create1(0);
	int a = eventfd(0, 0);
	add(ep, a, EPOLLIN | EPOLLET);
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec d = { 0, 20 * 1000 * 1000 };
		nanosleep(&d, NULL);
		put(a, 5);
		_exit(0);
	}
	wait_print("woken by child", ep, 8, -1);
	waitpid(pid, NULL, 0);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	got_sig = 0;
	wait_print("SIGALRM (never restarted)", ep, 8, -1);
	printf("  got %d\n", got_sig);

	sigset_t block, none, now;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &block, NULL);
	kill(getpid(), SIGUSR1);
	struct epoll_event ev[1];
	got_sig = 0;
	CHECK("epoll_pwait keeps it blocked", epoll_pwait(ep, ev, 1, 10, &block));
	printf("  got %d\n", got_sig);
	CHECK("epoll_pwait unblocks", epoll_pwait(ep, ev, 1, -1, &none));
	printf("  got %d\n", got_sig);
	sigprocmask(SIG_SETMASK, NULL, &now);
	printf("  blocked again %d\n", sigismember(&now, SIGUSR1));
	CHECK("epoll_pwait bad sigsetsize", syscall(SYS_epoll_pwait, ep, ev, 1, 0, &none, 4));
#ifdef SYS_epoll_pwait2
	struct { int64_t sec, nsec; } ts = { 0, 10000000 };   /* __kernel_timespec */
	long r = syscall(SYS_epoll_pwait2, ep, ev, 1, &ts, NULL, 8);
	if (r < 0 && errno == ENOSYS)
		printf("epoll_pwait2 timeout                     0 \n");
	else
		CHECK("epoll_pwait2 timeout", r);
#else
	printf("epoll_pwait2 timeout                     0 \n");
#endif
	close(a);
	close(ep);
}

/* edge-triggered wake-ups carry their events: the peer reading what we
 * sent is write space, not input, for us */
static void edges_with_sockets(void)
{
	int sv[2];
	char c;
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "x", 1);
	write(sv[1], "y", 1);
	int ep = epoll_create1(0);
	add(ep, sv[0], EPOLLIN | EPOLLET);
	wait_print("ET socket, data", ep, 8, 0);
	read(sv[1], &c, 1);
	wait_print("ET socket, peer read our data", ep, 8, 0);
	write(sv[1], "z", 1);
	wait_print("ET socket, more data", ep, 8, 0);
	mod(ep, sv[0], EPOLLOUT | EPOLLET);
	wait_print("ET socket, OUT", ep, 8, 0);
	write(sv[0], "w", 1);
	wait_print("ET socket, OUT after own write", ep, 8, 0);
	read(sv[1], &c, 1);
	wait_print("ET socket, OUT after peer read", ep, 8, 0);
	int a = eventfd(0, EFD_NONBLOCK);
	add(ep, a, EPOLLIN | EPOLLET);
	put(a, 1);
	wait_print("ET eventfd, written", ep, 8, 0);
	take(a);
	wait_print("ET eventfd, read (write space only)", ep, 8, 0);
	close(a);
	close(sv[0]);
	close(sv[1]);
	close(ep);
}

/* pipes (fs/pipe.py) under epoll: input, output space, hang-up */
static void pipes(void)
{
	int p[2];
	char buf[70000];
	pipe2(p, O_NONBLOCK);
	int ep = epoll_create1(0);
	add(ep, p[0], EPOLLIN | EPOLLET);
	add(ep, p[1], EPOLLOUT | EPOLLET);
	wait_print("pipe: empty (writable end)", ep, 8, 0);
	write(p[1], "abc", 3);
	wait_print("pipe: data", ep, 8, 0);
	wait_print("pipe: nothing new", ep, 8, 0);
	long n = 0, r;
	while ((r = write(p[1], buf, sizeof buf)) > 0)
		n += r;
	printf("pipe holds %ld\n", n);
	wait_print("pipe: full", ep, 8, 0);
	while (read(p[0], buf, sizeof buf) > 0)
		;
	wait_print("pipe: drained", ep, 8, 0);
	close(p[1]);
	wait_print("pipe: writer gone", ep, 8, 0);
	close(p[0]);
	close(ep);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	errors(argc > 1 ? argv[1] : "/etc/passwd");
	triggers();
	maxevents();
	closing();
	nesting();
	edges_with_sockets();
	pipes();
	sleeping();
	printf("done\n");
	return 0;
}
