/*
 * tests/guest/inet.h - helpers for the AF_INET/AF_INET6 guests.
 *
 * Every result is printed (value, or -1 and the errno's text) so that the
 * native run and the pyuml run can be compared line by line.  Ports are
 * never printed: the host chooses them (tests bind port 0 and pass what
 * getsockname says), so only their properties are (nonzero, parity).
 */
#ifndef INET_H
#define INET_H
#include "procs.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#ifndef SIOCINQ
#define SIOCINQ FIONREAD
#define SIOCOUTQ TIOCOUTQ
#endif

#undef CHECK
#define CHECK(what, expr) do { errno = 0; long _r = (long)(expr); \
	printf("%-44s %ld %s\n", what, _r, _r < 0 ? strerror(errno) : ""); } while (0)

static inline void pmask(const char *what, int fd)
{
	struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDHUP | POLLPRI, 0 };
	int n = poll(&p, 1, 0);
	printf("  poll %-38s %d %#x\n", what, n, p.revents);
}

static int sigpipes;

static inline void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static inline void show_sigpipes(const char *what)
{
	printf("  sigpipes after %-30s %d\n", what, sigpipes);
}

static inline struct sockaddr_in sin4(const char *addr, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	inet_pton(AF_INET, addr, &a.sin_addr);
	return a;
}

static inline struct sockaddr_in6 sin6(const char *addr, int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	inet_pton(AF_INET6, addr, &a.sin6_addr);
	return a;
}

static inline int port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* an address as text, without the port: "AF_INET 127.0.0.1 len 16" */
static inline void show_name(const char *what, int fd, int peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char buf[64] = "";
	memset(&ss, 0x5a, sizeof ss);
	int r = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
		     : getsockname(fd, (struct sockaddr *)&ss, &len);
	if (r < 0) {
		printf("  %-8s %-36s -1 %s\n", peer ? "peer" : "name", what, strerror(errno));
		return;
	}
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
		printf("  %-8s %-36s AF_INET %s port %s len %d zero %d\n", peer ? "peer" : "name",
		       what, buf, a->sin_port ? "set" : "0", (int)len,
		       !memcmp(a->sin_zero, "\0\0\0\0\0\0\0\0", 8));
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
		printf("  %-8s %-36s AF_INET6 %s port %s flow %u scope %u len %d\n",
		       peer ? "peer" : "name", what, buf, a->sin6_port ? "set" : "0",
		       a->sin6_flowinfo, a->sin6_scope_id, (int)len);
	} else
		printf("  %-8s %-36s family %d len %d\n", peer ? "peer" : "name", what,
		       ss.ss_family, (int)len);
}

static inline int getint(int fd, int level, int opt)
{
	int v = -12345;
	socklen_t len = sizeof v;
	if (getsockopt(fd, level, opt, &v, &len) < 0)
		return -errno * 1000;
	return v;
}

static inline int setint(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof v);
}

static inline int inq(int fd)
{
	int v = -1;
	if (ioctl(fd, SIOCINQ, &v) < 0)
		return -errno * 1000;
	return v;
}

static inline int outq(int fd)
{
	int v = -1;
	if (ioctl(fd, SIOCOUTQ, &v) < 0)
		return -errno * 1000;
	return v;
}

/* a listener on 127.0.0.1 (or ::1), port chosen by the kernel */
static inline int listener(int family, int backlog, int reuse)
{
	int fd = socket(family, SOCK_STREAM, 0);
	if (reuse)
		setint(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (family == AF_INET6) {
		struct sockaddr_in6 a = sin6("::1", 0);
		bind(fd, (struct sockaddr *)&a, sizeof a);
	} else {
		struct sockaddr_in a = sin4("127.0.0.1", 0);
		bind(fd, (struct sockaddr *)&a, sizeof a);
	}
	listen(fd, backlog);
	return fd;
}

static inline int connect_to(int fd, int family, int port)
{
	if (family == AF_INET6) {
		struct sockaddr_in6 a = sin6("::1", port);
		return connect(fd, (struct sockaddr *)&a, sizeof a);
	}
	struct sockaddr_in a = sin4("127.0.0.1", port);
	return connect(fd, (struct sockaddr *)&a, sizeof a);
}

static inline unsigned sum(const unsigned char *b, long n)
{
	unsigned s = 0;
	for (long i = 0; i < n; i++)
		s = s * 31 + b[i];
	return s;
}
#endif
