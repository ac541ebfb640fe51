/* unix: AF_UNIX sockets compared with the host: socketpair of every type,
 * names in the filesystem and the abstract namespace, listen/connect/
 * accept, shutdown and close semantics, SIGPIPE, poll masks, options.
 * argv[1] is an empty directory for the socket files. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *dir;
static volatile int sigpipes;
static void on_sigpipe(int sig) { (void)sig; sigpipes++; }

#define CHECK(what, expr) do { long _r = (long)(expr); \
	printf("%-44s %ld %s\n", what, _r, _r < 0 ? strerror(errno) : ""); } while (0)

static void pmask(const char *what, int fd)
{
	struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDHUP | POLLPRI, 0 };
	int n = poll(&p, 1, 0);
	printf("  poll %-36s %d %#x\n", what, n, p.revents);
}

static socklen_t mkaddr(struct sockaddr_un *a, const char *name, int abstract)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	if (abstract) {
		a->sun_path[0] = 0;
		memcpy(a->sun_path + 1, name, strlen(name));
		return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
	}
	snprintf(a->sun_path, sizeof a->sun_path, "%s/%s", dir, name);
	return offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1;
}

static void print_name(const char *what, struct sockaddr_un *a, socklen_t len)
{
	printf("  %s len %d", what, (int)len);
	if (len > offsetof(struct sockaddr_un, sun_path)) {
		if (a->sun_path[0] == 0)
			printf(" abstract '%.*s'", (int)(len - 3), a->sun_path + 1);
		else
			printf(" path %s", strncmp(a->sun_path, dir, strlen(dir)) == 0
			       ? a->sun_path + strlen(dir) : a->sun_path);
	}
	printf("\n");
}

static void names(const char *what, int fd)
{
	struct sockaddr_un a;
	socklen_t len = sizeof a;
	memset(&a, 0x55, sizeof a);
	if (getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		print_name(what, &a, len);
	else
		printf("  %s getsockname %s\n", what, strerror(errno));
	len = sizeof a;
	if (getpeername(fd, (struct sockaddr *)&a, &len) == 0)
		print_name("peer", &a, len);
	else
		printf("  peer: %s\n", strerror(errno));
}

static int getint(int fd, int opt)
{
	int v = -77;
	socklen_t l = sizeof v;
	if (getsockopt(fd, SOL_SOCKET, opt, &v, &l) < 0)
		return -errno * 1000;
	return v;
}

static void creation(void)
{
	CHECK("socket family 99", socket(99, SOCK_STREAM, 0));
	CHECK("socket bad type", socket(AF_UNIX, 77, 0));
	CHECK("socket type 4 (RDM)", socket(AF_UNIX, SOCK_RDM, 0));
	CHECK("socket bad protocol", socket(AF_UNIX, SOCK_STREAM, 5));
	CHECK("socket bad flags", socket(AF_UNIX, SOCK_STREAM | 0x100, 0));
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, PF_UNIX);
	struct stat st;
	fstat(s, &st);
	printf("is socket %d mode %o\n", S_ISSOCK(st.st_mode), st.st_mode & 0777);
	printf("type %d domain %d protocol %d acceptconn %d error %d passcred %d\n",
	       getint(s, SO_TYPE), getint(s, SO_DOMAIN), getint(s, SO_PROTOCOL),
	       getint(s, SO_ACCEPTCONN), getint(s, SO_ERROR), getint(s, SO_PASSCRED));
	int v = 1;
	CHECK("SO_SNDBUF 1", setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
	printf("  sndbuf %d\n", getint(s, SO_SNDBUF));
	v = 100000;
	CHECK("SO_RCVBUF 100000", setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v));
	printf("  rcvbuf %d\n", getint(s, SO_RCVBUF));
	CHECK("SO_REUSEADDR", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v));
	printf("  reuseaddr %d\n", getint(s, SO_REUSEADDR));
	CHECK("setsockopt short", setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, 2));
	CHECK("setsockopt SO_TYPE", setsockopt(s, SOL_SOCKET, SO_TYPE, &v, sizeof v));
	CHECK("setsockopt unknown", setsockopt(s, SOL_SOCKET, 999, &v, sizeof v));
	CHECK("setsockopt other level", setsockopt(s, 6, 1, &v, sizeof v));
	CHECK("getsockopt unknown", getsockopt(s, SOL_SOCKET, 999, &v, &(socklen_t){4}));
	socklen_t l = 2;
	v = 0;
	CHECK("getsockopt short len", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l));
	printf("  len %d value %d\n", (int)l, v);
	struct ucred uc;
	l = sizeof uc;
	CHECK("SO_PEERCRED unconnected", getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &l));
	printf("  pid %d uid %d gid %d\n", uc.pid, (int)uc.uid, (int)uc.gid);
	CHECK("getpeername unconnected", getpeername(s, (struct sockaddr *)&uc, &(socklen_t){16}));
	CHECK("recv unconnected stream", recv(s, &v, 4, 0));
	CHECK("send unconnected stream", send(s, &v, 4, 0));
	CHECK("listen unbound", listen(s, 1));
	CHECK("accept not listening", accept(s, NULL, NULL));
	CHECK("shutdown bad how", shutdown(s, 7));
	CHECK("getsockname not a socket", getsockname(0, (struct sockaddr *)&uc, &(socklen_t){16}));
	CHECK("bind bad fd", bind(99, (struct sockaddr *)&uc, 4));
	close(s);
}

static void stream_pair(void)
{
	int sv[2];
	char buf[64];
	CHECK("socketpair stream", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	names("pair", sv[0]);
	pmask("fresh", sv[0]);
	CHECK("write 5", write(sv[0], "hello", 5));
	CHECK("write 6", write(sv[0], " world", 6));
	int n = 0;
	ioctl(sv[1], FIONREAD, &n);
	printf("  FIONREAD %d\n", n);
	pmask("readable", sv[1]);
	CHECK("peek 3", recv(sv[1], buf, 3, MSG_PEEK));
	CHECK("read 64 (stream glues writes)", read(sv[1], buf, sizeof buf));
	printf("  got '%.11s'\n", buf);
	CHECK("recv nonblocking empty", recv(sv[1], buf, 4, MSG_DONTWAIT));
	CHECK("recv 0 bytes, data waiting", (write(sv[0], "x", 1), recv(sv[1], buf, 0, 0)));
	CHECK("read the byte", read(sv[1], buf, 1));
	struct ucred uc;
	socklen_t l = sizeof uc;
	getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &l);
	printf("  peercred is me %d uid %d\n", uc.pid == getpid(), (int)uc.uid);
	CHECK("sendto with address on stream", sendto(sv[0], "x", 1, 0, (struct sockaddr *)&uc, 4));

	/* shutdown SHUT_WR: the other side reads EOF, we may still read */
	CHECK("shutdown WR", shutdown(sv[0], SHUT_WR));
	pmask("after shutdown WR (us)", sv[0]);
	pmask("after shutdown WR (peer)", sv[1]);
	CHECK("peer reads EOF", read(sv[1], buf, 8));
	CHECK("peer writes", write(sv[1], "back", 4));
	CHECK("we read", read(sv[0], buf, 8));
	sigpipes = 0;
	CHECK("we write after SHUT_WR", write(sv[0], "x", 1));
	printf("  SIGPIPEs %d\n", sigpipes);
	CHECK("MSG_NOSIGNAL", send(sv[0], "x", 1, MSG_NOSIGNAL));
	printf("  SIGPIPEs %d\n", sigpipes);
	close(sv[0]);
	pmask("peer closed", sv[1]);
	CHECK("write to closed peer", write(sv[1], "x", 1));
	printf("  SIGPIPEs %d\n", sigpipes);
	close(sv[1]);

	/* closing with unread data: the other end gets ECONNRESET once */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "unread", 6);
	close(sv[1]);
	pmask("peer closed with unread data", sv[0]);
	printf("  SO_ERROR %d\n", getint(sv[0], SO_ERROR));
	pmask("after SO_ERROR", sv[0]);
	CHECK("read after that", read(sv[0], buf, 8));
	close(sv[0]);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "unread", 6);
	close(sv[1]);
	CHECK("read: reset", read(sv[0], buf, 8));
	CHECK("read: then EOF", read(sv[0], buf, 8));
	close(sv[0]);

	/* filling the buffer: non-blocking writes stop with EAGAIN */
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	int v = 4096;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
	long total = 0, r;
	static char big[100000];
	while ((r = write(sv[0], big, sizeof big)) > 0)
		total += r;
	printf("  filled: stopped with %s, wrote %ld\n", strerror(errno), total);
	pmask("full", sv[0]);
	long got = 0;
	while ((r = read(sv[1], big, sizeof big)) > 0)
		got += r;
	printf("  read back all %d\n", got == total);
	pmask("drained", sv[0]);
	close(sv[0]);
	close(sv[1]);

	/* MSG_WAITALL gathers several writes of a child */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec d = { 0, 5 * 1000 * 1000 };
		for (int i = 0; i < 4; i++) {
			nanosleep(&d, NULL);
			write(sv[1], "abcd", 4);
		}
		_exit(0);
	}
	close(sv[1]);
	CHECK("MSG_WAITALL 16", recv(sv[0], buf, 16, MSG_WAITALL));
	printf("  got '%.16s'\n", buf);
	waitpid(pid, NULL, 0);
	CHECK("EOF after child exits", read(sv[0], buf, 4));
	close(sv[0]);
}

static void dgram_pair(int type)
{
	int sv[2];
	char buf[64];
	const char *tn = type == SOCK_DGRAM ? "dgram" : "seqpacket";
	printf("%s pair\n", tn);
	CHECK("socketpair", socketpair(AF_UNIX, type, 0, sv));
	pmask("fresh", sv[0]);
	CHECK("send 5", send(sv[0], "hello", 5, 0));
	CHECK("send 6", send(sv[0], " world", 6, 0));
	CHECK("send 0", send(sv[0], "", 0, 0));
	int n = -1;
	ioctl(sv[1], FIONREAD, &n);
	printf("  FIONREAD %d\n", n);
	CHECK("recv 64 (one datagram)", recv(sv[1], buf, sizeof buf, 0));
	CHECK("recv 3 of 6 (truncated)", recv(sv[1], buf, 3, 0));
	CHECK("recv empty datagram", recv(sv[1], buf, sizeof buf, 0));
	send(sv[0], "truncate me", 11, 0);
	CHECK("recv MSG_TRUNC", recv(sv[1], buf, 4, MSG_TRUNC));
	send(sv[0], "peek", 4, 0);
	CHECK("peek", recv(sv[1], buf, 64, MSG_PEEK));
	CHECK("read after peek", read(sv[1], buf, 64));
	struct msghdr m;
	struct iovec iov = { buf, 2 };
	memset(&m, 0, sizeof m);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	send(sv[0], "xyz", 3, 0);
	CHECK("recvmsg 2 of 3", recvmsg(sv[1], &m, 0));
	printf("  msg_flags %#x\n", m.msg_flags);
	CHECK("recv nonblocking empty", recv(sv[1], buf, 64, MSG_DONTWAIT));
	static char huge[300000];
	CHECK("send too big", send(sv[0], huge, sizeof huge, 0));
	int fill;
	for (fill = 0; fill < 100000; fill++)
		if (send(sv[0], "f", 1, MSG_DONTWAIT) < 0)
			break;
	printf("  %d one-byte datagrams fit, then %s\n", fill, strerror(errno));
	for (int i = 0; i < fill; i++)
		recv(sv[1], buf, sizeof buf, 0);
	for (fill = 0; fill < 100000; fill++)
		if (send(sv[0], huge, 5000, MSG_DONTWAIT) < 0)
			break;
	printf("  %d 5000-byte datagrams fit\n", fill);
	for (int i = 0; i < fill; i++)
		recv(sv[1], buf, sizeof buf, 0);
	CHECK("send 100000", send(sv[0], huge, 100000, MSG_DONTWAIT));
	CHECK("recv it", recv(sv[1], huge, 100000, MSG_DONTWAIT));
	CHECK("shutdown RD", shutdown(sv[1], SHUT_RD));
	pmask("after shutdown RD", sv[1]);
	CHECK("recv after SHUT_RD", recv(sv[1], buf, 64, 0));
	CHECK("send to SHUT_RD", send(sv[0], "x", 1, MSG_NOSIGNAL));
	close(sv[1]);
	pmask("peer closed", sv[0]);
	CHECK("send to closed peer", send(sv[0], "x", 1, MSG_NOSIGNAL));
	CHECK("send again", send(sv[0], "x", 1, MSG_NOSIGNAL));
	close(sv[0]);
}

static void named_stream(int abstract)
{
	struct sockaddr_un a, b;
	char buf[64];
	printf("named stream, %s\n", abstract ? "abstract" : "filesystem");
	socklen_t alen = mkaddr(&a, abstract ? "pyuml-test-srv" : "srv.sock", abstract);
	int srv = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK("bind", bind(srv, (struct sockaddr *)&a, alen));
	CHECK("bind again", bind(srv, (struct sockaddr *)&a, alen));
	int other = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK("bind a taken name", bind(other, (struct sockaddr *)&a, alen));
	if (!abstract) {
		struct stat st;
		CHECK("stat socket file", stat(a.sun_path, &st));
		printf("  sock %d mode %o\n", S_ISSOCK(st.st_mode), st.st_mode & 0777);
		CHECK("open socket file", open(a.sun_path, O_RDWR));
		CHECK("connect before listen", connect(other, (struct sockaddr *)&a, alen));
	}
	names("server", srv);
	CHECK("listen", listen(srv, 2));
	printf("  acceptconn %d\n", getint(srv, SO_ACCEPTCONN));
	pmask("listening, nobody", srv);
	CHECK("connect", connect(other, (struct sockaddr *)&a, alen));
	CHECK("connect again", connect(other, (struct sockaddr *)&a, alen));
	pmask("listening, one waiting", srv);
	CHECK("send before accept", send(other, "early", 5, 0));
	names("client", other);
	socklen_t blen = sizeof b;
	int c = accept4(srv, (struct sockaddr *)&b, &blen, SOCK_CLOEXEC);
	printf("accept4 ok %d\n", c >= 0);
	print_name("accepted from", &b, blen);
	names("server end", c);
	CHECK("read early data", read(c, buf, 64));
	int fl = fcntl(c, F_GETFD);
	printf("  cloexec %d\n", fl == -1 ? -1 : fl & FD_CLOEXEC);
	int on = 1;
	ioctl(srv, FIONBIO, &on);
	CHECK("accept nonblocking, empty", accept(srv, NULL, NULL));
	CHECK("accept4 bad flags", accept4(srv, NULL, NULL, 1));

	/* the backlog: listen(2) takes 3 pending connections, the 4th waits */
	int cl[5];
	for (int i = 0; i < 5; i++) {
		cl[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		long r = connect(cl[i], (struct sockaddr *)&a, alen);
		printf("  connect %d: %ld %s\n", i, r, r < 0 ? strerror(errno) : "");
	}
	for (int i = 0; i < 3; i++) {
		int x = accept(srv, NULL, NULL);
		printf("  accepted %d\n", x >= 0);
		close(x);
	}
	for (int i = 0; i < 5; i++) {
		char ch;
		long r = read(cl[i], &ch, 1);
		printf("  client %d read: %ld %s\n", i, r, r < 0 ? strerror(errno) : "");
		close(cl[i]);
	}
	/* wrong type, missing name, server gone */
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK("dgram connect to stream name", connect(d, (struct sockaddr *)&a, alen));
	close(d);
	close(c);
	close(other);
	close(srv);
	int late = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK("connect after server closed", connect(late, (struct sockaddr *)&a, alen));
	socklen_t mlen = mkaddr(&b, abstract ? "no-such-name" : "missing.sock", abstract);
	CHECK("connect to missing name", connect(late, (struct sockaddr *)&b, mlen));
	CHECK("connect short address", connect(late, (struct sockaddr *)&b, 2));
	CHECK("connect address too long", connect(late, (struct sockaddr *)&b, 111));
	CHECK("connect address > 128", connect(late, (struct sockaddr *)&b, 200));
	b.sun_family = AF_INET;
	CHECK("connect wrong family", connect(late, (struct sockaddr *)&b, mlen));
	CHECK("connect bad pointer", connect(late, (struct sockaddr *)8, mlen));
	close(late);
}

static void autobind_and_dgram_names(void)
{
	struct sockaddr_un a, b;
	char buf[64];
	printf("autobind and datagram names\n");
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK("bind to family only", bind(s, (struct sockaddr *)&(struct sockaddr_un){ .sun_family = AF_UNIX }, 2));
	socklen_t len = sizeof a;
	getsockname(s, (struct sockaddr *)&a, &len);
	printf("  autobound len %d first byte %d\n", (int)len, a.sun_path[0]);
	CHECK("bind to family only again", bind(s, (struct sockaddr *)&(struct sockaddr_un){ .sun_family = AF_UNIX }, 2));
	socklen_t rlen = mkaddr(&b, "dgram-rcv.sock", 0);
	int r = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK("bind receiver", bind(r, (struct sockaddr *)&b, rlen));
	CHECK("sendto receiver", sendto(s, "one", 3, 0, (struct sockaddr *)&b, rlen));
	int u = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK("sendto from unbound", sendto(u, "two", 3, 0, (struct sockaddr *)&b, rlen));
	struct sockaddr_un from;
	socklen_t flen = sizeof from;
	memset(&from, 0, sizeof from);
	CHECK("recvfrom", recvfrom(r, buf, 64, 0, (struct sockaddr *)&from, &flen));
	printf("  from len %d abstract %d\n", (int)flen, flen > 2 && from.sun_path[0] == 0);
	flen = sizeof from;
	CHECK("recvfrom (unbound sender)", recvfrom(r, buf, 64, 0, (struct sockaddr *)&from, &flen));
	printf("  from len %d\n", (int)flen);
	CHECK("send unconnected dgram", send(u, "x", 1, 0));
	/* the receiver's queue holds 11 datagrams from a stranger */
	int i;
	for (i = 0; i < 100; i++)
		if (sendto(u, "q", 1, MSG_DONTWAIT, (struct sockaddr *)&b, rlen) < 0)
			break;
	printf("  queued %d then %s\n", i, strerror(errno));
	/* connected elsewhere: strangers get EPERM */
	CHECK("receiver connects to s", connect(r, (struct sockaddr *)&a, len));
	CHECK("stranger sends", sendto(u, "x", 1, MSG_DONTWAIT, (struct sockaddr *)&b, rlen));
	CHECK("disconnect (AF_UNSPEC)", connect(r, (struct sockaddr *)&(struct sockaddr){ .sa_family = AF_UNSPEC }, sizeof(struct sockaddr)));
	CHECK("send after disconnect", send(r, "x", 1, 0));
	close(s); close(r); close(u);
}

/* which error wins when several apply (Linux: address, size, shutdown,
 * then the peer) */
static void error_order(void)
{
	static char big[300000];
	struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = "/nonexistent/x" };
	int sv[2];
	printf("error order\n");
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	shutdown(s, SHUT_WR);
	CHECK("unconnected, SHUT_WR", send(s, "x", 1, 0));
	CHECK("unconnected, SHUT_WR, too big", send(s, big, sizeof big, 0));
	CHECK("sendto missing, SHUT_WR", sendto(s, "x", 1, 0, (void *)&a, sizeof a));
	int u = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK("unconnected", send(u, "x", 1, 0));
	CHECK("unconnected, too big", send(u, big, sizeof big, 0));
	CHECK("sendto missing", sendto(u, "x", 1, 0, (void *)&a, sizeof a));
	CHECK("sendto missing, too big", sendto(u, big, sizeof big, 0, (void *)&a, sizeof a));
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	shutdown(sv[0], SHUT_WR);
	CHECK("seqpacket, SHUT_WR", send(sv[0], "x", 1, MSG_NOSIGNAL));
	CHECK("seqpacket, SHUT_WR, too big", send(sv[0], big, sizeof big, MSG_NOSIGNAL));
	close(s); close(u); close(sv[0]); close(sv[1]);

	/* only stream sockets raise SIGPIPE with EPIPE */
	int types[] = { SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM };
	for (int i = 0; i < 3; i++) {
		char what[64];
		socketpair(AF_UNIX, types[i], 0, sv);
		shutdown(sv[0], SHUT_WR);
		sigpipes = 0;
		snprintf(what, sizeof what, "type %d, SHUT_WR", types[i]);
		CHECK(what, send(sv[0], "x", 1, 0));
		printf("  SIGPIPEs %d\n", sigpipes);
		close(sv[0]); close(sv[1]);
		socketpair(AF_UNIX, types[i], 0, sv);
		close(sv[1]);
		sigpipes = 0;
		snprintf(what, sizeof what, "type %d, peer closed", types[i]);
		CHECK(what, send(sv[0], "x", 1, 0));
		printf("  SIGPIPEs %d\n", sigpipes);
		close(sv[0]);
	}
}

static void passing(void)
{
	int sv[2], ev[2];
	char buf[64];
	printf("passing fds and credentials\n");
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	socketpair(AF_UNIX, SOCK_DGRAM, 0, ev);
	union { struct cmsghdr h; char b[CMSG_SPACE(3 * sizeof(int))]; } u;
	struct msghdr m;
	struct iovec iov = { "F", 1 };
	memset(&m, 0, sizeof m);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.b;
	m.msg_controllen = CMSG_SPACE(2 * sizeof(int));
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(2 * sizeof(int));
	((int *)CMSG_DATA(c))[0] = ev[0];
	((int *)CMSG_DATA(c))[1] = ev[1];
	CHECK("sendmsg 2 fds", sendmsg(sv[0], &m, 0));
	write(sv[0], "G", 1);
	memset(&u, 0, sizeof u);
	iov.iov_base = buf;
	iov.iov_len = 64;
	m.msg_controllen = sizeof u.b;
	CHECK("recvmsg (stops after the fds)", recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC));
	c = CMSG_FIRSTHDR(&m);
	printf("  controllen %d level %d type %d len %d flags %#x\n", (int)m.msg_controllen,
	       c ? c->cmsg_level : -1, c ? c->cmsg_type : -1, c ? (int)c->cmsg_len : -1, m.msg_flags);
	int a = ((int *)CMSG_DATA(c))[0], b = ((int *)CMSG_DATA(c))[1];
	printf("  new fds differ %d cloexec %d\n", a != ev[0] && b != ev[1], fcntl(a, F_GETFD));
	CHECK("the passed pair works", send(a, "via", 3, 0));
	CHECK("  and delivers", recv(ev[1], buf, 64, 0));
	CHECK("read the next byte", read(sv[1], buf, 64));
	close(a); close(b);

	/* too small a control buffer: MSG_CTRUNC, fds closed */
	m.msg_control = u.b;
	m.msg_controllen = CMSG_SPACE(2 * sizeof(int));
	iov.iov_base = "F";
	iov.iov_len = 1;
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(2 * sizeof(int));
	((int *)CMSG_DATA(c))[0] = ev[0];
	((int *)CMSG_DATA(c))[1] = ev[1];
	sendmsg(sv[0], &m, 0);
	iov.iov_base = buf;
	iov.iov_len = 64;
	m.msg_controllen = CMSG_LEN(sizeof(int));
	CHECK("recvmsg, room for one fd", recvmsg(sv[1], &m, 0));
	printf("  controllen %d flags %#x\n", (int)m.msg_controllen, m.msg_flags);
	close(((int *)CMSG_DATA(CMSG_FIRSTHDR(&m)))[0]);

	/* bad fds, bad types */
	m.msg_controllen = CMSG_SPACE(sizeof(int));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	*(int *)CMSG_DATA(c) = 99;
	iov.iov_base = "x";
	iov.iov_len = 1;
	CHECK("send a closed fd", sendmsg(sv[0], &m, 0));
	c->cmsg_type = 77;
	CHECK("send an unknown SCM type", sendmsg(sv[0], &m, 0));
	c->cmsg_len = 1000;
	c->cmsg_type = SCM_RIGHTS;
	CHECK("cmsg_len past the buffer", sendmsg(sv[0], &m, 0));

	/* credentials */
	int one = 1;
	setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
	write(sv[0], "c", 1);
	m.msg_control = u.b;
	m.msg_controllen = sizeof u.b;
	iov.iov_base = buf;
	iov.iov_len = 64;
	CHECK("recvmsg with SO_PASSCRED", recvmsg(sv[1], &m, 0));
	c = CMSG_FIRSTHDR(&m);
	struct ucred *uc = (struct ucred *)CMSG_DATA(c);
	printf("  type %d len %d pid is sender %d uid %d gid %d\n", c->cmsg_type, (int)c->cmsg_len,
	       uc->pid == getpid(), (int)uc->uid, (int)uc->gid);
	struct ucred mine = { getpid(), 0, 0 };
	m.msg_controllen = CMSG_SPACE(sizeof mine);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof mine);
	memcpy(CMSG_DATA(c), &mine, sizeof mine);
	iov.iov_base = "d";
	iov.iov_len = 1;
	CHECK("send explicit credentials", sendmsg(sv[0], &m, 0));
	mine.pid = 999999;
	memcpy(CMSG_DATA(c), &mine, sizeof mine);
	CHECK("claim a missing pid", sendmsg(sv[0], &m, 0));
	close(sv[0]); close(sv[1]); close(ev[0]); close(ev[1]);
}

/* sendmmsg and recvmmsg: several datagrams per call */
static void mmsg(void)
{
	int sv[2];
	char bufs[4][16];
	struct iovec iov[4];
	struct mmsghdr m[4];
	printf("sendmmsg/recvmmsg\n");
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	memset(m, 0, sizeof m);
	const char *words[] = { "one", "two!", "three" };
	for (int i = 0; i < 3; i++) {
		iov[i].iov_base = (void *)words[i];
		iov[i].iov_len = strlen(words[i]);
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	CHECK("sendmmsg 3", sendmmsg(sv[0], m, 3, 0));
	printf("  msg_len %u %u %u\n", m[0].msg_len, m[1].msg_len, m[2].msg_len);
	memset(m, 0, sizeof m);
	for (int i = 0; i < 4; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = 4;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	CHECK("recvmmsg 4, nonblocking", recvmmsg(sv[1], m, 4, MSG_DONTWAIT, NULL));
	printf("  msg_len %u %u %u, flags %#x %#x %#x\n", m[0].msg_len, m[1].msg_len, m[2].msg_len,
	       m[0].msg_hdr.msg_flags, m[1].msg_hdr.msg_flags, m[2].msg_hdr.msg_flags);
	CHECK("recvmmsg, nothing there", recvmmsg(sv[1], m, 4, MSG_DONTWAIT, NULL));
	send(sv[0], "a", 1, 0);
	send(sv[0], "b", 1, 0);
	CHECK("recvmmsg MSG_WAITFORONE", recvmmsg(sv[1], m, 4, MSG_WAITFORONE, NULL));
	struct timespec ts = { 5, 0 };
	send(sv[0], "c", 1, 0);
	CHECK("recvmmsg 1 with a timeout", recvmmsg(sv[1], m, 1, 0, &ts));
	printf("  timeout left <= 5s %d\n", ts.tv_sec <= 5);
	ts.tv_nsec = -1;
	CHECK("recvmmsg bad timeout", recvmmsg(sv[1], m, 1, 0, &ts));
	close(sv[0]);
	close(sv[1]);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && strcmp(argv[1], "--families") == 0) {
		/* the other families exist; families nobody has fail cleanly */
		CHECK("socket AF_INET", socket(AF_INET, SOCK_STREAM, 0) >= 0);
		CHECK("socket AF_INET6", socket(AF_INET6, SOCK_DGRAM, 0) >= 0);
		CHECK("socket AF_NETLINK", socket(AF_NETLINK, SOCK_RAW, 0) >= 0);
		CHECK("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, (int[2]){0}));
		CHECK("socketpair AF_INET6 dgram", socketpair(AF_INET6, SOCK_DGRAM, 0, (int[2]){0}));
		CHECK("socket family 46", socket(46, SOCK_STREAM, 0));
		CHECK("socket family -1", socket(-1, SOCK_STREAM, 0));
		return 0;
	}
	dir = argc > 1 ? argv[1] : "/tmp";
	signal(SIGPIPE, on_sigpipe);
	umask(022);
	creation();
	stream_pair();
	dgram_pair(SOCK_DGRAM);
	dgram_pair(SOCK_SEQPACKET);
	named_stream(0);
	named_stream(1);
	autobind_and_dgram_names();
	error_order();
	mmsg();
	passing();
	printf("done\n");
	return 0;
}
