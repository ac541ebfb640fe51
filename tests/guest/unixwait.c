/* unixwait: AF_UNIX operations that sleep, woken by another process:
 * accept, connect into a full backlog, send into a full buffer, recv,
 * epoll on sockets, SO_RCVTIMEO, and signals (SA_RESTART or not). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHECK(what, expr) do { long _r = (long)(expr); \
	printf("%-44s %ld %s\n", what, _r, _r < 0 ? strerror(errno) : ""); } while (0)

static volatile int got;
static void handler(int sig) { got = sig; }

static void msleep(int ms)
{
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&d, NULL);
}

static socklen_t abstract(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, name, strlen(name));
	return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
}

static void accept_and_connect(void)
{
	struct sockaddr_un a;
	socklen_t len = abstract(&a, "pyuml-wait");
	int srv = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(srv, (struct sockaddr *)&a, len);
	listen(srv, 0);
	pid_t pid = fork();
	if (pid == 0) {
		msleep(20);
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		connect(c, (struct sockaddr *)&a, len);
		write(c, "hi from child", 13);
		/* the backlog (0 means one pending) is full after this one: the
		 * next connect sleeps until the parent accepts */
		int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
		connect(c2, (struct sockaddr *)&a, len);
		int c3 = socket(AF_UNIX, SOCK_STREAM, 0);
		long r = connect(c3, (struct sockaddr *)&a, len);
		write(c3, r == 0 ? "c3 connected" : "c3 failed!!!", 12);
		_exit(0);
	}
	int s = accept(srv, NULL, NULL);
	char buf[64] = "";
	CHECK("accept woken, read", read(s, buf, sizeof buf));
	printf("  '%s'\n", buf);
	msleep(30);
	int s2 = accept(srv, NULL, NULL);
	int s3 = accept(srv, NULL, NULL);
	memset(buf, 0, sizeof buf);
	CHECK("third connection (was blocked)", read(s3, buf, sizeof buf));
	printf("  '%s'\n", buf);
	waitpid(pid, NULL, 0);
	close(s); close(s2); close(s3); close(srv);
}

static void full_buffer(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	int v = 4096;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		msleep(20);
		static char buf[4096];
		long total = 0, r;
		while ((r = read(sv[1], buf, sizeof buf)) > 0)
			total += r;
		printf("  child read %ld\n", total);
		_exit(0);
	}
	close(sv[1]);
	static char big[200000];
	CHECK("blocking write of 200000", write(sv[0], big, sizeof big));
	close(sv[0]);
	waitpid(pid, NULL, 0);
}

static void epoll_sockets(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	int ep = epoll_create1(0);
	struct epoll_event e = { EPOLLIN | EPOLLRDHUP, { .u64 = 7 } };
	epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &e);
	pid_t pid = fork();
	if (pid == 0) {
		msleep(20);
		send(sv[1], "msg", 3, 0);
		msleep(20);
		_exit(0);               /* closes sv[1]: a hang-up */
	}
	close(sv[1]);
	struct epoll_event out[2];
	CHECK("epoll_wait: message", epoll_wait(ep, out, 2, -1));
	printf("  events %#x data %llu\n", out[0].events, (unsigned long long)out[0].data.u64);
	char buf[8];
	recv(sv[0], buf, sizeof buf, 0);
	CHECK("epoll_wait: hang-up", epoll_wait(ep, out, 2, -1));
	printf("  events %#x\n", out[0].events);
	waitpid(pid, NULL, 0);
	close(sv[0]);
	close(ep);
}

static void timeouts_and_signals(void)
{
	int sv[2];
	char buf[8];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct timeval tv = { 0, 30000 };
	CHECK("SO_RCVTIMEO 30ms", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	socklen_t l = sizeof tv;
	getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, &l);
	printf("  reads back %ld.%06ld\n", (long)tv.tv_sec, (long)tv.tv_usec);
	CHECK("recv times out", recv(sv[0], buf, 8, 0));

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK("recv + SIGALRM, no SA_RESTART", recv(sv[1], buf, 8, 0));
	printf("  got %d\n", got);

	/* with SA_RESTART the read goes on and gets the child's byte */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	pid_t pid = fork();
	if (pid == 0) {
		msleep(60);
		write(sv[0], "r", 1);
		_exit(0);
	}
	got = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK("recv + SIGALRM, SA_RESTART", recv(sv[1], buf, 8, 0));
	printf("  got %d\n", got);
	/* a timeout set: interrupted means EINTR even with SA_RESTART */
	got = 0;
	setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){ 5, 0 }, sizeof tv);
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK("recv with timeout + SIGALRM", recv(sv[1], buf, 8, 0));
	printf("  got %d\n", got);
	waitpid(pid, NULL, 0);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	accept_and_connect();
	full_buffer();
	epoll_sockets();
	timeouts_and_signals();
	printf("done\n");
	return 0;
}
