/* console: an interactive program on the console, driven by a test through
 * a host pseudo-terminal (tests/test_tty_console.py).  As pid 1 it is a
 * session leader: it takes the console as its controlling terminal, reads
 * an edited line, is interrupted by ^C, reads raw keys, and reports the
 * window size.  Each step prints a marker the test waits for. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static volatile int got;
static void handler(int sig) { got = sig; }

static void say(const char *s) { write(1, s, strlen(s)); }

int main(void)
{
	char buf[256], msg[512];
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);

	int r = ioctl(0, TIOCSCTTY, 0);
	snprintf(msg, sizeof msg, "ctty %d pgrp %d\n", r, (int)tcgetpgrp(0));
	say(msg);

	say("line> ");
	long n = read(0, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	snprintf(msg, sizeof msg, "got %ld [%s]\n", n, buf);
	say(msg);

	got = 0;
	say("interrupt> ");
	n = read(0, buf, sizeof buf);
	snprintf(msg, sizeof msg, "read %ld %s, signal %d\n", n, n < 0 ? strerror(errno) : "", got);
	say(msg);

	struct termios old, raw;
	tcgetattr(0, &old);
	raw = old;
	cfmakeraw(&raw);
	tcsetattr(0, TCSANOW, &raw);
	say("raw> ");
	n = read(0, buf, 3);
	tcsetattr(0, TCSANOW, &old);
	snprintf(msg, sizeof msg, "\nraw %ld:", n);
	say(msg);
	for (long i = 0; i < n; i++) {
		snprintf(msg, sizeof msg, " %02x", (unsigned char)buf[i]);
		say(msg);
	}
	say("\n");

	struct winsize ws;
	ioctl(0, TIOCGWINSZ, &ws);
	snprintf(msg, sizeof msg, "winsize %dx%d\n", ws.ws_col, ws.ws_row);
	say(msg);
	got = 0;
	say("resize> ");
	while (!got)
		read(0, buf, 1);        /* SIGWINCH interrupts it (no SA_RESTART) */
	ioctl(0, TIOCGWINSZ, &ws);
	snprintf(msg, sizeof msg, "signal %d winsize %dx%d\n", got, ws.ws_col, ws.ws_row);
	say(msg);
	say("bye\n");
	return 0;
}
