/* tcp_bulk: argv[1] MiB through one TCP connection on the loopback, from
 * a child that writes 64 KiB at a time to a parent that reads 64 KiB at a
 * time; ns per MiB, from the accept to the last byte read. */
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"

#define CHUNK (64 << 10)

static char buf[CHUNK];

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 64;
	long total = n << 20;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		return 1;
	memset(buf, 'x', sizeof buf);
	pid_t pid = fork();
	if (pid == 0) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(s, (struct sockaddr *)&a, sizeof a))
			_exit(1);
		for (long sent = 0; sent < total; ) {
			ssize_t w = write(s, buf, total - sent < CHUNK ? total - sent : CHUNK);
			if (w <= 0)
				_exit(1);
			sent += w;
		}
		_exit(0);
	}
	int s = accept(l, NULL, NULL);
	double t0 = now_ns();
	long got = 0;
	while (got < total) {
		ssize_t r = read(s, buf, sizeof buf);
		if (r <= 0)
			return 1;
		got += r;
	}
	report(t0, n);
	waitpid(pid, NULL, 0);
	return 0;
}
