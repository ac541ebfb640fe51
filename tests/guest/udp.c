/* udp: UDP over the loopback, compared with the host kernel: datagram
 * boundaries, truncation (MSG_TRUNC both ways), peeking, connected
 * sockets and their filter, ICMP port unreachable as ECONNREFUSED,
 * address checks (EDESTADDRREQ, EMSGSIZE, EACCES for broadcast), port
 * sharing, shutdown, the receive buffer dropping datagrams, IPv6 and
 * v4-mapped, sendmmsg/recvmmsg. */
#include "inet.h"

static int udp(int family, const char *addr)
{
	int fd = socket(family, SOCK_DGRAM, 0);
	if (addr) {
		if (family == AF_INET6) {
			struct sockaddr_in6 a = sin6(addr, 0);
			bind(fd, (struct sockaddr *)&a, sizeof a);
		} else {
			struct sockaddr_in a = sin4(addr, 0);
			bind(fd, (struct sockaddr *)&a, sizeof a);
		}
	}
	return fd;
}

static long to4(int fd, const void *buf, long n, const char *addr, int port, int flags)
{
	struct sockaddr_in a = sin4(addr, port);
	return sendto(fd, buf, n, flags, (struct sockaddr *)&a, sizeof a);
}

static void show_from(const char *what, int fd, int size, int flags)
{
	char buf[70000];
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	memset(buf, 0, 64);
	errno = 0;
	long r = recvfrom(fd, buf, size, flags, (struct sockaddr *)&ss, &len);
	if (r < 0) {
		printf("%-40s -1 %s\n", what, strerror(errno));
		return;
	}
	char a[64] = "?";
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof a);
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, a, sizeof a);
	printf("%-40s %ld from %s len %d: %.16s\n", what, r, a, (int)len, r > 0 ? buf : "");
}

static void basics(void)
{
	printf("-- basics\n");
	int a = udp(AF_INET, "127.0.0.1"), b = udp(AF_INET, NULL);
	int pa = port_of(a);
	printf("sndbuf %d rcvbuf %d type %d proto %d\n", getint(a, SOL_SOCKET, SO_SNDBUF),
	       getint(a, SOL_SOCKET, SO_RCVBUF), getint(a, SOL_SOCKET, SO_TYPE),
	       getint(a, SOL_SOCKET, SO_PROTOCOL));
	pmask("fresh", b);
	show_name("unbound", b, 0);
	show_name("unbound", b, 1);
	CHECK("send unconnected", send(b, "x", 1, 0));
	show_name("after a failed send", b, 0);
	CHECK("sendto port 0", to4(b, "x", 1, "127.0.0.1", 0, 0));
	CHECK("sendto short address", sendto(b, "x", 1, 0, (struct sockaddr *)&(struct sockaddr_in){ .sin_family = AF_INET }, 8));
	struct sockaddr_in6 s6 = sin6("::1", pa);
	CHECK("sendto AF_INET6 address", sendto(b, "x", 1, 0, (struct sockaddr *)&s6, sizeof s6));
	struct sockaddr_in un = sin4("127.0.0.1", pa);
	un.sin_family = AF_UNSPEC;
	CHECK("sendto AF_UNSPEC (as AF_INET)", sendto(b, "u", 1, 0, (struct sockaddr *)&un, sizeof un));
	show_from("recv it", a, 100, 0);
	CHECK("send MSG_OOB", to4(b, "x", 1, "127.0.0.1", pa, MSG_OOB));
	CHECK("sendto", to4(b, "hello", 5, "127.0.0.1", pa, 0));
	show_name("autobound by sendto", b, 0);
	printf("  autobound port set %d\n", port_of(b) > 0);
	CHECK("sendto 0 bytes", to4(b, "", 0, "127.0.0.1", pa, 0));
	CHECK("sendto again", to4(b, "second message", 14, "127.0.0.1", pa, 0));
	pmask("receiver", a);
	CHECK("inq (first datagram)", inq(a));
	CHECK("outq", outq(b));
	show_from("peek", a, 100, MSG_PEEK);
	show_from("recv", a, 100, 0);
	show_from("empty datagram", a, 100, 0);
	CHECK("inq", inq(a));
	CHECK("recv trunc flag (size 3)", ({
		char x[3];
		struct iovec iov = { x, 3 };
		struct sockaddr_in from;
		struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof from,
				    .msg_iov = &iov, .msg_iovlen = 1 };
		long r = recvmsg(a, &m, MSG_PEEK);
		printf("  msg_flags %#x namelen %d\n", m.msg_flags, m.msg_namelen);
		r; }));
	CHECK("recv MSG_TRUNC (real length)", recv(a, NULL, 0, MSG_TRUNC));
	CHECK("nothing left", recv(a, &pa, 4, MSG_DONTWAIT));
	CHECK("MSG_ERRQUEUE", recv(a, &pa, 4, MSG_ERRQUEUE | MSG_DONTWAIT));
	static char big[70000];
	CHECK("sendto 65507", to4(b, big, 65507, "127.0.0.1", port_of(a), 0));
	CHECK("sendto 65508", to4(b, big, 65508, "127.0.0.1", port_of(a), 0));
	CHECK("sendto 70000", to4(b, big, 70000, "127.0.0.1", port_of(a), 0));
	CHECK("recv 64K datagram", recv(a, big, sizeof big, 0));
	CHECK("sendto broadcast", to4(b, "x", 1, "127.255.255.255", port_of(a), 0));
	CHECK("SO_BROADCAST", setint(b, SOL_SOCKET, SO_BROADCAST, 1));
	close(a); close(b);
}

static void connected(void)
{
	printf("-- connected\n");
	int a = udp(AF_INET, "127.0.0.1"), b = udp(AF_INET, "127.0.0.1"), c = udp(AF_INET, "127.0.0.1");
	struct sockaddr_in pa = sin4("127.0.0.1", port_of(a));
	CHECK("connect b to a", connect(b, (struct sockaddr *)&pa, sizeof pa));
	show_name("connected", b, 1);
	pmask("connected", b);
	CHECK("send", send(b, "via connect", 11, 0));
	show_from("a gets it", a, 100, 0);
	struct sockaddr_in pb = sin4("127.0.0.1", port_of(b));
	CHECK("connect a to b", connect(a, (struct sockaddr *)&pb, sizeof pb));
	CHECK("c sends to a (filtered)", to4(c, "not for a", 9, "127.0.0.1", port_of(a), 0));
	CHECK("a has nothing", recv(a, &pa, 4, MSG_DONTWAIT));
	CHECK("b sends to a", send(b, "ok", 2, 0));
	show_from("a gets b's", a, 100, 0);
	CHECK("a sendto c while connected", to4(a, "to c", 4, "127.0.0.1", port_of(c), 0));
	show_from("c gets it", c, 100, 0);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	int aport = port_of(a);
	CHECK("disconnect a", connect(a, &unspec, sizeof unspec));
	show_name("disconnected", a, 1);
	show_name("disconnected, local (port 0 bound: unhashed)", a, 0);
	CHECK("c sends to a's old port", to4(c, "now?", 4, "127.0.0.1", aport, 0));
	CHECK("a has nothing", recv(a, &pa, 4, MSG_DONTWAIT));
	close(a);
	a = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in fixed = sin4("127.0.0.1", aport);
	bind(a, (struct sockaddr *)&fixed, sizeof fixed);
	connect(a, (struct sockaddr *)&pb, sizeof pb);
	CHECK("disconnect a (port bound explicitly)", connect(a, &unspec, sizeof unspec));
	printf("  port kept %d\n", port_of(a) == aport);
	CHECK("c sends to a again", to4(c, "now yes", 7, "127.0.0.1", aport, 0));
	show_from("a gets c's", a, 100, 0);
	CHECK("connect short", connect(a, (struct sockaddr *)&pb, 8));
	CHECK("connect AF_INET6 address", ({
		struct sockaddr_in6 x = sin6("::1", 9);
		connect(a, (struct sockaddr *)&x, sizeof x); }));
	CHECK("connect broadcast", ({
		struct sockaddr_in x = sin4("127.255.255.255", 9);
		connect(a, (struct sockaddr *)&x, sizeof x); }));
	CHECK("connect port 0", ({
		struct sockaddr_in x = sin4("127.0.0.1", 0);
		connect(a, (struct sockaddr *)&x, sizeof x); }));
	show_name("connected to port 0", a, 1);
	int d = udp(AF_INET, NULL);
	CHECK("connect unbound to 0.0.0.0", ({
		struct sockaddr_in x = sin4("0.0.0.0", port_of(c));
		connect(d, (struct sockaddr *)&x, sizeof x); }));
	show_name("to 0.0.0.0, local", d, 0);
	show_name("to 0.0.0.0, peer", d, 1);
	close(a); close(b); close(c); close(d);

	/* ICMP port unreachable */
	int dead = udp(AF_INET, "127.0.0.1");
	int dport = port_of(dead);
	close(dead);
	int e = udp(AF_INET, NULL);
	struct sockaddr_in pd = sin4("127.0.0.1", dport);
	connect(e, (struct sockaddr *)&pd, sizeof pd);
	CHECK("send to a closed port", send(e, "x", 1, 0));
	pmask("after the ICMP", e);
	printf("  so_error is ECONNREFUSED %d\n", getint(e, SOL_SOCKET, SO_ERROR) == ECONNREFUSED);
	CHECK("send again", send(e, "x", 1, 0));
	CHECK("and again", send(e, "x", 1, 0));
	CHECK("recv gets the error", recv(e, &dport, 4, MSG_DONTWAIT));
	CHECK("then nothing", recv(e, &dport, 4, MSG_DONTWAIT));
	int f = udp(AF_INET, NULL);
	CHECK("unconnected sendto closed port", to4(f, "x", 1, "127.0.0.1", port_of(e) ^ 1, 0));
	pmask("unconnected: no error", f);
	close(e); close(f);
}

static void sharing(void)
{
	printf("-- ports\n");
	int a = udp(AF_INET, "127.0.0.1");
	int port = port_of(a);
	int b = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa = sin4("127.0.0.1", port);
	CHECK("bind taken port", bind(b, (struct sockaddr *)&sa, sizeof sa));
	struct sockaddr_in any = sin4("0.0.0.0", port);
	CHECK("bind wildcard beside", bind(b, (struct sockaddr *)&any, sizeof any));
	close(a); close(b);
	a = socket(AF_INET, SOCK_DGRAM, 0);
	b = socket(AF_INET, SOCK_DGRAM, 0);
	setint(a, SOL_SOCKET, SO_REUSEADDR, 1);
	setint(b, SOL_SOCKET, SO_REUSEADDR, 1);
	sa = sin4("127.0.0.1", 0);
	bind(a, (struct sockaddr *)&sa, sizeof sa);
	sa = sin4("127.0.0.1", port_of(a));
	CHECK("SO_REUSEADDR bind", bind(b, (struct sockaddr *)&sa, sizeof sa));
	int s = udp(AF_INET, NULL);
	to4(s, "who", 3, "127.0.0.1", port_of(a), 0);
	printf("  a got %d, b got %d\n", inq(a), inq(b));
	close(a); close(b);
	/* a socket bound to the address wins over a wildcard one */
	a = socket(AF_INET, SOCK_DGRAM, 0);
	b = socket(AF_INET, SOCK_DGRAM, 0);
	setint(a, SOL_SOCKET, SO_REUSEADDR, 1);
	setint(b, SOL_SOCKET, SO_REUSEADDR, 1);
	any = sin4("0.0.0.0", 0);
	bind(a, (struct sockaddr *)&any, sizeof any);
	sa = sin4("127.0.0.1", port_of(a));
	bind(b, (struct sockaddr *)&sa, sizeof sa);
	to4(s, "who", 3, "127.0.0.1", port_of(a), 0);
	printf("  wildcard got %d, specific got %d\n", inq(a), inq(b));
	to4(s, "who", 3, "127.0.0.2", port_of(a), 0);
	printf("  to 127.0.0.2: wildcard got %d\n", inq(a));
	close(a); close(b);
	/* SO_REUSEPORT */
	a = socket(AF_INET, SOCK_DGRAM, 0);
	b = socket(AF_INET, SOCK_DGRAM, 0);
	setint(a, SOL_SOCKET, SO_REUSEPORT, 1);
	setint(b, SOL_SOCKET, SO_REUSEPORT, 1);
	sa = sin4("127.0.0.1", 0);
	bind(a, (struct sockaddr *)&sa, sizeof sa);
	sa = sin4("127.0.0.1", port_of(a));
	CHECK("SO_REUSEPORT bind", bind(b, (struct sockaddr *)&sa, sizeof sa));
	for (int i = 0; i < 10; i++)
		to4(s, "r", 1, "127.0.0.1", port_of(a), 0);
	int n = 0;
	char x;
	fcntl(a, F_SETFL, O_NONBLOCK);
	fcntl(b, F_SETFL, O_NONBLOCK);
	while (recv(a, &x, 1, 0) == 1)
		n++;
	while (recv(b, &x, 1, 0) == 1)
		n++;
	printf("  the group got %d\n", n);
	close(a); close(b); close(s);

	/* broadcast on lo reaches the wildcard socket on the port */
	a = socket(AF_INET, SOCK_DGRAM, 0);
	any = sin4("0.0.0.0", 0);
	bind(a, (struct sockaddr *)&any, sizeof any);
	s = udp(AF_INET, NULL);
	setint(s, SOL_SOCKET, SO_BROADCAST, 1);
	CHECK("sendto 127.255.255.255", to4(s, "all", 3, "127.255.255.255", port_of(a), 0));
	show_from("broadcast received", a, 100, MSG_DONTWAIT);
	close(a); close(s);
}

static void shutdowns(void)
{
	printf("-- shutdown\n");
	int a = udp(AF_INET, "127.0.0.1");
	CHECK("shutdown unconnected", shutdown(a, SHUT_RD));
	pmask("after it", a);
	CHECK("recv nonblocking", recv(a, &a, 4, MSG_DONTWAIT));
	CHECK("recv blocking (shut)", recv(a, &a, 4, 0));
	close(a);
	a = udp(AF_INET, "127.0.0.1");
	int b = udp(AF_INET, "127.0.0.1");
	struct sockaddr_in pb = sin4("127.0.0.1", port_of(b));
	connect(a, (struct sockaddr *)&pb, sizeof pb);
	CHECK("shutdown connected SHUT_WR", shutdown(a, SHUT_WR));
	CHECK("send after SHUT_WR", send(a, "x", 1, 0));
	show_sigpipes("udp EPIPE");
	CHECK("shutdown SHUT_RDWR", shutdown(a, SHUT_RDWR));
	pmask("after SHUT_RDWR", a);
	CHECK("shutdown bad how", shutdown(a, -1));
	close(a); close(b);
}

static void rcvbuf(void)
{
	printf("-- receive buffer\n");
	int a = udp(AF_INET, "127.0.0.1"), s = udp(AF_INET, NULL);
	setint(a, SOL_SOCKET, SO_RCVBUF, 4096);
	printf("rcvbuf %d\n", getint(a, SOL_SOCKET, SO_RCVBUF));
	char buf[1000] = "";
	int sent = 0;
	for (int i = 0; i < 100; i++)
		if (to4(s, buf, sizeof buf, "127.0.0.1", port_of(a), 0) == sizeof buf)
			sent++;
	int got = 0;
	fcntl(a, F_SETFL, O_NONBLOCK);
	while (recv(a, buf, sizeof buf, 0) > 0)
		got++;
	printf("sent %d, received some %d, dropped some %d\n", sent, got > 0, got < sent);
	/* a datagram larger than the buffer still gets into an empty queue */
	static char big[60000];
	to4(s, big, sizeof big, "127.0.0.1", port_of(a), 0);
	CHECK("big into an empty small buffer", recv(a, big, sizeof big, 0));
	close(a); close(s);
}

static void ipv6(void)
{
	printf("-- IPv6\n");
	int a = udp(AF_INET6, "::1"), b = udp(AF_INET6, NULL);
	struct sockaddr_in6 pa = sin6("::1", port_of(a));
	CHECK("sendto ::1", sendto(b, "six", 3, 0, (struct sockaddr *)&pa, sizeof pa));
	show_from("recv", a, 100, 0);
	show_name("v6 sender", b, 0);
	static char big[70000];
	CHECK("sendto 65527", sendto(b, big, 65527, 0, (struct sockaddr *)&pa, sizeof pa));
	CHECK("sendto 65528", sendto(b, big, 65528, 0, (struct sockaddr *)&pa, sizeof pa));
	recv(a, big, sizeof big, 0);
	int d = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 any = sin6("::", 0);
	bind(d, (struct sockaddr *)&any, sizeof any);
	int s4 = udp(AF_INET, NULL);
	CHECK("v4 to a :: socket", to4(s4, "four", 4, "127.0.0.1", port_of(d), 0));
	show_from("mapped source", d, 100, 0);
	CHECK("v6 socket sendto AF_INET address", ({
		struct sockaddr_in x = sin4("127.0.0.1", port_of(d));
		sendto(b, "x", 1, 0, (struct sockaddr *)&x, sizeof x); }));
	CHECK("v6 socket sendto AF_INET address (v6 sender bound ::1)", ({
		struct sockaddr_in x = sin4("127.0.0.1", port_of(d));
		sendto(a, "x", 1, 0, (struct sockaddr *)&x, sizeof x); }));
	show_from("from the v6 socket", d, 100, MSG_DONTWAIT);
	struct sockaddr_in6 m = sin6("::ffff:127.0.0.1", port_of(d));
	int e = udp(AF_INET6, NULL);
	CHECK("sendto v4-mapped", sendto(e, "m", 1, 0, (struct sockaddr *)&m, sizeof m));
	show_from("mapped sender", d, 100, MSG_DONTWAIT);
	show_name("mapped sender", e, 0);
	CHECK("connect AF_INET address", ({
		struct sockaddr_in x = sin4("127.0.0.1", port_of(d));
		connect(e, (struct sockaddr *)&x, sizeof x); }));
	show_name("connected by AF_INET", e, 1);
	int v6o = socket(AF_INET6, SOCK_DGRAM, 0);
	setint(v6o, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	CHECK("v6only sendto mapped", sendto(v6o, "m", 1, 0, (struct sockaddr *)&m, sizeof m));
	CHECK("v6only connect AF_INET", ({
		struct sockaddr_in x = sin4("127.0.0.1", port_of(d));
		connect(v6o, (struct sockaddr *)&x, sizeof x); }));
	CHECK("v4-mapped socket sendto ::1", ({
		struct sockaddr_in6 x = sin6("::1", 9);
		sendto(e, "x", 1, 0, (struct sockaddr *)&x, sizeof x); }));
	close(a); close(b); close(d); close(s4); close(e); close(v6o);
}

static void mmsg(void)
{
	printf("-- sendmmsg/recvmmsg\n");
	int a = udp(AF_INET, "127.0.0.1"), b = udp(AF_INET, NULL);
	struct sockaddr_in pa = sin4("127.0.0.1", port_of(a));
	connect(b, (struct sockaddr *)&pa, sizeof pa);
	struct iovec iov[3] = { { "one", 3 }, { "two!", 4 }, { "three", 5 } };
	struct mmsghdr mm[3];
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < 3; i++) {
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	CHECK("sendmmsg 3", sendmmsg(b, mm, 3, 0));
	printf("  lens %u %u %u\n", mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
	char bufs[3][8];
	memset(bufs, 0, sizeof bufs);
	struct iovec riov[3];
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < 3; i++) {
		riov[i].iov_base = bufs[i];
		riov[i].iov_len = 4;
		mm[i].msg_hdr.msg_iov = &riov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	CHECK("recvmmsg", recvmmsg(a, mm, 3, MSG_DONTWAIT, NULL));
	for (int i = 0; i < 3; i++)
		printf("  %u %#x %.4s\n", mm[i].msg_len, mm[i].msg_hdr.msg_flags, bufs[i]);
	setint(a, SOL_SOCKET, SO_PEEK_OFF, 0);
	send(b, "abcdef", 6, 0);
	send(b, "ghi", 3, 0);
	char x[4] = "";
	CHECK("peek with SO_PEEK_OFF", recv(a, x, 2, MSG_PEEK));
	printf("  %.2s peek_off %d\n", x, getint(a, SOL_SOCKET, SO_PEEK_OFF));
	CHECK("peek again", recv(a, x, 2, MSG_PEEK));
	printf("  %.2s peek_off %d\n", x, getint(a, SOL_SOCKET, SO_PEEK_OFF));
	CHECK("recv", recv(a, x, 4, 0));
	printf("  %.4s peek_off %d\n", x, getint(a, SOL_SOCKET, SO_PEEK_OFF));
	close(a); close(b);
}

int main(void)
{
	test_as_child();
	signal(SIGPIPE, on_sigpipe);
	basics();
	connected();
	sharing();
	shutdowns();
	rcvbuf();
	ipv6();
	mmsg();
	printf("done\n");
	return 0;
}
