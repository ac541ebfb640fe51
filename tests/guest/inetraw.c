/* inetraw: raw IPv4 sockets over the loopback (LTP socketcall01), every
 * result printed for comparison with the host (as root): names, the
 * header the kernel writes or completes (IP_HDRINCL), who receives a
 * packet, ICMP echo and its reply, ICMP_FILTER, the argument checks,
 * /proc/net/raw.
 * Identifiers are not printed: Linux draws them at random for some. */
#include "inet.h"
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <sys/mount.h>
#include <sys/stat.h>

#define PROTO 253		/* for experiments (RFC 3692): nobody else's traffic */
#ifndef SOL_RAW
#define SOL_RAW 255
#endif
#define ICMP_FILTER 1		/* <linux/icmp.h> */

static unsigned csum(const void *p, int n)
{
	const unsigned char *b = p;
	unsigned s = 0;
	for (int i = 0; i + 1 < n; i += 2)
		s += b[i] << 8 | b[i + 1];
	if (n & 1)
		s += b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

/* wait (at most 2 s) for a packet and show its IP header and payload */
static void got(const char *what, int fd)
{
	unsigned char b[256];
	struct sockaddr_in from;
	socklen_t len = sizeof from;
	struct pollfd p = { fd, POLLIN, 0 };
	poll(&p, 1, 2000);
	errno = 0;
	long n = recvfrom(fd, b, sizeof b, MSG_DONTWAIT, (struct sockaddr *)&from, &len);
	if (n < 0) {
		printf("  %-30s -1 %s\n", what, strerror(errno));
		return;
	}
	char src[32], dst[32], fr[32];
	inet_ntop(AF_INET, b + 12, src, sizeof src);
	inet_ntop(AF_INET, b + 16, dst, sizeof dst);
	inet_ntop(AF_INET, &from.sin_addr, fr, sizeof fr);
	int ihl = (b[0] & 15) * 4;
	printf("  %-30s %ld from %s port %d: v%d ihl %d tos %d len %d frag %#x ttl %d proto %d "
	       "%s -> %s csum %s", what, n, fr, ntohs(from.sin_port), b[0] >> 4, ihl, b[1],
	       b[2] << 8 | b[3], b[6] << 8 | b[7], b[8], b[9], src, dst,
	       csum(b, ihl) ? "bad" : "ok");
	if (b[9] == IPPROTO_ICMP)
		printf(" icmp type %d code %d id %#x seq %d csum %s", b[ihl], b[ihl + 1],
		       b[ihl + 4] << 8 | b[ihl + 5], b[ihl + 6] << 8 | b[ihl + 7],
		       csum(b + ihl, n - ihl) ? "bad" : "ok");
	printf(" [%.*s]\n", (int)(n - ihl - (b[9] == IPPROTO_ICMP ? 8 : 0)),
	       b + ihl + (b[9] == IPPROTO_ICMP ? 8 : 0));
}

static void basics(void)
{
	struct sockaddr_in lo = sin4("127.0.0.1", 0);
	int r = socket(AF_INET, SOCK_RAW, PROTO), s = socket(AF_INET, SOCK_RAW, PROTO);
	CHECK("socket(INET, RAW, 253)", r >= 0);
	show_name("unbound", r, 0);
	show_name("unbound", r, 1);
	CHECK("bind 127.0.0.1", bind(r, (struct sockaddr *)&lo, sizeof lo));
	show_name("bound", r, 0);
	struct sockaddr_in far = sin4("10.9.9.9", 0);
	CHECK("bind 10.9.9.9", bind(s, (struct sockaddr *)&far, sizeof far));
	CHECK("bind short", bind(s, (struct sockaddr *)&lo, 8));
	CHECK("IP_HDRINCL default", getint(s, IPPROTO_IP, IP_HDRINCL));

	CHECK("sendto 127.0.0.1", sendto(s, "hello", 5, 0, (struct sockaddr *)&lo, sizeof lo));
	got("r", r);
	got("s (its own)", s);
	got("r again", r);
	CHECK("IP_TTL 9", setint(s, IPPROTO_IP, IP_TTL, 9));
	CHECK("IP_TOS 0x10", setint(s, IPPROTO_IP, IP_TOS, 0x10));
	CHECK("sendto", sendto(s, "ttl", 3, 0, (struct sockaddr *)&lo, sizeof lo));
	got("r", r);
	got("s", s);

	/* the caller's own header: the kernel fills the source, the length
	 * and the checksum */
	CHECK("IP_HDRINCL 1", setint(s, IPPROTO_IP, IP_HDRINCL, 1));
	CHECK("IP_HDRINCL", getint(s, IPPROTO_IP, IP_HDRINCL));
	unsigned char pkt[32] = { 0x45, 0, 0, 0, 0, 0, 0x40, 0, 33, PROTO };
	inet_pton(AF_INET, "127.0.0.1", pkt + 16);
	memcpy(pkt + 20, "hdrincl", 7);
	CHECK("sendto own header", sendto(s, pkt, 27, 0, (struct sockaddr *)&lo, sizeof lo));
	got("r", r);
	got("s", s);
	CHECK("sendto own header, 19 bytes", sendto(s, pkt, 19, 0, (struct sockaddr *)&lo, sizeof lo));
	pkt[0] = 0x4f;
	CHECK("sendto ihl past the end", sendto(s, pkt, 27, 0, (struct sockaddr *)&lo, sizeof lo));
	CHECK("IP_HDRINCL 0", setint(s, IPPROTO_IP, IP_HDRINCL, 0));

	/* connected: only packets from the peer */
	int c = socket(AF_INET, SOCK_RAW, PROTO);
	struct sockaddr_in two = sin4("127.0.0.2", 0);
	CHECK("connect 127.0.0.2", connect(c, (struct sockaddr *)&two, sizeof two));
	show_name("connected", c, 0);
	show_name("connected", c, 1);
	CHECK("send (connected)", send(c, "conn", 4, 0));
	got("r (not to 127.0.0.1)", r);
	got("s", s);
	got("c (from 127.0.0.1: not its peer)", c);

	struct sockaddr_in6 a6 = sin6("::1", 0);
	CHECK("sendto AF_INET6 address", sendto(s, "x", 1, 0, (struct sockaddr *)&a6, sizeof a6));
	CHECK("sendto short address", sendto(s, "x", 1, 0, (struct sockaddr *)&lo, 8));
	CHECK("send unconnected", send(s, "x", 1, 0));
	static char big[70000];
	CHECK("sendto 70000", sendto(s, big, sizeof big, 0, (struct sockaddr *)&lo, sizeof lo));
	CHECK("MSG_OOB", sendto(s, "x", 1, MSG_OOB, (struct sockaddr *)&lo, sizeof lo));
	CHECK("getsockopt ICMP_FILTER (not ICMP)", getint(s, SOL_RAW, ICMP_FILTER));
	int raw = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	CHECK("IPPROTO_RAW IP_HDRINCL", getint(raw, IPPROTO_IP, IP_HDRINCL));
	CHECK("socket(INET, RAW, 0)", socket(AF_INET, SOCK_RAW, 0));
	close(raw);
	close(c);
	close(r);
	close(s);
}

static void echo(unsigned short seq, int fd)
{
	unsigned char m[16] = { ICMP_ECHO, 0, 0, 0, 0x12, 0x34, seq >> 8, seq & 255 };
	memcpy(m + 8, "pingpong", 8);
	unsigned c = csum(m, sizeof m);
	m[2] = c >> 8;
	m[3] = c & 255;
	struct sockaddr_in lo = sin4("127.0.0.1", 0);
	CHECK("sendto echo request", sendto(fd, m, sizeof m, 0, (struct sockaddr *)&lo, sizeof lo));
}

static void icmp(void)
{
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	CHECK("socket(INET, RAW, ICMP)", fd >= 0);
	/* only our echo's request and reply (the host may see other ICMP) */
	echo(1, fd);
	got("request", fd);
	got("reply", fd);
	CHECK("getsockopt ICMP_FILTER", getint(fd, SOL_RAW, ICMP_FILTER));
	CHECK("ICMP_FILTER: no requests", setint(fd, SOL_RAW, ICMP_FILTER, 1 << ICMP_ECHO));
	CHECK("getsockopt ICMP_FILTER", getint(fd, SOL_RAW, ICMP_FILTER));
	echo(2, fd);
	got("reply", fd);
	got("nothing more", fd);
	unsigned char bad[8] = { ICMP_ECHO };
	struct sockaddr_in lo = sin4("127.0.0.1", 0);
	CHECK("sendto request, bad checksum", sendto(fd, bad, 8, 0, (struct sockaddr *)&lo, sizeof lo));
	got("no reply", fd);
	close(fd);
}

/* our raw sockets in /proc/net/raw (protocol 253: port 00FD), without
 * the slot, inode and pointer (the host's differ) */
static void proc(void)
{
	if (access("/proc/net/raw", F_OK) < 0) {		/* pyuml's initramfs */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	int fd = socket(AF_INET, SOCK_RAW, PROTO);
	struct sockaddr_in lo = sin4("127.0.0.1", 0);
	bind(fd, (struct sockaddr *)&lo, sizeof lo);
	sendto(fd, "queued", 6, 0, (struct sockaddr *)&lo, sizeof lo);
	FILE *f = fopen("/proc/net/raw", "r");
	char line[512], local[32], rem[32], st[8], q[32], uid[16];
	int header = 1;
	while (f && fgets(line, sizeof line, f)) {
		if (header) {
			printf("  header [%s", line);
			header = 0;
			continue;
		}
		/* (the queue's bytes: only whether there are some; small skbs
		 * are charged from a slab cache of their own on the host) */
		if (sscanf(line, "%*s %31s %31s %7s %31s %*s %*s %15s", local, rem, st, q, uid) == 5 &&
		    strstr(local, ":00FD"))
			printf("  %s %s %s %.9s rx %s uid %s\n", local, rem, st, q,
			       strcmp(q + 9, "00000000") ? "some" : "none", uid);
	}
	if (f)
		fclose(f);
	close(fd);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 1; i < argc; i++) {
		printf("== %s\n", argv[i]);
		if (!strcmp(argv[i], "basics"))
			basics();
		else if (!strcmp(argv[i], "icmp"))
			icmp();
		else if (!strcmp(argv[i], "proc"))
			proc();
	}
	printf("done\n");
	return 0;
}
