/* inetltp: socket semantics LTP's network tests (issue #13) rely on, one
 * case per argument, every result printed for comparison with the host:
 *   socket   socket(2)'s argument checks and the errno of each (socket01)
 *   rthdr    IPv6 sticky extension headers: IPV6_RTHDR's checks of a segment
 *            routing header (setsockopt11), IPV6_HOPOPTS and DSTOPTS, IPV6_MTU
 * (send02's MSG_MORE is inetcork.c, accept02's MCAST_JOIN_GROUP inetmcast.c) */
#include "inet.h"
#include <netinet/ip.h>
#include <net/if.h>

static void sockets(void)
{
	static const struct { int domain, type, proto; const char *what; } c[] = {
		{ 0, SOCK_STREAM, 0, "socket(0, STREAM, 0)" },
		{ AF_INET, 75, 0, "socket(INET, 75, 0)" },
		{ AF_INET, SOCK_RAW, 0, "socket(INET, RAW, 0)" },
		{ AF_INET6, SOCK_RAW, 0, "socket(INET6, RAW, 0)" },
		{ AF_INET, SOCK_STREAM, 17, "socket(INET, STREAM, UDP)" },
		{ AF_INET, SOCK_DGRAM, 6, "socket(INET, DGRAM, TCP)" },
		{ AF_INET, SOCK_STREAM, 1, "socket(INET, STREAM, ICMP)" },
		{ AF_INET, SOCK_SEQPACKET, 0, "socket(INET, SEQPACKET, 0)" },
		{ AF_INET, SOCK_STREAM, -1, "socket(INET, STREAM, -1)" },
		{ AF_INET, SOCK_RAW, 300, "socket(INET, RAW, 300)" },
	};
	for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
		errno = 0;
		int fd = socket(c[i].domain, c[i].type, c[i].proto);
		printf("%-44s %d %s\n", c[i].what, fd < 0 ? -1 : 0, fd < 0 ? strerror(errno) : "");
		if (fd >= 0)
			close(fd);
	}
}

/* a segment routing header (type 4) of len bytes: n segments, a PadN
 * TLV filling the rest */
static int srh(unsigned char *b, int len, int n, int left, int first)
{
	memset(b, 0, len);
	b[1] = len / 8 - 1;
	b[2] = 4;
	b[3] = left;
	b[4] = first;
	for (int i = 0; i < n; i++)
		b[8 + 16 * i + 15] = 1;			/* ::1 */
	int pad = len - 8 - 16 * n;
	if (pad >= 2) {
		b[8 + 16 * n] = 4;			/* PadN */
		b[9 + 16 * n] = pad - 2;
	}
	return len;
}

static void show_sticky(const char *what, int fd, int opt)
{
	unsigned char b[700];
	socklen_t len = sizeof b;
	memset(b, 0xee, sizeof b);
	errno = 0;
	int r = getsockopt(fd, IPPROTO_IPV6, opt, b, &len);
	printf("  %-42s %d %s len %d type %d hdrlen %d\n", what, r, r < 0 ? strerror(errno) : "",
	       (int)len, len ? b[2] : -1, len ? b[1] : -1);
}

static void rthdr(void)
{
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	unsigned char b[704];
	show_sticky("IPV6_RTHDR unset", fd, IPV6_RTHDR);
	CHECK("RTHDR srh 640 39 segments", setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, b, srh(b, 640, 39, 38, 38)));
	show_sticky("IPV6_RTHDR", fd, IPV6_RTHDR);
	CHECK("RTHDR srh 24 1 segment", setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, b, srh(b, 24, 1, 0, 0)));
	show_sticky("IPV6_RTHDR", fd, IPV6_RTHDR);
	CHECK("RTHDR srh left > first", setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, b, srh(b, 24, 1, 1, 0)));
	CHECK("RTHDR srh first past the end", setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, b, srh(b, 24, 1, 1, 1)));
	srh(b, 32, 1, 0, 0);
	b[25] = 20;
	CHECK("RTHDR srh TLV past the end", setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, b, 32));
	srh(b, 32, 1, 0, 0);
	CHECK("RTHDR srh optlen past hdrlen", setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, b, 40));
	CHECK("RTHDR srh optlen under hdrlen", setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, b, 24));
	CHECK("RTHDR optlen 12", setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, b, 12));
	CHECK("RTHDR optlen 1", setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, b, 1));
	CHECK("RTHDR optlen 2048", setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, b, 2048));
	CHECK("RTHDR NULL 8", setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, NULL, 8));
	CHECK("RTHDR bad pointer", setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, (void *)8, 8));
	memset(b, 0, 24);
	b[1] = 2;
	CHECK("RTHDR type 0", setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, b, 24));
	b[2] = 2;
	b[3] = 1;
	CHECK("RTHDR type 2", setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, b, 24));
	show_sticky("IPV6_RTHDR after the refusals", fd, IPV6_RTHDR);
	CHECK("RTHDR optlen 0 (removes it)", setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, b, 0));
	show_sticky("IPV6_RTHDR", fd, IPV6_RTHDR);
	unsigned char h[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };	/* PadN */
	CHECK("IPV6_HOPOPTS", setsockopt(fd, IPPROTO_IPV6, IPV6_HOPOPTS, h, 8));
	show_sticky("IPV6_HOPOPTS", fd, IPV6_HOPOPTS);
	CHECK("IPV6_DSTOPTS", setsockopt(fd, IPPROTO_IPV6, IPV6_DSTOPTS, h, 8));
	show_sticky("IPV6_DSTOPTS", fd, IPV6_DSTOPTS);
	show_sticky("IPV6_RTHDRDSTOPTS", fd, IPV6_RTHDRDSTOPTS);
	CHECK("IPV6_MTU 1280", setint(fd, IPPROTO_IPV6, IPV6_MTU, 1280));
	CHECK("IPV6_MTU 1279", setint(fd, IPPROTO_IPV6, IPV6_MTU, 1279));
	CHECK("IPV6_MTU 0", setint(fd, IPPROTO_IPV6, IPV6_MTU, 0));
	CHECK("IPV6_MTU optlen 2", setsockopt(fd, IPPROTO_IPV6, IPV6_MTU, b, 2));
	struct sockaddr_in6 a = sin6("::1", 9);
	CHECK("RTHDR srh 640 again", setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, b, srh(b, 640, 39, 38, 38)));
	CHECK("connect ::1", connect(fd, (struct sockaddr *)&a, sizeof a));
	CHECK("send", send(fd, "x", 1, 0));
	close(fd);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK("AF_INET socket IPV6_RTHDR", setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, b, 24));
	close(fd);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 1; i < argc; i++) {
		printf("== %s\n", argv[i]);
		if (!strcmp(argv[i], "socket"))
			sockets();
		else if (!strcmp(argv[i], "rthdr"))
			rthdr();
	}
	printf("done\n");
	return 0;
}
