/* peekoff: SO_PEEK_OFF on an AF_UNIX socketpair, compared with the host.
 *   argv[1]: stream | dgram | seqpacket
 *   then a script of operations, each printed with its result and then
 *   the socket's SO_PEEK_OFF:
 *     sN   send N bytes (numbered by a running counter) from end 0
 *     pN   recv up to N at end 1, MSG_PEEK        (all recvs MSG_DONTWAIT)
 *     tN   the same with MSG_TRUNC too
 *     rN   recv up to N at end 1
 *     oN   setsockopt(SO_PEEK_OFF, N) at end 1 (N may be negative)
 *     x    shutdown(SHUT_WR) of end 0
 *     bN   a peek of N that blocks until a child sends 4 bytes
 * A recv prints its length, the number of its first byte, a checksum and
 * MSG_TRUNC in msg_flags. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned char counter;
static int sv[2];

static void sendn(long n)
{
	static unsigned char buf[65536];
	for (long j = 0; j < n; j++)
		buf[j] = counter++;
	long r = send(sv[0], buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (r < 0)
		printf(" -> %ld %s", r, strerror(errno));
	else
		printf(" -> %ld", r);
}

static void recvn(long n, int flags)
{
	static unsigned char buf[65536];
	struct iovec iov = { buf, n };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	memset(buf, 0, n);
	long r = recvmsg(sv[1], &m, flags);
	if (r < 0) {
		printf(" -> %ld %s", r, strerror(errno));
		return;
	}
	unsigned sum = 0;
	long got = r < n ? r : n;
	for (long i = 0; i < got; i++)
		sum = sum * 31 + buf[i];
	printf(" -> %ld first %d sum %u%s", r, got ? buf[0] : -1, sum,
	       m.msg_flags & MSG_TRUNC ? " MSG_TRUNC" : "");
}

static int peek_off(void)
{
	int v = 12345;
	socklen_t len = sizeof v;
	if (getsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &v, &len) < 0)
		return -1000 - errno;
	return v;
}

static void blocking_peek(long n)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		sendn(4);
		_exit(0);
	}
	/* a safety net: no test hangs */
	struct timeval tv = { 5, 0 };
	setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	recvn(n, MSG_PEEK);
	waitpid(pid, NULL, 0);
	counter += 4;
}

int main(int argc, char **argv)
{
	int type = SOCK_STREAM;
	if (argc > 1 && !strcmp(argv[1], "dgram"))
		type = SOCK_DGRAM;
	if (argc > 1 && !strcmp(argv[1], "seqpacket"))
		type = SOCK_SEQPACKET;
	if (socketpair(AF_UNIX, type, 0, sv) < 0)
		return 1;
	printf("fresh: off %d\n", peek_off());
	short small = 0;
	int r = setsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &small, sizeof small);
	printf("optlen 2: %d %s\n", r, r < 0 ? strerror(errno) : "");
	/* a family without set_peek_off: neither set nor get */
	int nl = socket(AF_NETLINK, SOCK_RAW, 0);
	int v = 0;
	socklen_t len = sizeof v;
	r = setsockopt(nl, SOL_SOCKET, SO_PEEK_OFF, &v, sizeof v);
	printf("netlink set: %d %s\n", r, r < 0 ? strerror(errno) : "");
	r = getsockopt(nl, SOL_SOCKET, SO_PEEK_OFF, &v, &len);
	printf("netlink get: %d %s\n", r, r < 0 ? strerror(errno) : "");
	close(nl);
	for (int i = 2; i < argc; i++) {
		const char *op = argv[i];
		long n = atol(op + 1);
		if (op[0] != 'o' && (n < 0 || n > 65536))
			n = 65536;
		printf("%s", op);
		switch (op[0]) {
		case 's':
			sendn(n);
			break;
		case 'p':
			recvn(n, MSG_PEEK | MSG_DONTWAIT);
			break;
		case 't':
			recvn(n, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
			break;
		case 'r':
			recvn(n, MSG_DONTWAIT);
			break;
		case 'o': {
			int v = n;
			int r = setsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &v, sizeof v);
			printf(" -> %d", r);
			break;
		}
		case 'x':
			printf(" -> %d", shutdown(sv[0], SHUT_WR));
			break;
		case 'b':
			blocking_peek(n);
			break;
		}
		int q = -1;
		ioctl(sv[1], FIONREAD, &q);
		printf("   off %d inq %d\n", peek_off(), q);
	}
	return 0;
}
