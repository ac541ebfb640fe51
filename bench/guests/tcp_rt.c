/* tcp_rt: a round trip over a TCP connection on the loopback between two
 * processes (one byte there, one byte back), TCP_NODELAY on both ends. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

static void nodelay(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	char c = 'x';
	int l = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(s, (struct sockaddr *)&a, sizeof a))
			_exit(1);
		nodelay(s);
		for (long i = 0; i < n; i++) {
			if (read(s, &c, 1) != 1)
				_exit(1);
			write(s, &c, 1);
		}
		_exit(0);
	}
	int s = accept(l, NULL, NULL);
	nodelay(s);
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		write(s, &c, 1);
		if (read(s, &c, 1) != 1)
			return 1;
	}
	report(t0, n);
	waitpid(pid, NULL, 0);
	return 0;
}
