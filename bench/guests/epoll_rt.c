/* epoll_rt: a round trip between two processes where each side waits in
 * epoll_wait (edge-triggered) before reading its eventfd. */
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

static void wait_read(int ep, int fd)
{
	struct epoll_event e;
	uint64_t v;
	while (read(fd, &v, 8) < 0)
		epoll_wait(ep, &e, 1, -1);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	int ping = eventfd(0, EFD_NONBLOCK), pong = eventfd(0, EFD_NONBLOCK);
	uint64_t one = 1;
	pid_t pid = fork();
	if (pid == 0) {
		int ep = epoll_create1(0);
		struct epoll_event e = { EPOLLIN | EPOLLET, { 0 } };
		epoll_ctl(ep, EPOLL_CTL_ADD, ping, &e);
		for (long i = 0; i < n; i++) {
			wait_read(ep, ping);
			write(pong, &one, 8);
		}
		_exit(0);
	}
	int ep = epoll_create1(0);
	struct epoll_event e = { EPOLLIN | EPOLLET, { 0 } };
	epoll_ctl(ep, EPOLL_CTL_ADD, pong, &e);
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		write(ping, &one, 8);
		wait_read(ep, pong);
	}
	report(t0, n);
	waitpid(pid, NULL, 0);
	return 0;
}
