/* inetwait: TCP operations that sleep, woken by another process: accept,
 * recv, a connect into a full backlog, a writer blocked on a full buffer
 * with SO_SNDTIMEO; epoll (edge-triggered, EPOLLRDHUP) and select on
 * sockets; signals interrupting a wait, with and without SA_RESTART. */
#include "inet.h"
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>

static volatile int got;
static void handler(int sig) { got = sig; }

static void msleep(int ms)
{
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&d, NULL);
}

static void alarm_ms(int ms)
{
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

static void on_alarm(int restart)
{
	struct sigaction sa = { .sa_handler = handler, .sa_flags = restart ? SA_RESTART : 0 };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
}

static void wakeups(void)
{
	printf("-- wake-ups\n");
	int l = listener(AF_INET, 0, 0);
	int port = port_of(l);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		msleep(30);
		int c = socket(AF_INET, SOCK_STREAM, 0);
		connect_to(c, AF_INET, port);
		msleep(30);
		write(c, "late data", 9);
		msleep(30);
		shutdown(c, SHUT_WR);
		char b[8];
		read(c, b, sizeof b);           /* until the parent closes */
		_exit(0);
	}
	int s = accept(l, NULL, NULL);
	printf("accept woken %d\n", s >= 0);
	char buf[64] = "";
	CHECK("recv woken", recv(s, buf, sizeof buf, 0));
	printf("  '%s'\n", buf);
	CHECK("recv woken by FIN", recv(s, buf, sizeof buf, 0));
	close(s);
	waitpid(pid, NULL, 0);

	/* a connect waits in SYN_SENT while the backlog is full */
	int c1 = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("first connect", connect_to(c1, AF_INET, port));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int c2 = socket(AF_INET, SOCK_STREAM, 0);
		long r = connect_to(c2, AF_INET, port);
		write(c2, r == 0 ? "c2 connected" : "c2 failed!!!", 12);
		close(c2);
		_exit(0);
	}
	msleep(50);
	int s1 = accept(l, NULL, NULL);
	int s2 = accept(l, NULL, NULL);
	memset(buf, 0, sizeof buf);
	CHECK("the waiting connection", read(s2, buf, sizeof buf));
	printf("  '%s'\n", buf);
	waitpid(pid, NULL, 0);
	close(s1); close(s2); close(c1); close(l);
}

static void sndtimeo(void)
{
	printf("-- a writer with SO_SNDTIMEO\n");
	int l = socket(AF_INET, SOCK_STREAM, 0);
	setint(l, SOL_SOCKET, SO_RCVBUF, 4096);
	struct sockaddr_in sa = sin4("127.0.0.1", 0);
	bind(l, (struct sockaddr *)&sa, sizeof sa);
	listen(l, 1);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	setint(c, SOL_SOCKET, SO_SNDBUF, 4096);
	connect_to(c, AF_INET, port_of(l));
	int s = accept(l, NULL, NULL);
	struct timeval tv = { 0, 50000 };
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	static char big[1 << 20];
	long r = send(c, big, sizeof big, 0);
	printf("send with a timeout: partial %d\n", r > 0 && r < (long)sizeof big);
	/* no room: EAGAIN when the timeout expires, or (Linux sometimes
	 * frees a little of the unread queue meanwhile) a short count */
	errno = 0;
	r = send(c, big, sizeof big, 0);
	printf("send into a full buffer times out: %d\n",
	       (r == -1 && errno == EAGAIN) || (r > 0 && r < (long)sizeof big / 4));
	close(c); close(s); close(l);
}

static void epolls(void)
{
	printf("-- epoll and select\n");
	int l = listener(AF_INET, 4, 0);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	connect_to(c, AF_INET, port_of(l));
	int s = accept(l, NULL, NULL);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.u32 = 1 };
	epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
	struct epoll_event out[4];
	CHECK("nothing yet", epoll_wait(ep, out, 4, 0));
	send(c, "x", 1, 0);
	int n = epoll_wait(ep, out, 4, 1000);
	printf("after data: %d events %#x\n", n, n > 0 ? out[0].events : 0);
	CHECK("edge: not again", epoll_wait(ep, out, 4, 0));
	send(c, "y", 1, 0);
	n = epoll_wait(ep, out, 4, 1000);
	printf("more data: %d events %#x\n", n, n > 0 ? out[0].events : 0);
	shutdown(c, SHUT_WR);
	n = epoll_wait(ep, out, 4, 1000);
	printf("after FIN: %d events %#x\n", n, n > 0 ? out[0].events : 0);
	struct epoll_event lev = { .events = EPOLLIN, .data.u32 = 2 };
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &lev);
	int c2 = socket(AF_INET, SOCK_STREAM, 0);
	connect_to(c2, AF_INET, port_of(l));
	n = epoll_wait(ep, out, 4, 1000);
	printf("listener: %d events %#x data %u\n", n, n > 0 ? out[0].events : 0,
	       n > 0 ? out[0].data.u32 : 0);
	struct epoll_event oev = { .events = EPOLLOUT | EPOLLET, .data.u32 = 3 };
	epoll_ctl(ep, EPOLL_CTL_ADD, c2, &oev);
	n = epoll_wait(ep, out, 4, 1000);
	printf("writable: %d events:", n);
	for (int i = 0; i < n; i++)
		printf(" %u:%#x", out[i].data.u32, out[i].events);
	printf("\n");
	fd_set r, w, x;
	FD_ZERO(&r); FD_ZERO(&w); FD_ZERO(&x);
	FD_SET(s, &r); FD_SET(l, &r); FD_SET(c2, &w); FD_SET(s, &x);
	struct timeval tv = { 1, 0 };
	n = select(64, &r, &w, &x, &tv);
	printf("select %d: s readable %d, listener readable %d, c2 writable %d, s except %d\n",
	       n, FD_ISSET(s, &r), FD_ISSET(l, &r), FD_ISSET(c2, &w), FD_ISSET(s, &x));
	close(s);                               /* unread data: c is reset */
	int pep = epoll_create1(0);
	struct epoll_event cev = { .events = EPOLLIN | EPOLLRDHUP, .data.u32 = 4 };
	epoll_ctl(pep, EPOLL_CTL_ADD, c, &cev);
	n = epoll_wait(pep, out, 4, 1000);
	printf("reset: %d events %#x\n", n, n > 0 ? out[0].events : 0);
	close(c); close(c2); close(l); close(ep); close(pep);
}

static void signals(void)
{
	printf("-- signals\n");
	int l = listener(AF_INET, 4, 0);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	connect_to(c, AF_INET, port_of(l));
	int s = accept(l, NULL, NULL);
	char buf[16];
	on_alarm(0);
	alarm_ms(30);
	CHECK("recv interrupted", recv(s, buf, sizeof buf, 0));
	printf("  signal %d\n", got);
	got = 0;
	alarm_ms(30);
	CHECK("accept interrupted", accept(l, NULL, NULL));
	on_alarm(1);
	got = 0;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		msleep(200);
		send(c, "restarted", 9, 0);
		_exit(0);
	}
	alarm_ms(30);
	memset(buf, 0, sizeof buf);
	CHECK("recv with SA_RESTART", recv(s, buf, sizeof buf, 0));
	printf("  '%s'\n", buf);
	waitpid(pid, NULL, 0);
	struct timeval tv = { 5, 0 };
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	alarm_ms(30);
	CHECK("SA_RESTART but a timeout set: EINTR", recv(s, buf, sizeof buf, 0));
	close(c); close(s); close(l);
}

int main(void)
{
	test_as_child();
	wakeups();
	sndtimeo();
	epolls();
	signals();
	printf("done\n");
	return 0;
}
