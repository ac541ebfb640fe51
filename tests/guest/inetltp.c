/* inetltp: socket semantics LTP's network tests (issue #13) rely on, one
 * case per argument, every result printed for comparison with the host:
 *   socket   socket(2)'s argument checks and the errno of each (socket01)
 * (setsockopt11's IPV6_RTHDR is not built yet: tests/ltp/expectations;
 * send02's MSG_MORE is inetcork.c, accept02's MCAST_JOIN_GROUP inetmcast.c) */
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

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 1; i < argc; i++) {
		printf("== %s\n", argv[i]);
		if (!strcmp(argv[i], "socket"))
			sockets();
	}
	printf("done\n");
	return 0;
}
