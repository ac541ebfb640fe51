/* inetops: run a script of operations on a connected pair of non-blocking
 * TCP or UDP sockets over the loopback and print what each returns and
 * both ends' poll masks (the hypothesis test generates scripts).
 *   argv[1]: tcp | udp      argv[2]: 4 (127.0.0.1) | 6 (::1) | m (v4-mapped)
 *   then ops: sN / SN send N bytes from end 0 / 1, rN / RN recv up to N at
 *   end 1 / 0, pN peek at end 1, wN recv MSG_WAITALL at end 1, tN recv
 *   MSG_TRUNC at end 1, x / X shutdown(SHUT_WR) of end 0 / 1, y / Y
 *   shutdown(SHUT_RD), c / C close end 0 / 1, q SIOCINQ at end 1, o
 *   SIOCOUTQ at end 0, e SO_ERROR of both, fN sendmsg of N bytes from end 0
 *   with SCM_RIGHTS and SCM_CREDENTIALS (ignored by TCP and UDP).
 * pyuml acknowledges each segment at once; Linux delays the ACK (40 to 200
 * ms) when the connection looks interactive (data both ways).  What the
 * delay changes is a matter of timing, so it is kept out of the results:
 * both ends set TCP_NODELAY (Nagle would hold a small send until that
 * ACK), SIOCOUTQ waits up to 300 ms for the count of unacknowledged bytes
 * to reach 0, and is not shown once end 0 has sent its FIN (Linux counts
 * the FIN until the delayed ACK). */
#include "inet.h"

static unsigned char counter;
static int fin_sent;

static void show(const char *op, long r, const unsigned char *buf)
{
	printf("%s -> %ld", op, r);
	if (r < 0)
		printf(" %s", strerror(errno));
	else if (buf)
		printf(" sum %u", sum(buf, r));
	printf("\n");
}

static void pair(int type, char fam, int sv[2])
{
	int family = fam == '4' ? AF_INET : AF_INET6;
	const char *addr = fam == '4' ? "127.0.0.1" : fam == '6' ? "::1" : "::ffff:127.0.0.1";
	struct sockaddr_storage a, b;
	socklen_t alen, blen;
	int s0 = socket(family, type, 0), s1 = socket(family, type, 0);
	if (family == AF_INET) {
		struct sockaddr_in x = sin4(addr, 0);
		bind(s1, (struct sockaddr *)&x, sizeof x);
	} else {
		struct sockaddr_in6 x = sin6(addr, 0);
		bind(s1, (struct sockaddr *)&x, sizeof x);
	}
	blen = sizeof b;
	getsockname(s1, (struct sockaddr *)&b, &blen);
	if (type == SOCK_STREAM) {
		listen(s1, 1);
		if (connect(s0, (struct sockaddr *)&b, blen) < 0)
			exit(2);
		int s = accept(s1, NULL, NULL);
		close(s1);
		s1 = s;
		/* no Nagle: a small send goes at once, not when the peer's
		 * delayed ACK comes back (see the comment at the top) */
		int one = 1;
		setsockopt(s0, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		setsockopt(s1, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	} else {
		if (family == AF_INET) {
			struct sockaddr_in x = sin4(addr, 0);
			bind(s0, (struct sockaddr *)&x, sizeof x);
		} else {
			struct sockaddr_in6 x = sin6(addr, 0);
			bind(s0, (struct sockaddr *)&x, sizeof x);
		}
		alen = sizeof a;
		getsockname(s0, (struct sockaddr *)&a, &alen);
		connect(s0, (struct sockaddr *)&b, blen);
		connect(s1, (struct sockaddr *)&a, alen);
	}
	fcntl(s0, F_SETFL, O_NONBLOCK);
	fcntl(s1, F_SETFL, O_NONBLOCK);
	sv[0] = s0;
	sv[1] = s1;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 1;
	int type = strcmp(argv[1], "udp") ? SOCK_STREAM : SOCK_DGRAM;
	int sv[2];
	pair(type, argv[2][0], sv);
	static unsigned char buf[1 << 17];
	for (int i = 3; i < argc; i++) {
		const char *op = argv[i];
		long n = atol(op + 1), r;
		if (n > (long)sizeof buf)
			n = sizeof buf;
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
			fin_sent |= op[0] == 'x';
			break;
		case 'y': case 'Y':
			show(op, shutdown(sv[op[0] == 'Y'], SHUT_RD), NULL);
			break;
		case 'c': case 'C':
			show(op, close(sv[op[0] == 'C']), NULL);
			fin_sent |= op[0] == 'c';
			sv[op[0] == 'C'] = -1;
			break;
		case 'q':
			printf("q -> %d\n", inq(sv[1]));
			break;
		case 'o':
			if (fin_sent)
				printf("o -> (after FIN)\n");
			else {
				/* a peer delays its ACK up to 200 ms: wait for
				 * it, so what is left is what the peer has not
				 * taken */
				int v = outq(sv[0]);
				for (int i = 0; i < 60 && v > 0 && sv[1] >= 0; i++) {
					usleep(5000);
					v = outq(sv[0]);
				}
				printf("o -> %d\n", v);
			}
			break;
		case 'f': {
			for (long j = 0; j < n; j++)
				buf[j] = counter++;
			union {
				char b[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
				struct cmsghdr align;
			} c;
			memset(&c, 0, sizeof c);
			struct iovec iov = { buf, n };
			struct msghdr mh = { 0 };
			mh.msg_iov = &iov;
			mh.msg_iovlen = 1;
			mh.msg_control = c.b;
			mh.msg_controllen = sizeof c.b;
			struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			*(int *)CMSG_DATA(cm) = 0;
			cm = CMSG_NXTHDR(&mh, cm);
			cm->cmsg_len = CMSG_LEN(sizeof(struct ucred));
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_CREDENTIALS;
			struct ucred uc = { getpid(), getuid(), getgid() };
			memcpy(CMSG_DATA(cm), &uc, sizeof uc);
			r = sendmsg(sv[0], &mh, MSG_NOSIGNAL);
			show(op, r, NULL);
			break;
		}
		case 'e':
			printf("e -> %d %d\n", getint(sv[0], SOL_SOCKET, SO_ERROR),
			       getint(sv[1], SOL_SOCKET, SO_ERROR));
			break;
		}
		struct pollfd p[2] = { { sv[0], POLLIN | POLLOUT | POLLRDHUP, 0 },
				       { sv[1], POLLIN | POLLOUT | POLLRDHUP, 0 } };
		poll(p, 2, 0);
		printf("   poll %#x %#x\n", p[0].revents, p[1].revents);
	}
	return 0;
}
