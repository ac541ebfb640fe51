/*
 * sockfuzz: socket system calls with hostile arguments, on a fixed set of
 * sockets, printing what each returns (the hypothesis test compares the
 * output with the host's and looks for oopses).
 *
 * argv[1] names a file of records: eight little-endian 64-bit words, the
 * system call number and six arguments.  An argument with top byte 0xA5
 * is an address: byte 6 = 1 is "out + low bits" (a writable buffer),
 * byte 6 = 2 is "template k" (a 128-byte slot holding a sockaddr, a
 * msghdr, an option value ... restored before every call, so that what a
 * call writes cannot steer a later one anywhere but the loopback), other
 * values are "scratch + low bits" (unmapped: EFAULT).  Sockets start at
 * fd 4 (see setup(); 3 is the file); after every call every fd is made
 * non-blocking, so no call can wait.  Results are numbers or errno names, never addresses or
 * ports, which differ between runs.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <signal.h>
#include <stddef.h>

#ifdef __i386__
#define SCRATCH 0x30000000UL
#else
#define SCRATCH 0x300000000UL
#endif
#define NTEMPL 20

static unsigned char out[1 << 16] __attribute__((aligned(4096)));
static unsigned char templ[NTEMPL][128] __attribute__((aligned(4096)));
static unsigned char saved[NTEMPL][128];

static unsigned long arg(uint64_t v)
{
	if (v >> 56 != 0xA5)
		return v;
	uint64_t off = v & 0xffffffffffULL;
	int kind = v >> 48 & 0xff;
	if (kind == 1)
		return (unsigned long)out + off % sizeof(out);
	if (kind == 2)
		return (unsigned long)templ[off % NTEMPL];
	return SCRATCH + off % (1 << 20);
}

static int port_of(int fd)
{
	struct sockaddr_in6 a;
	socklen_t len = sizeof a;
	getsockname(fd, (struct sockaddr *)&a, &len);
	return a.sin6_port;                 /* network order, same place for both families */
}

/* a socket bound to a port whose low byte is below 0x80: a template read
 * as an int (a length) then has the same sign natively and under pyuml */
static int bound(int family, int type, void *addr, socklen_t len)
{
	for (int i = 0; i < 64; i++) {
		int fd = socket(family, type, 0);
		bind(fd, addr, len);
		if (!(ntohs(port_of(fd)) & 0x80))
			return fd;
		close(fd);
	}
	return -1;
}

static void setup(void)
{
	/* 4 TCP listener 127.0.0.1, 5 UDP 127.0.0.1, 6 TCP listener ::1,
	 * 7 UDP ::, 8 netlink, 9 unix stream listener, 10 TCP connected to 4,
	 * 11 its accepted end, 12/13 connected UDP, 14 unbound TCP, 15 unbound UDP6 */
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int l = bound(AF_INET, SOCK_STREAM, &a, sizeof a);
	listen(l, 4);
	int u = bound(AF_INET, SOCK_DGRAM, &a, sizeof a);
	int l6 = bound(AF_INET6, SOCK_STREAM, &a6, sizeof a6);
	listen(l6, 4);
	int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 any6 = { .sin6_family = AF_INET6 };
	bind(u6, (struct sockaddr *)&any6, sizeof any6);
	socket(AF_NETLINK, SOCK_RAW, 0);
	int x = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	memcpy(un.sun_path, "\0sockfuzz", 9);
	bind(x, (struct sockaddr *)&un, offsetof(struct sockaddr_un, sun_path) + 9);
	listen(x, 4);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in la = a;
	la.sin_port = port_of(l);
	connect(c, (struct sockaddr *)&la, sizeof la);
	accept(l, NULL, NULL);
	int d1 = socket(AF_INET, SOCK_DGRAM, 0), d2 = socket(AF_INET, SOCK_DGRAM, 0);
	bind(d1, (struct sockaddr *)&a, sizeof a);
	bind(d2, (struct sockaddr *)&a, sizeof a);
	struct sockaddr_in p1 = a, p2 = a;
	p1.sin_port = port_of(d1);
	p2.sin_port = port_of(d2);
	connect(d1, (struct sockaddr *)&p2, sizeof p2);
	connect(d2, (struct sockaddr *)&p1, sizeof p1);
	socket(AF_INET, SOCK_STREAM, 0);
	socket(AF_INET6, SOCK_DGRAM, 0);

	/* the templates */
	struct sockaddr_in *t0 = (void *)templ[0];
	*t0 = a, t0->sin_port = port_of(l);
	struct sockaddr_in *t1 = (void *)templ[1];
	*t1 = a, t1->sin_port = port_of(u);
	struct sockaddr_in6 *t2 = (void *)templ[2];
	*t2 = a6, t2->sin6_port = port_of(l6);
	struct sockaddr_in6 *t3 = (void *)templ[3];
	*t3 = (struct sockaddr_in6){ .sin6_family = AF_INET6, .sin6_port = port_of(l) };
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &t3->sin6_addr);
	((struct sockaddr *)templ[4])->sa_family = AF_UNSPEC;
	((struct sockaddr *)templ[5])->sa_family = AF_NETLINK;
	memcpy(templ[6], &un, sizeof un);
	((struct sockaddr *)templ[7])->sa_family = 99;
	*(int *)templ[8] = 1;
	*(int *)templ[9] = -1;
	struct iovec *iov = (void *)(templ[10] + 64);
	iov->iov_base = templ[12];
	iov->iov_len = 64;
	*(struct msghdr *)templ[10] = (struct msghdr){ .msg_name = templ[1], .msg_namelen = 16,
						       .msg_iov = iov, .msg_iovlen = 1 };
	struct iovec *iov2 = (void *)(templ[11] + 64);
	iov2->iov_base = (void *)SCRATCH;
	iov2->iov_len = 100;
	*(struct msghdr *)templ[11] = (struct msghdr){ .msg_iov = iov2, .msg_iovlen = 1 };
	memcpy(templ[12], "hello, world: sixty-four bytes of payload for the socket calls!!", 64);
	*(struct linger *)templ[13] = (struct linger){ 1, 0 };
	*(struct timeval *)templ[14] = (struct timeval){ 0, 1000 };
	strcpy((char *)templ[15], "lo");
	*(struct sockaddr_in *)(templ[15] + 16) = a;
	struct { int len; void *buf; } *ifc = (void *)templ[16];
	ifc->len = 40;
	ifc->buf = out;
	struct sockaddr_in *t17 = (void *)templ[17];
	*t17 = a, t17->sin_addr.s_addr = htonl(0x7f000002);
	struct sockaddr_in6 *t18 = (void *)templ[18];
	*t18 = any6;
	struct sockaddr_in *t19 = (void *)templ[19];
	*t19 = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = port_of(u) };
	memcpy(saved, templ, sizeof saved);
}

#ifdef __i386__
/* The records name x86_64 system calls; an i386 build makes the same call
 * by its i386 number, or (when the record's last word says so, and always
 * for accept, which has no number of its own) through socketcall(2). */
static const struct { int nr64, nr32, sc; } i386_calls[] = {
	{ 41, 359, 1 }, { 49, 361, 2 }, { 42, 362, 3 }, { 50, 363, 4 }, { 43, 0, 5 },
	{ 51, 367, 6 }, { 52, 368, 7 }, { 53, 360, 8 }, { 44, 369, 11 }, { 45, 371, 12 },
	{ 48, 373, 13 }, { 54, 366, 14 }, { 55, 365, 15 }, { 46, 370, 16 }, { 47, 372, 17 },
	{ 288, 364, 18 }, { 299, 337, 19 }, { 307, 345, 20 }, { 16, 54, 0 }, { 3, 6, 0 },
};

static long do_call(uint64_t *rec)
{
	unsigned long a[6];
	for (int i = 0; i < 6; i++)
		a[i] = arg(rec[i + 1]);
	for (unsigned i = 0; i < sizeof i386_calls / sizeof i386_calls[0]; i++) {
		if (i386_calls[i].nr64 != (int)rec[0])
			continue;
		if (i386_calls[i].sc && (rec[7] || !i386_calls[i].nr32))
			return syscall(102, i386_calls[i].sc, a);
		return syscall(i386_calls[i].nr32, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	errno = ENOSYS;
	return -1;
}
#else
static long do_call(uint64_t *rec)
{
	return syscall(rec[0], arg(rec[1]), arg(rec[2]), arg(rec[3]), arg(rec[4]),
		       arg(rec[5]), arg(rec[6]));
}
#endif

int main(int argc, char **argv)
{
	FILE *f = fopen(argv[1], "rb");
	uint64_t rec[8];
	int n = 0;
	if (!f)
		return 2;
	setvbuf(stdout, 0, _IOLBF, 0);
	setup();
	signal(SIGPIPE, SIG_IGN);
	for (int fd = 3; fd < 64; fd++)
		fcntl(fd, F_SETFL, O_NONBLOCK);
	while (fread(rec, 8, 8, f) == 8) {
		memcpy(templ, saved, sizeof saved);
		errno = 0;
		long r = do_call(rec);
		if (r < 0)
			printf("%d: %lu -> %s\n", n, (unsigned long)rec[0], strerror(errno));
		else
			printf("%d: %lu -> %ld\n", n, (unsigned long)rec[0],
			       (rec[0] == 41 || rec[0] == 43 || rec[0] == 288) ? (r > 2) : r);
		for (int fd = 3; fd < 64; fd++)
			fcntl(fd, F_SETFL, O_NONBLOCK);
		n++;
	}
	return 0;
}
