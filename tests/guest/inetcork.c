/* inetcork: corking over the loopback (LTP send02): MSG_MORE and TCP_CORK
 * hold a TCP sender's partial segment, MSG_MORE and UDP_CORK gather UDP
 * sends into one datagram.  Every result is printed for comparison with
 * the host:
 *   tcp4 tcp6   MSG_MORE, TCP_CORK, TCP_NODELAY, shutdown and close flush,
 *               the probe timer's flush of a forgotten cork
 *   udp4 udp6   MSG_MORE, UDP_CORK, the address of a corked send, the
 *               size limit, close with a pending datagram */
#include "inet.h"
#include <netinet/udp.h>
#ifndef UDP_CORK
#define UDP_CORK 1
#endif

static char buf[200000];

/* what one non-blocking recv finds: a length or an errno */
static void rd(const char *what, int fd)
{
	CHECK(what, recv(fd, buf, sizeof buf, MSG_DONTWAIT));
}

/* wait (at most 5 s) for something to read, then read it */
static void rd_wait(const char *what, int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int n = poll(&p, 1, 5000);
	printf("  %-42s poll %d\n", what, n);
	rd(what, fd);
}

static void pair(int family, int *c, int *s)
{
	int l = listener(family, 1, 0);
	*c = socket(family, SOCK_STREAM, 0);
	connect_to(*c, family, port_of(l));
	*s = accept(l, NULL, NULL);
	close(l);
}

static void tcp(int family)
{
	int c, s;
	pair(family, &c, &s);
	CHECK("send 16", send(c, buf, 16, 0));
	rd("recv", s);
	CHECK("send 16 MSG_MORE", send(c, buf, 16, MSG_MORE));
	rd("recv while more", s);
	printf("  %-42s %d %d\n", "outq inq", outq(c), inq(s));
	CHECK("send 1", send(c, buf, 1, 0));
	rd("recv", s);

	CHECK("TCP_CORK 1", setint(c, IPPROTO_TCP, TCP_CORK, 1));
	CHECK("getsockopt TCP_CORK", getint(c, IPPROTO_TCP, TCP_CORK));
	CHECK("send 10", send(c, buf, 10, 0));
	CHECK("send 10", send(c, buf, 10, 0));
	rd("recv while corked", s);
	CHECK("TCP_CORK 0", setint(c, IPPROTO_TCP, TCP_CORK, 0));
	rd("recv uncorked", s);

	CHECK("TCP_CORK 1", setint(c, IPPROTO_TCP, TCP_CORK, 1));
	CHECK("send 7", send(c, buf, 7, 0));
	rd("recv while corked", s);
	CHECK("TCP_NODELAY 1", setint(c, IPPROTO_TCP, TCP_NODELAY, 1));
	rd("recv after TCP_NODELAY", s);
	CHECK("send 3 (still corked, nodelay)", send(c, buf, 3, 0));
	rd("recv", s);
	CHECK("TCP_CORK 0", setint(c, IPPROTO_TCP, TCP_CORK, 0));
	rd("recv uncorked", s);
	CHECK("TCP_NODELAY 0", setint(c, IPPROTO_TCP, TCP_NODELAY, 0));

	/* full segments go even when corked; the tail waits */
	CHECK("send 100000 MSG_MORE", send(c, buf, 100000, MSG_MORE));
	rd("recv while more", s);
	rd("recv while more", s);
	CHECK("send 0", send(c, buf, 0, 0));
	rd("recv", s);
	rd("recv", s);

	/* a forgotten cork: the data goes out after at most 200 ms */
	CHECK("send 5 MSG_MORE", send(c, buf, 5, MSG_MORE));
	rd_wait("recv after waiting", s);
	CHECK("TCP_CORK 1", setint(c, IPPROTO_TCP, TCP_CORK, 1));
	CHECK("send 6", send(c, buf, 6, 0));
	rd_wait("recv after waiting", s);
	CHECK("TCP_CORK 0", setint(c, IPPROTO_TCP, TCP_CORK, 0));

	CHECK("send 4 MSG_MORE", send(c, buf, 4, MSG_MORE));
	CHECK("shutdown SHUT_WR", shutdown(c, SHUT_WR));
	rd("recv after shutdown", s);
	rd("recv after shutdown", s);
	close(c);
	close(s);

	pair(family, &c, &s);
	CHECK("send 9 MSG_MORE", send(c, buf, 9, MSG_MORE));
	close(c);
	rd("recv after close", s);
	rd("recv after close", s);
	close(s);
}

static int udp_sock(int family, struct sockaddr_storage *a, socklen_t *len)
{
	int fd = socket(family, SOCK_DGRAM, 0);
	if (family == AF_INET6) {
		struct sockaddr_in6 b = sin6("::1", 0);
		bind(fd, (struct sockaddr *)&b, sizeof b);
	} else {
		struct sockaddr_in b = sin4("127.0.0.1", 0);
		bind(fd, (struct sockaddr *)&b, sizeof b);
	}
	*len = sizeof *a;
	getsockname(fd, (struct sockaddr *)a, len);
	return fd;
}

static void udp(int family)
{
	struct sockaddr_storage a, b;
	socklen_t alen, blen;
	int s = udp_sock(family, &a, &alen);
	int s2 = udp_sock(family, &b, &blen);
	int c = socket(family, SOCK_DGRAM, 0);
	struct sockaddr *sa = (struct sockaddr *)&a, *sb = (struct sockaddr *)&b;

	CHECK("sendto 16", sendto(c, buf, 16, 0, sa, alen));
	rd("recv", s);
	CHECK("sendto 16 MSG_MORE", sendto(c, buf, 16, MSG_MORE, sa, alen));
	rd("recv while more", s);
	CHECK("sendto 1", sendto(c, buf, 1, 0, sa, alen));
	rd("recv", s);
	rd("recv", s);

	/* a corked datagram keeps its first address */
	CHECK("sendto a 5 MSG_MORE", sendto(c, buf, 5, MSG_MORE, sa, alen));
	CHECK("sendto b 6 MSG_MORE", sendto(c, buf, 6, MSG_MORE, sb, blen));
	CHECK("send (no address) 7", send(c, buf, 7, 0));
	rd("recv a", s);
	rd("recv b", s2);

	CHECK("UDP_CORK 1", setint(c, IPPROTO_UDP, UDP_CORK, 1));
	CHECK("getsockopt UDP_CORK", getint(c, IPPROTO_UDP, UDP_CORK));
	CHECK("sendto 3", sendto(c, buf, 3, 0, sa, alen));
	CHECK("sendto 4", sendto(c, buf, 4, 0, sa, alen));
	rd("recv while corked", s);
	CHECK("UDP_CORK 0", setint(c, IPPROTO_UDP, UDP_CORK, 0));
	rd("recv uncorked", s);
	rd("recv uncorked", s);
	CHECK("UDP_CORK 0 again", setint(c, IPPROTO_UDP, UDP_CORK, 0));

	/* the limit is on the whole datagram; an error drops what was corked */
	CHECK("sendto 40000 MSG_MORE", sendto(c, buf, 40000, MSG_MORE, sa, alen));
	CHECK("sendto 30000", sendto(c, buf, 30000, 0, sa, alen));
	rd("recv", s);
	CHECK("sendto 10", sendto(c, buf, 10, 0, sa, alen));
	rd("recv", s);

	/* connected */
	CHECK("connect a", connect(c, sa, alen));
	CHECK("send 16 MSG_MORE", send(c, buf, 16, MSG_MORE));
	rd("recv while more", s);
	CHECK("send 0", send(c, buf, 0, 0));
	rd("recv", s);
	CHECK("send 8 MSG_MORE", send(c, buf, 8, MSG_MORE));
	close(c);
	rd("recv after close", s);

	/* corked, then connected elsewhere: the datagram still goes to a */
	c = socket(family, SOCK_DGRAM, 0);
	CHECK("sendto a 2 MSG_MORE", sendto(c, buf, 2, MSG_MORE, sa, alen));
	CHECK("connect b", connect(c, sb, blen));
	CHECK("send 3", send(c, buf, 3, 0));
	rd("recv a", s);
	rd("recv b", s2);
	close(c);
	close(s);
	close(s2);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 1; i < argc; i++) {
		printf("== %s\n", argv[i]);
		if (!strcmp(argv[i], "tcp4"))
			tcp(AF_INET);
		else if (!strcmp(argv[i], "tcp6"))
			tcp(AF_INET6);
		else if (!strcmp(argv[i], "udp4"))
			udp(AF_INET);
		else if (!strcmp(argv[i], "udp6"))
			udp(AF_INET6);
	}
	printf("done\n");
	return 0;
}
