/* tcp_connect: connection set-up and tear-down over the loopback, in one
 * process: socket + connect to a listener, accept, close both ends. */
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include "bench.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 16) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		return 1;
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(c, (struct sockaddr *)&a, sizeof a))
			return 1;
		int s = accept(l, NULL, NULL);
		if (s < 0)
			return 1;
		close(c);               /* the client closes first: its end waits in TIME_WAIT */
		close(s);
	}
	report(t0, n);
	return 0;
}
