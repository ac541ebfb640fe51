/* tcp: TCP over the loopback, compared with the host kernel: creation,
 * binding rules, listen/connect/accept (blocking and not), the backlog,
 * data with MSG_PEEK/WAITALL/DONTWAIT/TRUNC, SIOCINQ/SIOCOUTQ, shutdown
 * and half-close, resets (unread data at close, SO_LINGER 0, a closed
 * listener), EPIPE/SIGPIPE, TIME_WAIT and SO_REUSEADDR, buffer sizes,
 * blocking writers, options, IPv6 and v4-mapped addresses, poll masks
 * at every step. */
#include "inet.h"
#include <sys/mman.h>

static void creation(void)
{
	printf("-- creation\n");
	int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, 6, 15 };
	int protos[] = { 0, IPPROTO_TCP, IPPROTO_UDP, 2, 255, 256, -1 };
	for (int f = 0; f < 2; f++)
		for (unsigned i = 0; i < sizeof types / sizeof *types; i++)
			for (unsigned j = 0; j < sizeof protos / sizeof *protos; j++) {
				char what[64];
				snprintf(what, sizeof what, "socket %s type %d proto %d",
					 f ? "AF_INET6" : "AF_INET", types[i], protos[j]);
				int fd = socket(f ? AF_INET6 : AF_INET, types[i], protos[j]);
				printf("%-44s %s\n", what, fd >= 0 ? "ok" : strerror(errno));
				if (fd >= 0)
					close(fd);
			}
	CHECK("socket bad flags", socket(AF_INET, SOCK_STREAM | 0x1000, 0));
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	printf("nonblock %d cloexec %d\n", !!(fcntl(fd, F_GETFL) & O_NONBLOCK),
	       !!(fcntl(fd, F_GETFD) & FD_CLOEXEC));
	printf("type %d proto %d domain %d error %d acceptconn %d\n",
	       getint(fd, SOL_SOCKET, SO_TYPE), getint(fd, SOL_SOCKET, SO_PROTOCOL),
	       getint(fd, SOL_SOCKET, SO_DOMAIN), getint(fd, SOL_SOCKET, SO_ERROR),
	       getint(fd, SOL_SOCKET, SO_ACCEPTCONN));
	printf("sndbuf %d rcvbuf %d nodelay %d maxseg %d ttl %d keepalive %d reuse %d\n",
	       getint(fd, SOL_SOCKET, SO_SNDBUF), getint(fd, SOL_SOCKET, SO_RCVBUF),
	       getint(fd, IPPROTO_TCP, TCP_NODELAY), getint(fd, IPPROTO_TCP, TCP_MAXSEG),
	       getint(fd, IPPROTO_IP, IP_TTL), getint(fd, SOL_SOCKET, SO_KEEPALIVE),
	       getint(fd, SOL_SOCKET, SO_REUSEADDR));
	pmask("fresh", fd);
	show_name("fresh", fd, 0);
	show_name("fresh", fd, 1);
	char c;
	CHECK("recv unconnected", recv(fd, &c, 1, 0));
	CHECK("send unconnected", send(fd, "x", 1, 0));
	show_sigpipes("send unconnected");
	CHECK("send unconnected MSG_NOSIGNAL", send(fd, "x", 1, MSG_NOSIGNAL));
	show_sigpipes("MSG_NOSIGNAL");
	CHECK("shutdown unconnected", shutdown(fd, SHUT_RDWR));
	pmask("after shutdown", fd);
	CHECK("accept unlistened", accept(fd, NULL, NULL));
	CHECK("shutdown bad how", shutdown(fd, 3));
	CHECK("inq fresh", inq(fd));
	CHECK("outq fresh", outq(fd));
	close(fd);
}

static void binding(void)
{
	printf("-- bind\n");
	int a = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = sin4("127.0.0.1", 0);
	CHECK("bind short", bind(a, (struct sockaddr *)&sa, 15));
	struct sockaddr_in6 s6 = sin6("::1", 0);
	CHECK("bind AF_INET6 addr", bind(a, (struct sockaddr *)&s6, sizeof s6));
	struct sockaddr_in un = sin4("1.2.3.4", 0);
	un.sin_family = AF_UNSPEC;
	CHECK("bind AF_UNSPEC non-any", bind(a, (struct sockaddr *)&un, sizeof un));
	struct sockaddr_in far = sin4("10.99.99.99", 0);
	CHECK("bind foreign address", bind(a, (struct sockaddr *)&far, sizeof far));
	struct sockaddr_in lo2 = sin4("127.0.0.2", 0);
	CHECK("bind 127.0.0.2", bind(a, (struct sockaddr *)&lo2, sizeof lo2));
	show_name("bound 127.0.0.2", a, 0);
	printf("  bind(0) port is odd %d\n", port_of(a) & 1);
	CHECK("bind again", bind(a, (struct sockaddr *)&sa, sizeof sa));
	int port = port_of(a);
	close(a);

	a = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in any = sin4("0.0.0.0", 0);
	any.sin_family = AF_UNSPEC;
	CHECK("bind AF_UNSPEC any", bind(a, (struct sockaddr *)&any, sizeof any));
	port = port_of(a);
	int b = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in same = sin4("127.0.0.1", port);
	CHECK("bind same port as wildcard", bind(b, (struct sockaddr *)&same, sizeof same));
	close(a);
	CHECK("bind after the other closed", bind(b, (struct sockaddr *)&same, sizeof same));
	close(b);

	/* SO_REUSEADDR: both, and neither listening */
	a = socket(AF_INET, SOCK_STREAM, 0);
	b = socket(AF_INET, SOCK_STREAM, 0);
	setint(a, SOL_SOCKET, SO_REUSEADDR, 1);
	setint(b, SOL_SOCKET, SO_REUSEADDR, 1);
	CHECK("reuse bind a", bind(a, (struct sockaddr *)&sa, sizeof sa));
	same = sin4("127.0.0.1", port_of(a));
	CHECK("reuse bind b same port", bind(b, (struct sockaddr *)&same, sizeof same));
	CHECK("listen a", listen(a, 1));
	CHECK("listen b (a listens)", listen(b, 1));
	int c = socket(AF_INET, SOCK_STREAM, 0);
	setint(c, SOL_SOCKET, SO_REUSEADDR, 1);
	CHECK("reuse bind c (a listens)", bind(c, (struct sockaddr *)&same, sizeof same));
	close(a); close(b); close(c);

	/* SO_REUSEPORT: both, same user */
	a = socket(AF_INET, SOCK_STREAM, 0);
	b = socket(AF_INET, SOCK_STREAM, 0);
	setint(a, SOL_SOCKET, SO_REUSEPORT, 1);
	setint(b, SOL_SOCKET, SO_REUSEPORT, 1);
	CHECK("reuseport bind a", bind(a, (struct sockaddr *)&sa, sizeof sa));
	same = sin4("127.0.0.1", port_of(a));
	CHECK("reuseport bind b", bind(b, (struct sockaddr *)&same, sizeof same));
	/* a backlog for all six: the group's hash may give them all to one
	 * listener, and a full queue would make connect retry for minutes */
	CHECK("listen a", listen(a, 8));
	CHECK("listen b", listen(b, 8));
	int n = 0;
	for (int i = 0; i < 6; i++) {
		int cl = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(cl, (struct sockaddr *)&same, sizeof same) == 0)
			n++;
		close(cl);
	}
	printf("  connected to a reuseport group %d\n", n);
	int got = 0;
	for (int fd = a; ; fd = b) {
		int s;
		fcntl(fd, F_SETFL, O_NONBLOCK);
		while ((s = accept(fd, NULL, NULL)) >= 0) {
			got++;
			close(s);
		}
		if (fd == b)
			break;
	}
	printf("  accepted by the group %d\n", got);
	close(a); close(b);

	/* listen autobinds; connect autobinds an even port */
	a = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("listen unbound", listen(a, 1));
	show_name("listening unbound", a, 0);
	b = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("connect to it", connect_to(b, AF_INET, port_of(a)));
	printf("  connect's port is even %d\n", !(port_of(b) & 1));
	show_name("connected", b, 0);
	show_name("connected", b, 1);
	close(a); close(b);
}

static void connecting(void)
{
	printf("-- connect and accept\n");
	int l = listener(AF_INET, 1, 0);
	int port = port_of(l);
	pmask("listener, empty", l);
	printf("  acceptconn %d\n", getint(l, SOL_SOCKET, SO_ACCEPTCONN));
	CHECK("connect a listener", connect_to(l, AF_INET, port));
	CHECK("recv on a listener", recv(l, &port, 1, MSG_DONTWAIT));
	CHECK("send on a listener", send(l, "x", 1, MSG_NOSIGNAL));
	CHECK("inq listener", inq(l));
	int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK("connect nonblocking", connect_to(c, AF_INET, port));
	struct pollfd p = { c, POLLOUT, 0 };
	CHECK("poll for POLLOUT", poll(&p, 1, 5000));
	pmask("connected client", c);
	pmask("listener with one", l);
	printf("  so_error %d\n", getint(c, SOL_SOCKET, SO_ERROR));
	CHECK("connect again", connect_to(c, AF_INET, port));
	CHECK("connect third time", connect_to(c, AF_INET, port));
	struct sockaddr_storage ss;
	socklen_t len = 3;
	int s = accept4(l, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	printf("accept4 ok %d len %d nonblock %d cloexec %d\n", s >= 0, (int)len,
	       !!(fcntl(s, F_GETFL) & O_NONBLOCK), !!(fcntl(s, F_GETFD) & FD_CLOEXEC));
	show_name("accepted", s, 0);
	show_name("accepted", s, 1);
	pmask("listener drained", l);
	pmask("accepted", s);
	fcntl(l, F_SETFL, O_NONBLOCK);
	CHECK("accept nothing nonblocking", accept(l, NULL, NULL));
	CHECK("accept4 bad flags", accept4(l, NULL, NULL, 0x10));
	len = sizeof ss;
	CHECK("accept bad address", accept(l, (struct sockaddr *)8, &len));
	CHECK("listen again (backlog change)", listen(l, 2));

	/* a full backlog: listen(l, 0) takes one, the next waits in SYN_SENT */
	int l0 = listener(AF_INET, 0, 0);
	int p0 = port_of(l0);
	int c1 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int c2 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK("connect 1 to backlog 0", connect_to(c1, AF_INET, p0));
	p.fd = c1;
	CHECK("poll 1", poll(&p, 1, 5000));
	CHECK("connect 2 to backlog 0", connect_to(c2, AF_INET, p0));
	pmask("second client waits", c2);
	CHECK("connect 2 again", connect_to(c2, AF_INET, p0));
	CHECK("send while connecting", send(c2, "x", 1, MSG_NOSIGNAL));
	CHECK("recv while connecting", recv(c2, &port, 1, 0));
	CHECK("getpeername while connecting", getpeername(c2, (struct sockaddr *)&ss, &len));
	int s1 = accept(l0, NULL, NULL);
	printf("accepted first %d\n", s1 >= 0);
	p.fd = c2;
	CHECK("second gets in", poll(&p, 1, 10000));
	pmask("second client", c2);
	int s2 = accept(l0, NULL, NULL);
	printf("accepted second %d\n", s2 >= 0);
	close(s1); close(s2); close(c1); close(c2); close(l0);

	/* refused */
	int dead = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = sin4("127.0.0.1", 0);
	bind(dead, (struct sockaddr *)&sa, sizeof sa);
	int dport = port_of(dead);
	int r = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("connect refused", connect_to(r, AF_INET, dport));
	pmask("refused", r);
	CHECK("connect refused again", connect_to(r, AF_INET, dport));
	close(r);
	r = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK("connect refused nonblocking", connect_to(r, AF_INET, dport));
	p.fd = r;
	p.events = POLLOUT;
	CHECK("poll refused", poll(&p, 1, 5000));
	pmask("refused nonblocking", r);
	printf("  so_error %d (%s)\n", getint(r, SOL_SOCKET, SO_ERROR), strerror(ECONNREFUSED));
	pmask("error taken", r);
	CHECK("connect after error taken", connect_to(r, AF_INET, dport));
	CHECK("connect once more", connect_to(r, AF_INET, dport));
	close(r); close(dead);

	/* AF_UNSPEC disconnects, and the socket connects again */
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("connect", connect_to(c, AF_INET, port));
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	CHECK("connect AF_UNSPEC", connect(c, &unspec, sizeof unspec));
	pmask("disconnected", c);
	show_name("disconnected", c, 1);
	CHECK("connect after disconnect", connect_to(c, AF_INET, port));
	CHECK("connect short address", connect(c, &unspec, 1));
	struct sockaddr_in6 s6 = sin6("::1", port);
	int c3 = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("connect AF_INET6 to AF_INET", connect(c3, (struct sockaddr *)&s6, sizeof s6));
	CHECK("connect short sockaddr_in", connect(c3, (struct sockaddr *)&sa, 8));
	struct sockaddr_in bc = sin4("255.255.255.255", port);
	CHECK("connect broadcast", connect(c3, (struct sockaddr *)&bc, sizeof bc));
	struct sockaddr_in zero = sin4("0.0.0.0", port);
	CHECK("connect 0.0.0.0 (this host)", connect(c3, (struct sockaddr *)&zero, sizeof zero));
	show_name("to 0.0.0.0", c3, 1);
	close(c3);
	while ((s = accept(l, NULL, NULL)) >= 0)
		close(s);
	close(c); close(l);
}

static void data(void)
{
	printf("-- data\n");
	int l = listener(AF_INET, 4, 0);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	connect_to(c, AF_INET, port_of(l));
	int s = accept(l, NULL, NULL);
	unsigned char buf[70000];
	CHECK("send 5", send(c, "hello", 5, 0));
	CHECK("write 3", write(c, "abc", 3));
	CHECK("inq", inq(s));
	CHECK("outq", outq(c));
	pmask("reader with data", s);
	memset(buf, 0, sizeof buf);
	CHECK("peek 4", recv(s, buf, 4, MSG_PEEK));
	printf("  peeked %.4s\n", buf);
	CHECK("recv 100", recv(s, buf, 100, 0));
	printf("  got %.8s\n", buf);
	CHECK("recv dontwait empty", recv(s, buf, 1, MSG_DONTWAIT));
	CHECK("recv 0 bytes", recv(s, buf, 0, MSG_DONTWAIT));
	CHECK("send 0 bytes", send(c, buf, 0, 0));
	CHECK("send 10", send(c, "0123456789", 10, 0));
	CHECK("recv trunc 4 (discards)", recv(s, NULL, 4, MSG_TRUNC | MSG_DONTWAIT));
	CHECK("recv rest", recv(s, buf, 100, 0));
	printf("  got %.6s\n", buf);
	for (int i = 0; i < 65536; i++)
		buf[i] = i * 7;
	CHECK("send 64K", send(c, buf, 65536, 0));
	long got = 0;
	unsigned char in[70000];
	while (got < 65536) {
		long r = recv(s, in + got, sizeof in - got, 0);
		if (r <= 0)
			break;
		got += r;
	}
	printf("  64K back %ld same %d\n", got, !memcmp(in, buf, 65536));
	CHECK("sendto with an address", sendto(c, "x", 1, 0, (struct sockaddr *)&(struct sockaddr_in){ .sin_family = AF_INET }, 16));
	CHECK("recv it", recv(s, buf, 10, 0));
	CHECK("send bad buffer", send(c, (void *)16, 10, 0));
	char *m = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(m + 4096, 4096);
	CHECK("send partly bad buffer", send(c, m + 4000, 4096, 0));
	CHECK("send good part", send(c, m + 4000, 96, 0));
	CHECK("recv into bad buffer", recv(s, (void *)16, 10, MSG_DONTWAIT));
	CHECK("recv into partly bad buffer", recv(s, m + 4090, 100, MSG_DONTWAIT));
	CHECK("recv after bad buffer", recv(s, buf, 1000, MSG_DONTWAIT));
	munmap(m, 4096);
	CHECK("sendmsg iovecs", ({
		struct iovec iov[3] = { { "ab", 2 }, { NULL, 0 }, { "cde", 3 } };
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 3 };
		sendmsg(c, &m, 0); }));
	CHECK("recvmsg iovecs", ({
		char x[2], y[10];
		struct iovec iov[2] = { { x, 2 }, { y, 10 } };
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
		long r = recvmsg(s, &m, 0);
		printf("  flags %d namelen %d %.2s%.3s\n", m.msg_flags, m.msg_namelen, x, y);
		r; }));

	/* MSG_WAITALL: a writer in another process, in pieces */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 10; i++) {
			send(c, buf + i * 1000, 1000, 0);
			usleep(1000);
		}
		_exit(0);
	}
	got = recv(s, in, 10000, MSG_WAITALL);
	printf("waitall %ld same %d\n", got, !memcmp(in, buf, 10000));
	waitpid(pid, NULL, 0);
	CHECK("waitall nonblocking, nothing", recv(s, in, 10, MSG_WAITALL | MSG_DONTWAIT));
	send(c, "xyz", 3, 0);
	CHECK("waitall nonblocking, some", recv(s, in, 10, MSG_WAITALL | MSG_DONTWAIT));

	/* SO_RCVTIMEO */
	struct timeval tv = { 0, 50000 };
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	CHECK("recv with SO_RCVTIMEO", recv(s, in, 10, 0));
	setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	CHECK("accept with SO_RCVTIMEO", accept(l, NULL, NULL));
	close(c); close(s); close(l);
}

static void shutdowns(void)
{
	printf("-- shutdown and close\n");
	int l = listener(AF_INET, 4, 0);
	int port = port_of(l);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	connect_to(c, AF_INET, port);
	int s = accept(l, NULL, NULL);
	char buf[100];
	send(c, "last", 4, 0);
	CHECK("shutdown SHUT_WR", shutdown(c, SHUT_WR));
	pmask("writer after SHUT_WR", c);
	pmask("reader sees FIN", s);
	CHECK("reader gets data", recv(s, buf, 100, 0));
	CHECK("reader gets EOF", recv(s, buf, 100, 0));
	CHECK("EOF again", recv(s, buf, 100, 0));
	CHECK("send after SHUT_WR", send(c, "x", 1, 0));
	show_sigpipes("send after SHUT_WR");
	CHECK("half-close: other way works", send(s, "back", 4, 0));
	CHECK("writer reads", recv(c, buf, 100, 0));
	CHECK("shutdown SHUT_WR of the other", shutdown(s, SHUT_WR));
	pmask("both shut, first", c);
	pmask("both shut, second", s);
	CHECK("writer EOF", recv(c, buf, 100, 0));
	show_name("after both FINs", c, 1);
	close(c); close(s);

	/* SHUT_RD */
	c = socket(AF_INET, SOCK_STREAM, 0);
	connect_to(c, AF_INET, port);
	s = accept(l, NULL, NULL);
	send(c, "pending", 7, 0);
	CHECK("shutdown SHUT_RD", shutdown(s, SHUT_RD));
	pmask("after SHUT_RD", s);
	CHECK("read after SHUT_RD (queued)", recv(s, buf, 100, 0));
	CHECK("read after SHUT_RD (empty)", recv(s, buf, 100, 0));
	CHECK("peer still sends", send(c, "more", 4, 0));
	CHECK("inq after SHUT_RD", inq(s));
	CHECK("shutdown SHUT_RDWR", shutdown(s, SHUT_RDWR));
	pmask("after SHUT_RDWR", s);
	pmask("peer of SHUT_RDWR", c);
	close(c); close(s);

	/* close with unread data: the peer is reset */
	c = socket(AF_INET, SOCK_STREAM, 0);
	connect_to(c, AF_INET, port);
	s = accept(l, NULL, NULL);
	send(c, "unread", 6, 0);
	send(s, "for c", 5, 0);
	close(s);
	pmask("reset peer", c);
	printf("  so_error %d\n", getint(c, SOL_SOCKET, SO_ERROR) == ECONNRESET);
	c = (close(c), socket(AF_INET, SOCK_STREAM, 0));
	connect_to(c, AF_INET, port);
	s = accept(l, NULL, NULL);
	send(c, "unread", 6, 0);
	send(s, "for c", 5, 0);
	close(s);
	CHECK("reset peer reads what came first", recv(c, buf, 100, 0));
	CHECK("then ECONNRESET", recv(c, buf, 100, 0));
	CHECK("then EOF", recv(c, buf, 100, 0));
	CHECK("send after reset", send(c, "x", 1, 0));
	show_sigpipes("send after reset");
	show_name("after reset", c, 1);
	close(c);

	/* writing to a peer that closed: one write goes, the RST answers it */
	c = socket(AF_INET, SOCK_STREAM, 0);
	connect_to(c, AF_INET, port);
	s = accept(l, NULL, NULL);
	close(s);
	pmask("peer closed", c);
	CHECK("write to closed peer", send(c, "x", 1, 0));
	pmask("after the RST", c);
	CHECK("write again", send(c, "x", 1, 0));
	show_sigpipes("write again");
	CHECK("read", recv(c, buf, 100, 0));
	close(c);

	/* SO_LINGER 0: close resets */
	c = socket(AF_INET, SOCK_STREAM, 0);
	connect_to(c, AF_INET, port);
	s = accept(l, NULL, NULL);
	struct linger lg = { 1, 0 };
	CHECK("SO_LINGER {1,0}", setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
	socklen_t ll = sizeof lg;
	getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &ll);
	printf("  linger %d %d\n", lg.l_onoff, lg.l_linger);
	close(s);
	CHECK("read after linger-0 close", recv(c, buf, 100, 0));
	close(c);

	/* a closed listener resets what it never accepted */
	c = socket(AF_INET, SOCK_STREAM, 0);
	connect_to(c, AF_INET, port);
	close(l);
	pmask("listener gone", c);
	CHECK("read", recv(c, buf, 100, 0));
	close(c);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("connect to the closed listener", connect_to(c, AF_INET, port));
	close(c);
}

static void time_wait(void)
{
	printf("-- TIME_WAIT\n");
	for (int reuse = 0; reuse < 2; reuse++) {
		int l = listener(AF_INET, 4, reuse);
		int port = port_of(l);
		int c = socket(AF_INET, SOCK_STREAM, 0);
		connect_to(c, AF_INET, port);
		int s = accept(l, NULL, NULL);
		close(l);
		close(s);               /* the server closes first: it will wait */
		char b;
		recv(c, &b, 1, 0);
		close(c);
		int n = socket(AF_INET, SOCK_STREAM, 0);
		setint(n, SOL_SOCKET, SO_REUSEADDR, 1);
		struct sockaddr_in sa = sin4("127.0.0.1", port);
		printf("reuse on the old listener %d: ", reuse);
		CHECK("bind with SO_REUSEADDR", bind(n, (struct sockaddr *)&sa, sizeof sa));
		close(n);
		n = socket(AF_INET, SOCK_STREAM, 0);
		CHECK("  bind without", bind(n, (struct sockaddr *)&sa, sizeof sa));
		close(n);
	}
}

static void buffers(void)
{
	printf("-- buffers\n");
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int vals[] = { 1, 4096, 100000, 1 << 30, -1 };
	for (unsigned i = 0; i < sizeof vals / sizeof *vals; i++) {
		setint(fd, SOL_SOCKET, SO_SNDBUF, vals[i]);
		setint(fd, SOL_SOCKET, SO_RCVBUF, vals[i]);
		printf("set %d: sndbuf %d rcvbuf %d\n", vals[i], getint(fd, SOL_SOCKET, SO_SNDBUF),
		       getint(fd, SOL_SOCKET, SO_RCVBUF));
	}
	CHECK("SO_SNDBUFFORCE as root", setint(fd, SOL_SOCKET, SO_SNDBUFFORCE, 1 << 23));
	printf("  sndbuf %d\n", getint(fd, SOL_SOCKET, SO_SNDBUF));
	close(fd);

	/* locked sizes survive connect; a non-blocking writer fills up */
	int l = socket(AF_INET, SOCK_STREAM, 0);
	setint(l, SOL_SOCKET, SO_RCVBUF, 4096);
	struct sockaddr_in sa = sin4("127.0.0.1", 0);
	bind(l, (struct sockaddr *)&sa, sizeof sa);
	listen(l, 1);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	setint(c, SOL_SOCKET, SO_SNDBUF, 4096);
	connect_to(c, AF_INET, port_of(l));
	int s = accept(l, NULL, NULL);
	printf("after connect: sndbuf %d peer rcvbuf %d\n", getint(c, SOL_SOCKET, SO_SNDBUF),
	       getint(s, SOL_SOCKET, SO_RCVBUF));
	fcntl(c, F_SETFL, O_NONBLOCK);
	static unsigned char buf[1 << 20];
	for (unsigned i = 0; i < sizeof buf; i++)
		buf[i] = i * 13 + (i >> 8);
	long total = 0, r;
	while ((r = send(c, buf + total, 1000, 0)) > 0)
		total += r;
	printf("filled: errno %s, %s\n", strerror(errno),
	       total > 4096 && total < 100000 ? "between 4K and 100K" : "out of range");
	pmask("full writer", c);
	printf("  outq > 0 %d, inq > 0 %d\n", outq(c) > 0, inq(s) > 0);
	long back = 0;
	static unsigned char in[1 << 20];
	while (back < total && (r = recv(s, in + back, sizeof in, 0)) > 0)
		back += r;
	printf("drained %d same %d\n", back == total, !memcmp(in, buf, total));
	pmask("writer after drain", c);
	printf("  outq %d inq %d\n", outq(c), inq(s));

	/* a blocking writer in another process, 1 MiB through the small buffers */
	fcntl(c, F_SETFL, 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		long w = 0;
		while (w < (long)sizeof buf) {
			r = write(c, buf + w, sizeof buf - w);
			if (r <= 0)
				_exit(1);
			w += r;
		}
		_exit(0);
	}
	back = 0;
	while (back < (long)sizeof buf && (r = read(s, in + back, sizeof in - back)) > 0)
		back += r;
	int st;
	waitpid(pid, &st, 0);
	printf("blocking writer: %ld bytes, same %d, writer status %d\n", back,
	       !memcmp(in, buf, sizeof buf), st);
	close(c); close(s); close(l);
}

static void options(void)
{
	printf("-- options\n");
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct { int opt; int val; const char *name; } t[] = {
		{ TCP_NODELAY, 5, "TCP_NODELAY 5" }, { TCP_CORK, 1, "TCP_CORK" },
		{ TCP_KEEPIDLE, 30, "TCP_KEEPIDLE 30" }, { TCP_KEEPIDLE, 0, "TCP_KEEPIDLE 0" },
		{ TCP_KEEPINTVL, 40000, "TCP_KEEPINTVL 40000" }, { TCP_KEEPCNT, 5, "TCP_KEEPCNT" },
		{ TCP_SYNCNT, 3, "TCP_SYNCNT" }, { TCP_SYNCNT, 200, "TCP_SYNCNT 200" },
		{ TCP_LINGER2, 30, "TCP_LINGER2" }, { TCP_LINGER2, 1000, "TCP_LINGER2 1000" },
		{ TCP_DEFER_ACCEPT, 10, "TCP_DEFER_ACCEPT 10" }, { TCP_MAXSEG, 1000, "TCP_MAXSEG 1000" },
		{ TCP_MAXSEG, 10, "TCP_MAXSEG 10" }, { TCP_USER_TIMEOUT, 5000, "TCP_USER_TIMEOUT" },
		{ TCP_USER_TIMEOUT, -1, "TCP_USER_TIMEOUT -1" }, { TCP_WINDOW_CLAMP, 100, "TCP_WINDOW_CLAMP 100" },
		{ TCP_QUICKACK, 0, "TCP_QUICKACK 0" }, { TCP_NOTSENT_LOWAT, 1000, "TCP_NOTSENT_LOWAT" },
		{ 99, 1, "unknown 99" },
	};
	for (unsigned i = 0; i < sizeof t / sizeof *t; i++) {
		errno = 0;
		int r = setint(fd, IPPROTO_TCP, t[i].opt, t[i].val);
		printf("%-30s set %d %-24s get %d\n", t[i].name, r, r < 0 ? strerror(errno) : "",
		       getint(fd, IPPROTO_TCP, t[i].opt));
	}
	CHECK("TCP_NODELAY short optlen", setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, "", 2));
	CHECK("TCP_CONGESTION reno", setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "reno", 4));
	char cc[20] = "";
	socklen_t len = sizeof cc;
	getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, &len);
	printf("  congestion %s len %d\n", cc, (int)len);
	CHECK("TCP_CONGESTION nonsense", setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "nope", 4));
	CHECK("SO_KEEPALIVE", setint(fd, SOL_SOCKET, SO_KEEPALIVE, 7));
	printf("  keepalive %d\n", getint(fd, SOL_SOCKET, SO_KEEPALIVE));
	/* credentials pass only over AF_UNIX and netlink (Linux 6.16 on) */
	CHECK("SO_PASSCRED on TCP", setint(fd, SOL_SOCKET, SO_PASSCRED, 1));
	CHECK("SO_PASSCRED read on TCP", getint(fd, SOL_SOCKET, SO_PASSCRED));
	CHECK("IP_TOS 0x10", setint(fd, IPPROTO_IP, IP_TOS, 0x13));
	printf("  tos %#x\n", getint(fd, IPPROTO_IP, IP_TOS));
	CHECK("IP_TTL 0", setint(fd, IPPROTO_IP, IP_TTL, 0));
	CHECK("IP_TTL 5", setint(fd, IPPROTO_IP, IP_TTL, 5));
	printf("  ttl %d\n", getint(fd, IPPROTO_IP, IP_TTL));
	CHECK("IP_MTU unconnected", getint(fd, IPPROTO_IP, IP_MTU));
	CHECK("IPV6_V6ONLY on AF_INET", setint(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1));
	CHECK("level 1234", setint(fd, 1234, 1, 1));
	CHECK("getsockopt level 1234", getint(fd, 1234, 1));
	unsigned char one = 0;
	len = 1;
	getsockopt(fd, IPPROTO_IP, IP_TTL, &one, &len);
	printf("  IP_TTL with a 1-byte buffer: %d len %d\n", one, (int)len);
	close(fd);
}

static void ipv6(void)
{
	printf("-- IPv6\n");
	int l = listener(AF_INET6, 4, 0);
	int port = port_of(l);
	show_name("v6 listener", l, 0);
	int c = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK("connect ::1", connect_to(c, AF_INET6, port));
	int s = accept(l, NULL, NULL);
	show_name("v6 client", c, 0);
	show_name("v6 accepted", s, 1);
	CHECK("v4 client to a ::1 listener", ({
		int c4 = socket(AF_INET, SOCK_STREAM, 0);
		int r = connect_to(c4, AF_INET, port);
		close(c4); r; }));
	close(c); close(s); close(l);

	/* dual stack: :: accepts IPv4, shown v4-mapped */
	l = socket(AF_INET6, SOCK_STREAM, 0);
	printf("  v6only default %d\n", getint(l, IPPROTO_IPV6, IPV6_V6ONLY));
	struct sockaddr_in6 any = sin6("::", 0);
	CHECK("bind ::", bind(l, (struct sockaddr *)&any, sizeof any));
	CHECK("IPV6_V6ONLY after bind", setint(l, IPPROTO_IPV6, IPV6_V6ONLY, 1));
	listen(l, 4);
	port = port_of(l);
	int c4 = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("v4 connect to ::", connect_to(c4, AF_INET, port));
	s = accept(l, NULL, NULL);
	show_name("mapped, local", s, 0);
	show_name("mapped, peer", s, 1);
	int c6 = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 m = sin6("::ffff:127.0.0.1", port);
	CHECK("v6 socket to ::ffff:127.0.0.1", connect(c6, (struct sockaddr *)&m, sizeof m));
	show_name("v6 socket over v4", c6, 0);
	int s2 = accept(l, NULL, NULL);
	show_name("its server end", s2, 1);
	CHECK("same 4-tuple port clash (AF_INET bind)", ({
		int x = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = sin4("0.0.0.0", port);
		int r = bind(x, (struct sockaddr *)&a, sizeof a);
		close(x); r; }));
	close(c4); close(s); close(c6); close(s2); close(l);

	/* v6only */
	l = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK("IPV6_V6ONLY", setint(l, IPPROTO_IPV6, IPV6_V6ONLY, 1));
	CHECK("bind :: v6only", bind(l, (struct sockaddr *)&any, sizeof any));
	listen(l, 4);
	port = port_of(l);
	c4 = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("v4 connect to v6only", connect_to(c4, AF_INET, port));
	close(c4);
	int x = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a4 = sin4("0.0.0.0", port);
	CHECK("AF_INET bind beside a v6only ::", bind(x, (struct sockaddr *)&a4, sizeof a4));
	close(x); close(l);

	int y = socket(AF_INET6, SOCK_STREAM, 0);
	setint(y, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	struct sockaddr_in6 mapped = sin6("::ffff:127.0.0.1", 0);
	CHECK("v6only bind v4-mapped", bind(y, (struct sockaddr *)&mapped, sizeof mapped));
	CHECK("v6only connect v4-mapped", connect(y, (struct sockaddr *)&mapped, sizeof mapped));
	close(y);
	y = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK("bind short sockaddr_in6", bind(y, (struct sockaddr *)&mapped, 20));
	CHECK("bind sockaddr_in6 without scope", bind(y, (struct sockaddr *)&mapped, 24));
	show_name("bound v4-mapped", y, 0);
	printf("  v6only after mapped bind %d\n", getint(y, IPPROTO_IPV6, IPV6_V6ONLY));
	close(y);
	y = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 one = sin6("::1", 0);
	bind(y, (struct sockaddr *)&one, sizeof one);
	printf("  v6only after ::1 bind %d\n", getint(y, IPPROTO_IPV6, IPV6_V6ONLY));
	struct sockaddr_in6 ll = sin6("fe80::1", 0);
	int z = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK("bind link-local without scope", bind(z, (struct sockaddr *)&ll, sizeof ll));
	struct sockaddr_in6 far = sin6("2001:db8::1", 0);
	CHECK("bind foreign v6 address", bind(z, (struct sockaddr *)&far, sizeof far));
	struct sockaddr_in6 mc = sin6("ff02::1", 0);
	CHECK("bind multicast (stream)", bind(z, (struct sockaddr *)&mc, sizeof mc));
	struct sockaddr_in6 zero = sin6("::", port_of(y));
	CHECK("connect :: (means ::1)", connect(z, (struct sockaddr *)&zero, sizeof zero));
	CHECK("connect multicast", connect(z, (struct sockaddr *)&mc, sizeof mc));
	struct sockaddr_in v4 = sin4("127.0.0.1", 1);
	CHECK("connect AF_INET address", connect(z, (struct sockaddr *)&v4, sizeof v4));
	printf("  v6 unicast hops %d tclass %d\n", getint(z, IPPROTO_IPV6, IPV6_UNICAST_HOPS),
	       getint(z, IPPROTO_IPV6, IPV6_TCLASS));
	close(y); close(z);
}

int main(void)
{
	test_as_child();
	signal(SIGPIPE, on_sigpipe);
	creation();
	binding();
	connecting();
	data();
	shutdowns();
	time_wait();
	buffers();
	options();
	ipv6();
	printf("done\n");
	return 0;
}
