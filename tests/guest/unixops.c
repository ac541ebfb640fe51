/* unixops: run a script of operations on a non-blocking AF_UNIX socketpair
 * and print what each returns (the hypothesis test generates scripts).
 *   argv[1]: stream | dgram | seqpacket
 *   then ops: sN (send N bytes from end 0), SN (from end 1), rN / RN
 *   (recv up to N at end 1 / 0), pN (peek at end 1), wN (recv MSG_WAITALL
 *   N at end 1, non-blocking), tN (MSG_TRUNC), x / X (shutdown write of
 *   end 0 / 1), c (close end 0), q (FIONREAD at end 1). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned char counter;

static void show(const char *op, long r, const unsigned char *buf)
{
	printf("%s -> %ld", op, r);
	if (r < 0)
		printf(" %s", strerror(errno));
	else if (buf) {
		unsigned sum = 0;
		for (long i = 0; i < r; i++)
			sum = sum * 31 + buf[i];
		printf(" sum %u", sum);
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	int type = SOCK_STREAM;
	if (argc > 1 && !strcmp(argv[1], "dgram"))
		type = SOCK_DGRAM;
	if (argc > 1 && !strcmp(argv[1], "seqpacket"))
		type = SOCK_SEQPACKET;
	int sv[2];
	if (socketpair(AF_UNIX, type | SOCK_NONBLOCK, 0, sv) < 0)
		return 1;
	static unsigned char buf[1 << 20];
	for (int i = 2; i < argc; i++) {
		const char *op = argv[i];
		long n = atol(op + 1);
		if (n > (long)sizeof buf)
			n = sizeof buf;
		long r;
		switch (op[0]) {
		case 's': case 'S':
			for (long j = 0; j < n; j++)
				buf[j] = counter++;
			r = send(sv[op[0] == 'S'], buf, n, MSG_NOSIGNAL);
			show(op, r, NULL);
			break;
		case 'r': case 'R':
			r = recv(sv[op[0] == 'r'], buf, n, 0);
			show(op, r, buf);
			break;
		case 'p':
			r = recv(sv[1], buf, n, MSG_PEEK);
			show(op, r, buf);
			break;
		case 'w':
			r = recv(sv[1], buf, n, MSG_WAITALL);
			show(op, r, buf);
			break;
		case 't':
			r = recv(sv[1], buf, n, MSG_TRUNC);
			show(op, r, NULL);
			break;
		case 'x': case 'X':
			show(op, shutdown(sv[op[0] == 'X'], SHUT_WR), NULL);
			break;
		case 'c':
			show(op, close(sv[0]), NULL);
			sv[0] = -1;
			break;
		case 'q': {
			int q = -1;
			r = ioctl(sv[1], FIONREAD, &q);
			printf("q -> %ld %d\n", r, q);
			break;
		}
		}
		struct pollfd p[2] = { { sv[0], POLLIN | POLLOUT | POLLRDHUP, 0 },
				       { sv[1], POLLIN | POLLOUT | POLLRDHUP, 0 } };
		poll(p, 2, 0);
		printf("   poll %#x %#x\n", p[0].revents, p[1].revents);
	}
	return 0;
}
