/* ttyioctl: terminal ioctls on a pty pair, compared with the host: flushing,
 * output flow control, settings through master and slave, speeds, window
 * size, line discipline, lock and number, fake input, hang-up. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* the kernel's struct termios2 (<asm/termbits.h> is not in every libc) */
struct termios2 {
	unsigned c_iflag, c_oflag, c_cflag, c_lflag;
	unsigned char c_line, c_cc[19];
	unsigned c_ispeed, c_ospeed;
};
#undef TCGETS2
#undef TCSETS2
#define TCGETS2 _IOR('T', 0x2A, struct termios2)
#define TCSETS2 _IOW('T', 0x2B, struct termios2)
#ifndef BOTHER
#define BOTHER 0010000
#endif

#define CHECK(what, expr) do { long _r = (long)(expr); \
	printf("%-40s %ld %s\n", what, _r, _r < 0 ? strerror(errno) : ""); } while (0)

static void settle(void)
{
	struct timespec d = { 0, 3 * 1000 * 1000 };
	nanosleep(&d, NULL);
}

/* Wait until fd has input (at most a second): the host's tty moves
 * written bytes to the line discipline from a work queue, later when
 * the machine is loaded; a fixed sleep made the native run racy. */
static void wait_input(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	poll(&p, 1, ms);
}

static void show_read(const char *what, int fd)
{
	char buf[256];
	settle();
	wait_input(fd, 200);
	long n = read(fd, buf, sizeof buf);
	printf("%-40s %ld", what, n);
	if (n < 0)
		printf(" %s", strerror(errno));
	for (long i = 0; i < n; i++)
		printf(" %02x", (unsigned char)buf[i]);
	printf("\n");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_NONBLOCK);
	int lock = -1, n = -1;
	CHECK("TIOCGPTLCK", ioctl(m, TIOCGPTLCK, &lock));
	printf("  locked %d\n", lock);
	CHECK("TIOCGPTPEER while locked", ioctl(m, TIOCGPTPEER, O_RDWR));
	lock = 0;
	CHECK("TIOCSPTLCK 0", ioctl(m, TIOCSPTLCK, &lock));
	CHECK("TIOCGPTN", ioctl(m, TIOCGPTN, &n));
	int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK);
	printf("peer opened %d\n", s >= 0);
	unsigned dev = 0;
	CHECK("TIOCGDEV on the slave", ioctl(s, TIOCGDEV, &dev));
	printf("  major %u minor is TIOCGPTN %d\n", (dev >> 8) & 0xfff, (int)((dev & 0xff) | ((dev >> 12) & ~0xff)) == n);

	/* settings made through the master are the slave's */
	struct termios2 t2;
	CHECK("TCGETS2 master", ioctl(m, TCGETS2, &t2));
	printf("  iflag %o oflag %o cflag %o lflag %o ispeed %u ospeed %u\n", t2.c_iflag, t2.c_oflag,
	       t2.c_cflag, t2.c_lflag, t2.c_ispeed, t2.c_ospeed);
	struct termios t;
	ioctl(s, TCGETS, &t);
	t.c_cflag = (t.c_cflag & ~CBAUD) | B9600;
	t.c_lflag &= ~ECHO;
	CHECK("TCSETS B9600 -echo on the slave", ioctl(s, TCSETS, &t));
	ioctl(m, TCGETS2, &t2);
	printf("  via master: cflag %o lflag %o ispeed %u ospeed %u\n", t2.c_cflag, t2.c_lflag,
	       t2.c_ispeed, t2.c_ospeed);
	t2.c_cflag = (t2.c_cflag & ~CBAUD) | BOTHER;
	t2.c_ospeed = t2.c_ispeed = 12345;
	CHECK("TCSETS2 BOTHER 12345", ioctl(s, TCSETS2, &t2));
	ioctl(s, TCGETS2, &t2);
	printf("  ispeed %u ospeed %u\n", t2.c_ispeed, t2.c_ospeed);

	/* window size set on the master */
	struct winsize ws = { 33, 77, 0, 0 }, ws2;
	CHECK("TIOCSWINSZ master", ioctl(m, TIOCSWINSZ, &ws));
	ioctl(s, TIOCGWINSZ, &ws2);
	printf("  slave sees %dx%d\n", ws2.ws_col, ws2.ws_row);

	/* line discipline */
	int ld = -1;
	CHECK("TIOCGETD", ioctl(s, TIOCGETD, &ld));
	printf("  ldisc %d\n", ld);
	ld = 0;
	CHECK("TIOCSETD N_TTY", ioctl(s, TIOCSETD, &ld));

	/* flushing input */
	write(m, "pending\n", 8);
	wait_input(s, 1000);
	int q = -1;
	ioctl(s, FIONREAD, &q);
	printf("FIONREAD %d\n", q);
	CHECK("TCFLSH TCIFLUSH", ioctl(s, TCFLSH, TCIFLUSH));
	ioctl(s, FIONREAD, &q);
	printf("FIONREAD after flush %d\n", q);
	CHECK("TCFLSH bad", ioctl(s, TCFLSH, 9));
	write(m, "again\n", 6);
	wait_input(s, 1000);
	ioctl(s, TCGETS, &t);
	CHECK("TCSETSF (flushes input)", ioctl(s, TCSETSF, &t));
	show_read("slave read after TCSETSF", s);

	/* output flow control from the program */
	CHECK("TCXONC TCOOFF", ioctl(s, TCXONC, TCOOFF));
	CHECK("write while stopped", write(s, "held", 4));
	show_read("master read while stopped", m);
	struct pollfd p = { s, POLLOUT, 0 };
	poll(&p, 1, 0);
	printf("slave POLLOUT while stopped %d\n", !!(p.revents & POLLOUT));
	write(m, "\x11", 1);                    /* ^Q does not undo TCOOFF */
	show_read("master read after ^Q", m);
	CHECK("TCXONC TCOON", ioctl(s, TCXONC, TCOON));
	CHECK("write after TCOON", write(s, "go", 2));
	show_read("master read", m);
	CHECK("TCXONC TCIOFF", ioctl(s, TCXONC, TCIOFF));
	show_read("master sees STOP char", m);
	CHECK("TCXONC bad", ioctl(s, TCXONC, 7));

	/* fake input */
	char c = 'z';
	CHECK("TIOCSTI", ioctl(s, TIOCSTI, &c));
	t.c_lflag &= ~ICANON;
	ioctl(s, TCSETS, &t);
	show_read("slave read", s);
	int outq = -1;
	CHECK("TIOCOUTQ", ioctl(s, TIOCOUTQ, &outq));
	printf("  outq %d\n", outq);
	CHECK("unknown ioctl", ioctl(s, 0x54FF, 0));
	CHECK("TIOCGSID, not our ctty", ioctl(s, TIOCGSID, &n));
	CHECK("TIOCGPGRP, not our ctty", ioctl(s, TIOCGPGRP, &n));

	/* hang-up */
	CHECK("TIOCVHANGUP", ioctl(s, TIOCVHANGUP));
	show_read("hung-up slave read", s);
	CHECK("hung-up slave write", write(s, "x", 1));
	CHECK("hung-up slave TCGETS", ioctl(s, TCGETS, &t));
	p.events = POLLIN | POLLOUT;
	poll(&p, 1, 0);
	printf("hung-up slave poll %#x\n", p.revents);
	printf("done\n");
	return 0;
}
