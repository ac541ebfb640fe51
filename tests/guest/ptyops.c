/* ptyops: feed bytes to a pty's line discipline and print everything that
 * comes out, for the hypothesis tests of n_tty.
 *   argv[1..3]: c_iflag c_oflag c_lflag (octal) for the slave
 *   argv[4], argv[5]: VMIN VTIME
 *   argv[6...]: chunks of input, hex, written to the master one by one;
 *   a chunk "w" writes the next chunk to the slave instead (output path).
 * After each chunk: what the master reads (echoes, output) and what each
 * non-blocking read of the slave returns, escaped. */
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

static void esc(const char *what, const unsigned char *b, long n)
{
	printf("%s %ld '", what, n);
	for (long i = 0; i < n; i++) {
		if (b[i] >= 32 && b[i] < 127 && b[i] != '\\' && b[i] != '\'')
			putchar(b[i]);
		else
			printf("\\x%02x", b[i]);
	}
	printf("'\n");
}

static int unhex(const char *s, unsigned char *out)
{
	int n = 0;
	while (s[0] && s[1]) {
		unsigned v;
		sscanf(s, "%2x", &v);
		out[n++] = v;
		s += 2;
	}
	return n;
}

static void settle(void)
{
	/* Linux moves pty bytes through work queues: let them arrive */
	struct timespec d = { 0, 3 * 1000 * 1000 };
	nanosleep(&d, NULL);
}

static void settle_until_quiet(int m, int s)
{
	/* Linux's echo travels two work queues (slave ldisc, then master):
	 * under load 3 ms is not always enough.  Wait until what both sides
	 * hold has not changed for 8 looks 2 ms apart (at most ~1 s). */
	struct timespec d = { 0, 2 * 1000 * 1000 };
	int last_m = -1, last_s = -1, same = 0;
	for (int i = 0; i < 500 && same < 8; i++) {
		int qm = -1, qs = -1;
		nanosleep(&d, NULL);
		ioctl(m, FIONREAD, &qm);
		ioctl(s, FIONREAD, &qs);
		same = (qm == last_m && qs == last_s) ? same + 1 : 0;
		last_m = qm;
		last_s = qs;
	}
}

static void drain(int m, int s)
{
	static unsigned char buf[70000];
	long r;
	settle_until_quiet(m, s);
	while ((r = read(m, buf, sizeof buf)) > 0)
		esc("  master", buf, r);
	for (int i = 0; i < 64; i++) {
		settle();
		r = read(s, buf, sizeof buf);
		if (r < 0) {
			if (errno != EAGAIN)
				printf("  slave error %s\n", strerror(errno));
			break;
		}
		esc("  slave", buf, r);
		if (r == 0)
			break;
	}
	int q = -1;
	ioctl(s, FIONREAD, &q);
	struct pollfd p[2] = { { m, POLLIN | POLLOUT, 0 }, { s, POLLIN | POLLOUT, 0 } };
	poll(p, 2, 0);
	printf("  inq %d poll %#x %#x\n", q, p[0].revents, p[1].revents);
}

int main(int argc, char **argv)
{
	if (argc < 6)
		return 2;
	setvbuf(stdout, NULL, _IONBF, 0);
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (m < 0 || unlockpt(m) < 0) {
		printf("ptmx: %s\n", strerror(errno));
		return 1;
	}
	int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (s < 0) {
		printf("TIOCGPTPEER: %s\n", strerror(errno));
		return 1;
	}
	struct termios t;
	tcgetattr(s, &t);
	t.c_iflag = strtoul(argv[1], NULL, 8);
	t.c_oflag = strtoul(argv[2], NULL, 8);
	t.c_lflag = strtoul(argv[3], NULL, 8);
	t.c_cc[VMIN] = atoi(argv[4]);
	t.c_cc[VTIME] = atoi(argv[5]);
	tcsetattr(s, TCSANOW, &t);
	static unsigned char in[70000];
	int to_slave = 0;
	for (int i = 6; i < argc; i++) {
		if (!strcmp(argv[i], "w")) {
			to_slave = 1;
			continue;
		}
		int n = unhex(argv[i], in);
		long r = write(to_slave ? s : m, in, n);
		printf("%s %d -> %ld\n", to_slave ? "slave write" : "master write", n, r);
		to_slave = 0;
		drain(m, s);
	}
	return 0;
}
