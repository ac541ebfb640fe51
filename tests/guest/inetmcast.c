/* inetmcast: IPv4 multicast on the loopback (LTP accept02), every result
 * printed for comparison with the host.  Interfaces are always named (lo,
 * 127.0.0.1): the host routes multicast by its default route, the guest
 * has none.
 *   join     IP_ADD_MEMBERSHIP, MCAST_JOIN_GROUP and their leaves: the
 *            argument checks, EADDRINUSE, EADDRNOTAVAIL, the limit
 *   tcp      a TCP socket's membership is not its accepted child's
 *   if       IP_MULTICAST_IF set and read back
 *   deliver  who receives a datagram sent to a group on lo: members,
 *            IP_MULTICAST_ALL, bound addresses, source filters, IP_MSFILTER */
#include "inet.h"
#include <net/if.h>

#define GROUP "239.7.7.7"
#define GROUP2 "239.7.7.8"

static int lo;

static struct ip_mreqn mreqn(const char *group, const char *addr, int ifindex)
{
	struct ip_mreqn m = { .imr_ifindex = ifindex };
	inet_pton(AF_INET, group, &m.imr_multiaddr);
	inet_pton(AF_INET, addr, &m.imr_address);
	return m;
}

static struct group_req greq(const char *group, int ifindex)
{
	struct group_req g = { .gr_interface = ifindex };
	struct sockaddr_in a = sin4(group, 0);
	memcpy(&g.gr_group, &a, sizeof a);
	return g;
}

static struct group_source_req gsreq(const char *group, const char *source, int ifindex)
{
	struct group_source_req g = { .gsr_interface = ifindex };
	struct sockaddr_in a = sin4(group, 0), s = sin4(source, 0);
	memcpy(&g.gsr_group, &a, sizeof a);
	memcpy(&g.gsr_source, &s, sizeof s);
	return g;
}

static void join(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct ip_mreqn m = mreqn(GROUP, "127.0.0.1", 0);
	CHECK("ADD_MEMBERSHIP mreq 127.0.0.1", setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(struct ip_mreq)));
	CHECK("ADD_MEMBERSHIP again", setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(struct ip_mreq)));
	m = mreqn(GROUP, "0.0.0.0", lo);
	CHECK("ADD_MEMBERSHIP mreqn lo again", setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m));
	CHECK("DROP_MEMBERSHIP mreqn lo", setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof m));
	CHECK("DROP_MEMBERSHIP again", setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof m));
	m = mreqn(GROUP, "127.0.0.1", 0);
	CHECK("ADD_MEMBERSHIP 127.0.0.1", setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(struct ip_mreq)));
	CHECK("DROP_MEMBERSHIP 127.0.0.1", setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof(struct ip_mreq)));
	CHECK("ADD_MEMBERSHIP 127.0.0.1", setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(struct ip_mreq)));
	m = mreqn("127.0.0.1", "127.0.0.1", 0);
	CHECK("ADD_MEMBERSHIP unicast group", setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(struct ip_mreq)));
	m = mreqn(GROUP, "10.9.9.9", 0);
	CHECK("ADD_MEMBERSHIP foreign address", setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(struct ip_mreq)));
	CHECK("DROP_MEMBERSHIP foreign address", setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof(struct ip_mreq)));
	m = mreqn(GROUP, "0.0.0.0", 999);
	CHECK("ADD_MEMBERSHIP ifindex 999", setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m));
	CHECK("DROP_MEMBERSHIP ifindex 999", setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof m));
	CHECK("ADD_MEMBERSHIP optlen 4", setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, 4));
	CHECK("ADD_MEMBERSHIP bad pointer", setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, (void *)8, 8));
	socklen_t len = sizeof m;
	CHECK("getsockopt ADD_MEMBERSHIP", getsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, &len));

	struct group_req g = greq(GROUP, lo);
	CHECK("MCAST_JOIN_GROUP lo", setsockopt(fd, IPPROTO_IP, MCAST_JOIN_GROUP, &g, sizeof g));
	CHECK("MCAST_JOIN_GROUP again", setsockopt(fd, IPPROTO_IP, MCAST_JOIN_GROUP, &g, sizeof g));
	CHECK("MCAST_LEAVE_GROUP lo", setsockopt(fd, IPPROTO_IP, MCAST_LEAVE_GROUP, &g, sizeof g));
	CHECK("MCAST_LEAVE_GROUP again", setsockopt(fd, IPPROTO_IP, MCAST_LEAVE_GROUP, &g, sizeof g));
	CHECK("MCAST_JOIN_GROUP short", setsockopt(fd, IPPROTO_IP, MCAST_JOIN_GROUP, &g, sizeof g - 1));
	g.gr_group.ss_family = AF_INET6;
	CHECK("MCAST_JOIN_GROUP AF_INET6 group", setsockopt(fd, IPPROTO_IP, MCAST_JOIN_GROUP, &g, sizeof g));
	g = greq(GROUP, 999);
	CHECK("MCAST_JOIN_GROUP ifindex 999", setsockopt(fd, IPPROTO_IP, MCAST_JOIN_GROUP, &g, sizeof g));
	g = greq("10.0.0.1", lo);
	CHECK("MCAST_JOIN_GROUP unicast", setsockopt(fd, IPPROTO_IP, MCAST_JOIN_GROUP, &g, sizeof g));

	/* net.ipv4.igmp_max_memberships (20) per socket */
	char grp[32];
	int i, r = 0;
	for (i = 0; i < 25 && r == 0; i++) {
		snprintf(grp, sizeof grp, "239.8.0.%d", i);
		g = greq(grp, lo);
		r = setsockopt(fd, IPPROTO_IP, MCAST_JOIN_GROUP, &g, sizeof g);
	}
	printf("%-44s %d %s\n", "joins until a refusal", i, r < 0 ? strerror(errno) : "");
	close(fd);

	/* the same group on two sockets, and on a socket of each family */
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
	g = greq(GROUP, lo);
	CHECK("join a", setsockopt(a, IPPROTO_IP, MCAST_JOIN_GROUP, &g, sizeof g));
	CHECK("join b", setsockopt(b, IPPROTO_IP, MCAST_JOIN_GROUP, &g, sizeof g));
	CHECK("leave a", setsockopt(a, IPPROTO_IP, MCAST_LEAVE_GROUP, &g, sizeof g));
	CHECK("leave b", setsockopt(b, IPPROTO_IP, MCAST_LEAVE_GROUP, &g, sizeof g));
	close(a);
	close(b);
	a = socket(AF_INET6, SOCK_DGRAM, 0);
	m = mreqn(GROUP, "127.0.0.1", 0);
	CHECK("v6 socket SOL_IP ADD_MEMBERSHIP", setsockopt(a, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(struct ip_mreq)));
	CHECK("v6 socket SOL_IP DROP_MEMBERSHIP", setsockopt(a, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof(struct ip_mreq)));
	close(a);
}

static void tcp(void)
{
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct group_req g = greq(GROUP, lo);
	struct ip_mreqn m = mreqn(GROUP, "127.0.0.1", 0);
	CHECK("TCP MCAST_JOIN_GROUP", setsockopt(l, IPPROTO_IP, MCAST_JOIN_GROUP, &g, sizeof g));
	CHECK("TCP IP_ADD_MEMBERSHIP", setsockopt(l, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(struct ip_mreq)));
	struct sockaddr_in a = sin4("127.0.0.1", 0);
	bind(l, (struct sockaddr *)&a, sizeof a);
	listen(l, 1);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	connect_to(c, AF_INET, port_of(l));
	int s = accept(l, NULL, NULL);
	CHECK("child MCAST_LEAVE_GROUP", setsockopt(s, IPPROTO_IP, MCAST_LEAVE_GROUP, &g, sizeof g));
	CHECK("listener MCAST_LEAVE_GROUP", setsockopt(l, IPPROTO_IP, MCAST_LEAVE_GROUP, &g, sizeof g));
	close(c);
	close(s);
	close(l);
}

static void show_if(const char *what, int fd)
{
	unsigned char v[12];
	socklen_t len = sizeof v;
	memset(v, 0xee, sizeof v);
	int r = getsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, v, &len);
	printf("  %-42s %d len %d %d.%d.%d.%d\n", what, r, (int)len, v[0], v[1], v[2], v[3]);
}

static void ifs(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	show_if("IP_MULTICAST_IF default", fd);
	struct in_addr ia;
	inet_pton(AF_INET, "127.0.0.1", &ia);
	CHECK("IP_MULTICAST_IF in_addr 127.0.0.1", setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ia, sizeof ia));
	show_if("IP_MULTICAST_IF", fd);
	inet_pton(AF_INET, "10.9.9.9", &ia);
	CHECK("IP_MULTICAST_IF 10.9.9.9", setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ia, sizeof ia));
	struct ip_mreqn m = mreqn("0.0.0.0", "0.0.0.0", lo);
	CHECK("IP_MULTICAST_IF mreqn lo", setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m));
	show_if("IP_MULTICAST_IF", fd);
	m = mreqn("0.0.0.0", "0.0.0.0", 999);
	CHECK("IP_MULTICAST_IF mreqn 999", setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m));
	m = mreqn("0.0.0.0", "127.0.0.1", 0);
	CHECK("IP_MULTICAST_IF mreq 127.0.0.1", setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(struct ip_mreq)));
	show_if("IP_MULTICAST_IF", fd);
	CHECK("IP_MULTICAST_IF optlen 3", setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, 3));
	inet_pton(AF_INET, "0.0.0.0", &ia);
	CHECK("IP_MULTICAST_IF 0.0.0.0", setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ia, sizeof ia));
	show_if("IP_MULTICAST_IF", fd);
	unsigned char small[2];
	socklen_t len = sizeof small;
	CHECK("getsockopt IP_MULTICAST_IF len 2", getsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, small, &len));
	printf("  %-42s %d\n", "len", (int)len);
	close(fd);
}

static int rcv(int port, const char *bindaddr)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	setint(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	struct sockaddr_in a = sin4(bindaddr, port);
	bind(fd, (struct sockaddr *)&a, sizeof a);
	return fd;
}

static void got(const char *what, int fd)
{
	char buf[64];
	struct sockaddr_in from;
	socklen_t len = sizeof from;
	errno = 0;
	long n = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &len);
	char ab[32] = "";
	if (n >= 0)
		inet_ntop(AF_INET, &from.sin_addr, ab, sizeof ab);
	printf("  %-42s %ld %s\n", what, n, n < 0 ? strerror(errno) : ab);
}

static void deliver(void)
{
	int tx = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in me = sin4("127.0.0.1", 0);
	bind(tx, (struct sockaddr *)&me, sizeof me);
	struct in_addr ia;
	inet_pton(AF_INET, "127.0.0.1", &ia);
	setsockopt(tx, IPPROTO_IP, IP_MULTICAST_IF, &ia, sizeof ia);

	int r1 = rcv(0, "0.0.0.0");
	int port = port_of(r1);
	int r2 = rcv(port, "0.0.0.0");          /* no membership of its own */
	int r3 = rcv(port, GROUP);              /* bound to the group */
	int r4 = rcv(port, "127.0.0.1");        /* bound to a unicast address */
	int r5 = rcv(port, "0.0.0.0");
	CHECK("r5 IP_MULTICAST_ALL 0", setint(r5, IPPROTO_IP, IP_MULTICAST_ALL, 0));
	struct sockaddr_in to = sin4(GROUP, port), to2 = sin4(GROUP2, port);

	CHECK("send before any join", sendto(tx, "x", 1, 0, (struct sockaddr *)&to, sizeof to));
	got("r1", r1);
	got("r2", r2);

	struct group_req g = greq(GROUP, lo);
	CHECK("r1 joins", setsockopt(r1, IPPROTO_IP, MCAST_JOIN_GROUP, &g, sizeof g));
	CHECK("send to the group", sendto(tx, "hello", 5, 0, (struct sockaddr *)&to, sizeof to));
	got("r1", r1);
	got("r2 (IP_MULTICAST_ALL)", r2);
	got("r3 (bound to the group)", r3);
	got("r4 (bound to 127.0.0.1)", r4);
	got("r5 (IP_MULTICAST_ALL 0)", r5);
	got("tx", tx);
	CHECK("send to another group", sendto(tx, "other", 5, 0, (struct sockaddr *)&to2, sizeof to2));
	got("r1", r1);
	got("r2", r2);

	CHECK("IP_MULTICAST_LOOP 0", setint(tx, IPPROTO_IP, IP_MULTICAST_LOOP, 0));
	CHECK("send without loop", sendto(tx, "noloop", 6, 0, (struct sockaddr *)&to, sizeof to));
	got("r1", r1);
	got("r2", r2);
	CHECK("IP_MULTICAST_LOOP 1", setint(tx, IPPROTO_IP, IP_MULTICAST_LOOP, 1));

	/* source filters on r1's membership */
	struct group_source_req s = gsreq(GROUP, "127.0.0.1", lo);
	CHECK("r1 MCAST_BLOCK_SOURCE 127.0.0.1", setsockopt(r1, IPPROTO_IP, MCAST_BLOCK_SOURCE, &s, sizeof s));
	CHECK("r1 MCAST_BLOCK_SOURCE again", setsockopt(r1, IPPROTO_IP, MCAST_BLOCK_SOURCE, &s, sizeof s));
	CHECK("send", sendto(tx, "blocked", 7, 0, (struct sockaddr *)&to, sizeof to));
	got("r1 (blocked)", r1);
	got("r2", r2);
	CHECK("r1 MCAST_UNBLOCK_SOURCE", setsockopt(r1, IPPROTO_IP, MCAST_UNBLOCK_SOURCE, &s, sizeof s));
	CHECK("r1 MCAST_UNBLOCK_SOURCE again", setsockopt(r1, IPPROTO_IP, MCAST_UNBLOCK_SOURCE, &s, sizeof s));
	CHECK("send", sendto(tx, "unblocked", 9, 0, (struct sockaddr *)&to, sizeof to));
	got("r1", r1);
	got("r2", r2);
	CHECK("r1 MCAST_JOIN_SOURCE_GROUP (mode)", setsockopt(r1, IPPROTO_IP, MCAST_JOIN_SOURCE_GROUP, &s, sizeof s));
	CHECK("r1 MCAST_LEAVE_GROUP", setsockopt(r1, IPPROTO_IP, MCAST_LEAVE_GROUP, &g, sizeof g));

	/* include mode: only the sources listed */
	s = gsreq(GROUP, "127.0.0.2", lo);
	CHECK("r1 MCAST_JOIN_SOURCE_GROUP 127.0.0.2", setsockopt(r1, IPPROTO_IP, MCAST_JOIN_SOURCE_GROUP, &s, sizeof s));
	CHECK("r1 MCAST_BLOCK_SOURCE (mode)", setsockopt(r1, IPPROTO_IP, MCAST_BLOCK_SOURCE, &s, sizeof s));
	CHECK("send", sendto(tx, "other source", 12, 0, (struct sockaddr *)&to, sizeof to));
	got("r1 (includes 127.0.0.2 only)", r1);
	got("r2", r2);
	s = gsreq(GROUP, "127.0.0.1", lo);
	CHECK("r1 MCAST_JOIN_SOURCE_GROUP 127.0.0.1", setsockopt(r1, IPPROTO_IP, MCAST_JOIN_SOURCE_GROUP, &s, sizeof s));
	CHECK("send", sendto(tx, "included", 8, 0, (struct sockaddr *)&to, sizeof to));
	got("r1", r1);
	got("r2", r2);
	CHECK("r1 MCAST_LEAVE_SOURCE_GROUP 127.0.0.1", setsockopt(r1, IPPROTO_IP, MCAST_LEAVE_SOURCE_GROUP, &s, sizeof s));
	CHECK("r1 MCAST_LEAVE_SOURCE_GROUP again", setsockopt(r1, IPPROTO_IP, MCAST_LEAVE_SOURCE_GROUP, &s, sizeof s));
	s = gsreq(GROUP, "127.0.0.2", lo);
	CHECK("r1 MCAST_LEAVE_SOURCE_GROUP 127.0.0.2", setsockopt(r1, IPPROTO_IP, MCAST_LEAVE_SOURCE_GROUP, &s, sizeof s));
	CHECK("r1 MCAST_LEAVE_GROUP (gone)", setsockopt(r1, IPPROTO_IP, MCAST_LEAVE_GROUP, &g, sizeof g));
	CHECK("send after the last leave", sendto(tx, "gone", 4, 0, (struct sockaddr *)&to, sizeof to));
	got("r1", r1);
	got("r2", r2);

	/* IP_MSFILTER: the whole filter at once, and read back */
	CHECK("r1 joins", setsockopt(r1, IPPROTO_IP, MCAST_JOIN_GROUP, &g, sizeof g));
	struct { struct ip_msfilter f; struct in_addr more[3]; } mf;
	memset(&mf, 0, sizeof mf);
	inet_pton(AF_INET, GROUP, &mf.f.imsf_multiaddr);
	inet_pton(AF_INET, "127.0.0.1", &mf.f.imsf_interface);
	mf.f.imsf_fmode = MCAST_EXCLUDE;
	mf.f.imsf_numsrc = 2;
	inet_pton(AF_INET, "127.0.0.5", &mf.f.imsf_slist[0]);
	inet_pton(AF_INET, "127.0.0.1", &mf.f.imsf_slist[1]);
	CHECK("r1 IP_MSFILTER exclude 2", setsockopt(r1, IPPROTO_IP, IP_MSFILTER, &mf, IP_MSFILTER_SIZE(2)));
	CHECK("send", sendto(tx, "excluded", 8, 0, (struct sockaddr *)&to, sizeof to));
	got("r1 (excludes 127.0.0.1)", r1);
	mf.f.imsf_numsrc = 1;
	socklen_t flen = IP_MSFILTER_SIZE(1);
	memset(&mf.f.imsf_slist, 0, sizeof mf.more + sizeof mf.f.imsf_slist);
	errno = 0;
	int fr = getsockopt(r1, IPPROTO_IP, IP_MSFILTER, &mf, &flen);
	char a0[32];
	inet_ntop(AF_INET, &mf.f.imsf_slist[0], a0, sizeof a0);
	printf("  %-42s %d %s len %d mode %d numsrc %d first %s\n", "getsockopt IP_MSFILTER room for 1",
	       fr, fr < 0 ? strerror(errno) : "", (int)flen, mf.f.imsf_fmode, mf.f.imsf_numsrc, a0);
	flen = 12;
	CHECK("getsockopt IP_MSFILTER len 12", getsockopt(r1, IPPROTO_IP, IP_MSFILTER, &mf, &flen));
	mf.f.imsf_numsrc = 11;
	CHECK("IP_MSFILTER 11 sources", setsockopt(r1, IPPROTO_IP, IP_MSFILTER, &mf, sizeof mf));
	mf.f.imsf_numsrc = 3;
	CHECK("IP_MSFILTER 3 in the room of 2", setsockopt(r1, IPPROTO_IP, IP_MSFILTER, &mf, IP_MSFILTER_SIZE(2)));
	mf.f.imsf_numsrc = 0;
	mf.f.imsf_fmode = 7;
	CHECK("IP_MSFILTER mode 7", setsockopt(r1, IPPROTO_IP, IP_MSFILTER, &mf, IP_MSFILTER_SIZE(0)));
	mf.f.imsf_fmode = MCAST_EXCLUDE;
	CHECK("IP_MSFILTER exclude nothing", setsockopt(r1, IPPROTO_IP, IP_MSFILTER, &mf, IP_MSFILTER_SIZE(0)));
	CHECK("send", sendto(tx, "all again", 9, 0, (struct sockaddr *)&to, sizeof to));
	got("r1", r1);
	got("r2", r2);
	mf.f.imsf_fmode = MCAST_INCLUDE;
	CHECK("IP_MSFILTER include nothing (leaves)", setsockopt(r1, IPPROTO_IP, IP_MSFILTER, &mf, IP_MSFILTER_SIZE(0)));
	CHECK("r1 MCAST_LEAVE_GROUP (gone)", setsockopt(r1, IPPROTO_IP, MCAST_LEAVE_GROUP, &g, sizeof g));
	flen = sizeof mf;
	CHECK("getsockopt IP_MSFILTER, no membership", getsockopt(r1, IPPROTO_IP, IP_MSFILTER, &mf, &flen));
	CHECK("IP_MSFILTER, no membership", setsockopt(r1, IPPROTO_IP, IP_MSFILTER, &mf, IP_MSFILTER_SIZE(0) + 4));

	/* the group stays joined while one member is left; close leaves */
	CHECK("r3 joins", setsockopt(r3, IPPROTO_IP, MCAST_JOIN_GROUP, &g, sizeof g));
	CHECK("r5 joins", setsockopt(r5, IPPROTO_IP, MCAST_JOIN_GROUP, &g, sizeof g));
	close(r3);
	CHECK("send after r3's close", sendto(tx, "r5", 2, 0, (struct sockaddr *)&to, sizeof to));
	got("r5", r5);
	got("r2", r2);
	close(r5);
	CHECK("send after r5's close", sendto(tx, "none", 4, 0, (struct sockaddr *)&to, sizeof to));
	got("r2", r2);
	close(r1);
	close(r2);
	close(r4);
	close(tx);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	lo = if_nametoindex("lo");
	for (int i = 1; i < argc; i++) {
		printf("== %s\n", argv[i]);
		if (!strcmp(argv[i], "join"))
			join();
		else if (!strcmp(argv[i], "tcp"))
			tcp();
		else if (!strcmp(argv[i], "if"))
			ifs();
		else if (!strcmp(argv[i], "deliver"))
			deliver();
	}
	printf("done\n");
	return 0;
}
