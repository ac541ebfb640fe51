/* sockowner: a socket's SIGIO owner through ioctl (FIOSETOWN, SIOCSPGRP,
 * FIOGETOWN, SIOCGPGRP) is the file's F_SETOWN owner (fcntl F_GETOWN,
 * F_GETOWN_EX read it back, SIGIO goes to it), as in Linux's sock_ioctl,
 * which calls f_setown/f_getown.  Compared with the host kernel.
 * Pids are printed as "is it getpid()/getpgrp()/gettid()": they differ
 * between the two runs. */
#define _GNU_SOURCE
#include "procs.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

static sigset_t waitset;

/* an owner as read back: which of ours it is */
static const char *who(int v)
{
	if (v == 0)
		return "none";
	if (v == getpid())
		return "pid";
	if (v == -getpgrp())
		return "-pgrp";
	if (v == gettid())
		return "tid";
	return "other";
}

/* F_GETOWN of a group is negative: the libcs differ on what they make of
 * it (-pgrp, or -1 when it looks like an errno), so only its sign */
static void show_owner(const char *what, int fd)
{
	int v = 12345, g = 12345;
	struct f_owner_ex ex = { 7, 12345 };
	int r1 = ioctl(fd, FIOGETOWN, &v);
	int r2 = ioctl(fd, SIOCGPGRP, &g);
	int r3 = fcntl(fd, F_GETOWN);
	int r4 = fcntl(fd, F_GETOWN_EX, &ex);
	printf("  %s: FIOGETOWN %d %s, SIOCGPGRP %d %s, F_GETOWN %s, F_GETOWN_EX %d type %d %s\n",
	       what, r1, who(v), r2, who(g), r3 < 0 ? "negative" : who(r3), r4, ex.type,
	       ex.pid == getpid() ? "pid" : ex.pid == getpgrp() ? "pgrp" : ex.pid == 0 ? "0" : "other");
}

static int set_ioctl(int fd, unsigned long cmd, int v)
{
	return ioctl(fd, cmd, &v);
}

static void owners(const char *name, int fd)
{
	printf("%s\n", name);
	show_owner("fresh", fd);
	SHOW(set_ioctl(fd, FIOSETOWN, getpid()));
	show_owner("FIOSETOWN pid", fd);
	SHOW(fcntl(fd, F_SETOWN, -getpgrp()));
	show_owner("F_SETOWN -pgrp", fd);
	SHOW(set_ioctl(fd, SIOCSPGRP, getpid()));
	show_owner("SIOCSPGRP pid", fd);
	SHOW(set_ioctl(fd, SIOCSPGRP, -getpgrp()));
	show_owner("SIOCSPGRP -pgrp", fd);
	struct f_owner_ex ex = { F_OWNER_TID, gettid() };
	SHOW(fcntl(fd, F_SETOWN_EX, &ex));
	show_owner("F_SETOWN_EX tid", fd);
	SHOW(set_ioctl(fd, FIOSETOWN, 0));
	show_owner("FIOSETOWN 0", fd);
	SHOW(fcntl(fd, F_SETOWN, getpid()));
	/* errors leave the owner as it was */
	SHOW(set_ioctl(fd, FIOSETOWN, 4000000));
	SHOW(set_ioctl(fd, SIOCSPGRP, -4000000));
	SHOW(set_ioctl(fd, FIOSETOWN, INT_MIN));
	SHOW(ioctl(fd, FIOSETOWN, (void *)8));
	SHOW(ioctl(fd, FIOGETOWN, (void *)8));
	show_owner("after the errors", fd);
}

/* wait (at most 10 s: a safety net) for SIGIO */
static void expect(const char *what)
{
	struct timespec ts = { 10, 0 };
	siginfo_t si;
	int s = sigtimedwait(&waitset, &si, &ts);
	if (s < 0)
		printf("%s: no signal (%s)\n", what, strerror(errno));
	else
		printf("%s: %s code %d\n", what, s == SIGIO ? "SIGIO" : "other", si.si_code);
}

static void nothing(const char *what)
{
	struct timespec ts = { 0, 100000000 };
	siginfo_t si;
	int s = sigtimedwait(&waitset, &si, &ts);
	printf("%s: %s\n", what, s < 0 ? "no signal" : "a signal");
}

static void async_on(int fd)
{
	int on = 1;
	ioctl(fd, FIOASYNC, &on);
}

static void sigio(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	SHOW(set_ioctl(sv[1], FIOSETOWN, getpid()));
	async_on(sv[1]);
	write(sv[0], "x", 1);
	expect("unix stream, FIOSETOWN pid");
	/* the owner taken away by fcntl: no signal */
	SHOW(fcntl(sv[1], F_SETOWN, 0));
	write(sv[0], "y", 1);
	nothing("unix stream, F_SETOWN 0");
	/* set by fcntl, cleared by ioctl */
	SHOW(fcntl(sv[1], F_SETOWN, getpid()));
	SHOW(set_ioctl(sv[1], FIOSETOWN, 0));
	write(sv[0], "z", 1);
	nothing("unix stream, FIOSETOWN 0");
	close(sv[0]);
	close(sv[1]);

	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	SHOW(set_ioctl(sv[1], SIOCSPGRP, -getpgrp()));
	async_on(sv[1]);
	send(sv[0], "x", 1, 0);
	expect("unix dgram, SIOCSPGRP -pgrp");
	close(sv[0]);
	close(sv[1]);

	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	bind(u, (struct sockaddr *)&a, sizeof a);
	getsockname(u, (struct sockaddr *)&a, &len);
	SHOW(set_ioctl(u, FIOSETOWN, getpid()));
	async_on(u);
	int c = socket(AF_INET, SOCK_DGRAM, 0);
	sendto(c, "x", 1, 0, (struct sockaddr *)&a, sizeof a);
	expect("udp, FIOSETOWN pid");
	close(c);
	close(u);

	int l = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_port = 0;
	bind(l, (struct sockaddr *)&a, sizeof a);
	len = sizeof a;
	getsockname(l, (struct sockaddr *)&a, &len);
	listen(l, 4);
	SHOW(set_ioctl(l, SIOCSPGRP, getpid()));
	SHOW(fcntl(l, F_SETFL, fcntl(l, F_GETFL) | O_ASYNC));
	c = socket(AF_INET, SOCK_STREAM, 0);
	SHOW(connect(c, (struct sockaddr *)&a, sizeof a));
	expect("tcp listener, SIOCSPGRP pid");
	int s = accept(l, NULL, NULL);
	SHOW(set_ioctl(s, FIOSETOWN, getpid()));
	async_on(s);
	write(c, "x", 1);
	expect("tcp connection, FIOSETOWN pid");
	close(s);
	close(c);
	close(l);
}

int main(void)
{
	test_as_child();
	/* a process group of our own: SIGIO to the group reaches only us */
	setpgid(0, 0);
	printf("own group: %d\n", getpgrp() == getpid());
	sigemptyset(&waitset);
	sigaddset(&waitset, SIGIO);
	sigprocmask(SIG_BLOCK, &waitset, NULL);

	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	owners("unix stream", sv[0]);
	close(sv[0]);
	close(sv[1]);
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	owners("unix dgram", sv[1]);
	close(sv[0]);
	close(sv[1]);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	owners("tcp", fd);
	close(fd);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	owners("udp", fd);
	close(fd);
	/* not a socket: FIOSETOWN is sock_ioctl's */
	int p[2];
	pipe(p);
	SHOW(set_ioctl(p[0], FIOSETOWN, getpid()));
	SHOW(ioctl(p[0], FIOGETOWN, &fd));

	sigio();
	printf("done\n");
	return 0;
}
