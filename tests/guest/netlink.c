/* netlink: NETLINK_ROUTE sockets compared with the host kernel: port ids
 * (bind, autobind, collisions), requests and their acknowledgements and
 * errors, a link asked for by index, dumps (only lo's entries are printed:
 * the host has other interfaces), MSG_PEEK|MSG_TRUNC sizes, strict dump
 * checking, permissions. */
#include "inet.h"
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

static int nl(void)
{
	return socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
}

static void show_nlname(const char *what, int fd)
{
	struct sockaddr_nl a;
	socklen_t len = sizeof a;
	memset(&a, 0x55, sizeof a);
	if (getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		printf("%-40s -1 %s\n", what, strerror(errno));
		return;
	}
	const char *pid = a.nl_pid == (unsigned)getpid() ? "getpid()" :
			  (int)a.nl_pid < 0 ? "negative" : a.nl_pid ? "other" : "0";
	printf("%-40s family %d pad %d pid %s groups %#x len %d\n", what, a.nl_family,
	       a.nl_pad, pid, a.nl_groups, (int)len);
}

static long request(int fd, int type, int flags, void *body, int blen, int seq)
{
	char buf[512];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	memset(buf, 0, sizeof buf);
	h->nlmsg_len = NLMSG_LENGTH(blen);
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = seq;
	memcpy(NLMSG_DATA(h), body, blen);
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	return sendto(fd, buf, h->nlmsg_len, 0, (struct sockaddr *)&k, sizeof k);
}

static const char *attrname(int type, int a)
{
	if (type == RTM_NEWLINK)
		switch (a) {
		case IFLA_IFNAME: return "ifname";
		case IFLA_MTU: return "mtu";
		case IFLA_TXQLEN: return "txqlen";
		case IFLA_OPERSTATE: return "operstate";
		case IFLA_QDISC: return "qdisc";
		case IFLA_ADDRESS: return "address";
		case IFLA_GROUP: return "group";
		}
	if (type == RTM_NEWADDR)
		switch (a) {
		case IFA_ADDRESS: return "address";
		case IFA_LOCAL: return "local";
		case IFA_LABEL: return "label";
		case IFA_FLAGS: return "flags";
		case IFA_BROADCAST: return "broadcast";
		}
	return NULL;
}

static void show_attrs(int type, struct rtattr *rta, int len)
{
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		const char *n = attrname(type, rta->rta_type);
		if (!n)
			continue;
		unsigned char *d = RTA_DATA(rta);
		int dl = RTA_PAYLOAD(rta);
		printf("    %s:", n);
		if (rta->rta_type == IFLA_IFNAME && type == RTM_NEWLINK)
			printf(" %s", d);
		else if (rta->rta_type == IFA_LABEL && type == RTM_NEWADDR)
			printf(" %s", d);
		else if (rta->rta_type == IFLA_QDISC && type == RTM_NEWLINK)
			printf(" %s", d);
		else
			for (int i = 0; i < dl; i++)
				printf(" %02x", d[i]);
		printf("\n");
	}
}

/* read one datagram, print its messages; lo's only when filtering */
static int show_reply(const char *what, int fd, int only_lo)
{
	static char buf[65536];
	struct sockaddr_nl from;
	socklen_t flen = sizeof from;
	long peek = recv(fd, buf, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
	long n = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
	if (n < 0)
		return -1;
	if (peek != n || from.nl_pid || from.nl_groups)
		printf("%s: peek-trunc %ld for %ld, from pid %d groups %d\n", what, peek, n,
		       from.nl_pid, from.nl_groups);
	int done = 0;
	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(h);
			printf("  ERROR %d (%s) flags %#x seq %u pid-ok %d len %u orig type %d\n",
			       e->error, strerror(-e->error), h->nlmsg_flags, h->nlmsg_seq,
			       h->nlmsg_pid != 0, h->nlmsg_len, e->msg.nlmsg_type);
			done = 1;
		} else if (h->nlmsg_type == NLMSG_DONE) {
			printf("  DONE %d flags %#x seq %u len %u\n", *(int *)NLMSG_DATA(h),
			       h->nlmsg_flags, h->nlmsg_seq, h->nlmsg_len);
			done = 1;
		} else if (h->nlmsg_type == RTM_NEWLINK) {
			struct ifinfomsg *i = NLMSG_DATA(h);
			if (only_lo && i->ifi_index != 1)
				continue;
			printf("  NEWLINK flags %#x seq %u index %d type %d flags %#x\n",
			       h->nlmsg_flags, h->nlmsg_seq, i->ifi_index, i->ifi_type, i->ifi_flags);
			show_attrs(RTM_NEWLINK, IFLA_RTA(i), IFLA_PAYLOAD(h));
		} else if (h->nlmsg_type == RTM_NEWADDR) {
			struct ifaddrmsg *a = NLMSG_DATA(h);
			if (only_lo && a->ifa_index != 1)
				continue;
			printf("  NEWADDR flags %#x family %d plen %d flags %#x scope %d index %d\n",
			       h->nlmsg_flags, a->ifa_family, a->ifa_prefixlen, a->ifa_flags,
			       a->ifa_scope, a->ifa_index);
			show_attrs(RTM_NEWADDR, IFA_RTA(a), IFA_PAYLOAD(h));
		} else if (h->nlmsg_type == RTM_NEWROUTE) {
			struct rtmsg *r = NLMSG_DATA(h);
			int oif = 0;
			struct rtattr *rta = RTM_RTA(r);
			int len = RTM_PAYLOAD(h);
			for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
				if (rta->rta_type == RTA_OIF)
					oif = *(int *)RTA_DATA(rta);
			if (only_lo && oif != 1)
				continue;
			printf("  NEWROUTE family %d dst_len %d table %d proto %d scope %d type %d\n",
			       r->rtm_family, r->rtm_dst_len, r->rtm_table, r->rtm_protocol,
			       r->rtm_scope, r->rtm_type);
		} else
			printf("  type %d\n", h->nlmsg_type);
	}
	return done;
}

static void drain(const char *what, int fd, int only_lo)
{
	int r = 0;
	printf("%s:\n", what);
	for (int i = 0; i < 50; i++)
		if ((r = show_reply(what, fd, only_lo)))
			break;
	if (r < 0)
		printf("  (no answer)\n");
}

int main(void)
{
	test_as_child();
	printf("-- sockets\n");
	CHECK("socket SOCK_DGRAM", ({ int f = socket(AF_NETLINK, SOCK_DGRAM, 0); close(f); f >= 0; }));
	CHECK("socket SOCK_STREAM", socket(AF_NETLINK, SOCK_STREAM, 0));
	CHECK("socket protocol 32", socket(AF_NETLINK, SOCK_RAW, 32));
	CHECK("socket protocol -1", socket(AF_NETLINK, SOCK_RAW, -1));
	int a = nl();
	show_nlname("unbound", a);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	CHECK("bind short", bind(a, (struct sockaddr *)&sa, 4));
	sa.nl_family = AF_INET;
	CHECK("bind AF_INET", bind(a, (struct sockaddr *)&sa, sizeof sa));
	sa.nl_family = AF_NETLINK;
	CHECK("bind pid 0", bind(a, (struct sockaddr *)&sa, sizeof sa));
	show_nlname("autobound", a);
	int b = nl();
	CHECK("bind the same pid", ({
		struct sockaddr_nl x = { .nl_family = AF_NETLINK, .nl_pid = getpid() };
		bind(b, (struct sockaddr *)&x, sizeof x); }));
	CHECK("bind 0 (autobind, pid taken)", bind(b, (struct sockaddr *)&sa, sizeof sa));
	show_nlname("second", b);
	CHECK("rebind another pid", ({
		struct sockaddr_nl x = { .nl_family = AF_NETLINK, .nl_pid = 12345 };
		bind(b, (struct sockaddr *)&x, sizeof x); }));
	CHECK("join RTMGRP_LINK", ({
		struct sockaddr_nl x = sa;
		socklen_t l = sizeof x;
		getsockname(b, (struct sockaddr *)&x, &l);
		x.nl_groups = RTMGRP_LINK;
		bind(b, (struct sockaddr *)&x, sizeof x); }));
	show_nlname("in a group", b);
	int c = nl();
	struct sockaddr_nl fixed = { .nl_family = AF_NETLINK, .nl_pid = 0x7654321 };
	CHECK("bind a chosen pid", bind(c, (struct sockaddr *)&fixed, sizeof fixed));
	CHECK("getpeername", ({
		struct sockaddr_nl x;
		socklen_t l = sizeof x;
		int r = getpeername(c, (struct sockaddr *)&x, &l);
		printf("  peer pid %u groups %u len %d\n", x.nl_pid, x.nl_groups, (int)l); r; }));
	CHECK("shutdown", shutdown(c, SHUT_RD));
	CHECK("listen", listen(c, 1));
	CHECK("SIOCINQ", inq(c));
	close(b); close(c);

	printf("-- requests\n");
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 1 };
	CHECK("RTM_GETLINK lo", request(a, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof ifi, 10));
	drain("reply", a, 0);
	CHECK("RTM_GETLINK lo with NLM_F_ACK", request(a, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof ifi, 11));
	drain("reply", a, 0);
	ifi.ifi_index = 9999;
	CHECK("RTM_GETLINK no such index", request(a, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof ifi, 12));
	drain("reply", a, 0);
	ifi.ifi_index = 0;
	CHECK("RTM_GETLINK neither index nor name", request(a, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof ifi, 13));
	drain("reply", a, 0);
	CHECK("not a request (no NLM_F_REQUEST)", request(a, RTM_GETLINK, 0, &ifi, sizeof ifi, 14));
	CHECK("nothing came", recv(a, &ifi, sizeof ifi, MSG_DONTWAIT));
	CHECK("NLMSG_NOOP with ACK", request(a, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, &ifi, 0, 15));
	drain("reply", a, 0);
	CHECK("type beyond RTM_MAX", request(a, 200, NLM_F_REQUEST, &ifi, sizeof ifi, 16));
	drain("reply", a, 0);
	CHECK("RTM_GETLINK empty body", request(a, RTM_GETLINK, NLM_F_REQUEST, &ifi, 0, 17));
	CHECK("nothing came", recv(a, &ifi, sizeof ifi, MSG_DONTWAIT));
	int cap = 1;
	setsockopt(a, SOL_NETLINK, NETLINK_CAP_ACK, &cap, sizeof cap);
	ifi.ifi_index = 9999;
	CHECK("error with NETLINK_CAP_ACK", request(a, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof ifi, 18));
	drain("reply", a, 0);
	CHECK("a truncated message", ({
		char m[8] = { 40, 0, 0, 0, RTM_GETLINK, 0, 1, 0 };
		struct sockaddr_nl k = { .nl_family = AF_NETLINK };
		sendto(a, m, sizeof m, 0, (struct sockaddr *)&k, sizeof k); }));
	CHECK("nothing came", recv(a, &ifi, sizeof ifi, MSG_DONTWAIT));
	CHECK("sendto a user port that does not exist", ({
		struct sockaddr_nl k = { .nl_family = AF_NETLINK, .nl_pid = 0x7777777 };
		sendto(a, &ifi, sizeof ifi, 0, (struct sockaddr *)&k, sizeof k); }));

	printf("-- dumps\n");
	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	CHECK("dump links (rtgenmsg)", request(a, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &g, sizeof g, 20));
	drain("links", a, 1);
	CHECK("dump addresses", request(a, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &g, sizeof g, 21));
	drain("addresses", a, 1);
	g.rtgen_family = AF_INET6;
	CHECK("dump IPv6 addresses", request(a, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &g, sizeof g, 22));
	drain("v6 addresses", a, 1);
	g.rtgen_family = AF_INET;
	CHECK("dump IPv4 routes", request(a, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &g, sizeof g, 23));
	drain("routes", a, 1);
	int on = 1;
	CHECK("NETLINK_GET_STRICT_CHK", setsockopt(a, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &on, sizeof on));
	CHECK("strict: rtgenmsg link dump", request(a, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &g, sizeof g, 24));
	drain("strict", a, 1);
	struct ifinfomsg bad = { .ifi_index = 1 };
	CHECK("strict: index in a link dump", request(a, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &bad, sizeof bad, 25));
	drain("strict", a, 1);
	struct ifaddrmsg fa = { .ifa_family = AF_INET, .ifa_index = 1 };
	CHECK("strict: addresses of lo", request(a, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &fa, sizeof fa, 26));
	drain("strict", a, 0);
	socklen_t l = sizeof on;
	getsockopt(a, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &on, &l);
	printf("  strict %d\n", on);

	printf("-- permissions\n");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		setuid(1000);
		int u = nl();
		struct ifinfomsg up = { .ifi_index = 1, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
		CHECK("RTM_NEWLINK as a user", request(u, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, &up, sizeof up, 30));
		drain("reply", u, 0);
		CHECK("join a group as a user", ({
			struct sockaddr_nl x = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
			bind(u, (struct sockaddr *)&x, sizeof x); }));
		CHECK("sendto a group as a user", ({
			struct sockaddr_nl k = { .nl_family = AF_NETLINK, .nl_groups = 1 };
			sendto(u, &up, sizeof up, 0, (struct sockaddr *)&k, sizeof k); }));
		CHECK("SIOCGIFFLAGS as a user", ({
			struct ifreq r = { .ifr_name = "lo" };
			int s = socket(AF_INET, SOCK_DGRAM, 0);
			int x = ioctl(s, SIOCGIFFLAGS, &r);
			printf("  flags %#x\n", r.ifr_flags);
			x; }));
		CHECK("SIOCSIFFLAGS as a user", ({
			struct ifreq r = { .ifr_name = "lo", .ifr_flags = IFF_UP | IFF_LOOPBACK };
			int s = socket(AF_INET, SOCK_DGRAM, 0);
			ioctl(s, SIOCSIFFLAGS, &r); }));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	close(a);
	printf("done\n");
	return 0;
}
