/* jobctl: job control on a pseudo-terminal, compared with the host.
 * A "shell" child makes a session with the pty slave as its controlling
 * terminal and runs jobs in it; the parent plays the terminal (master):
 * keys that signal the foreground group, SIGTTIN/SIGTTOU for background
 * jobs, tcsetpgrp, /dev/tty, TIOCSCTTY/TIOCNOTTY rules, hang-up. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define CHECK(what, expr) do { long _r = (long)(expr); \
	printf("%-44s %ld %s\n", what, _r, _r < 0 ? strerror(errno) : ""); } while (0)

static int master, slave;

static void msleep(int ms)
{
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&d, NULL);
}

static void status(const char *what, int st)
{
	if (WIFEXITED(st))
		printf("%-44s exited %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%-44s killed by %d\n", what, WTERMSIG(st));
	else if (WIFSTOPPED(st))
		printf("%-44s stopped by %d\n", what, WSTOPSIG(st));
	else if (WIFCONTINUED(st))
		printf("%-44s continued\n", what);
}

static volatile int got;
static void handler(int sig) { got = sig; }

/* the "shell": session leader on the slave */
static int shell(int sync_r)
{
	char c;
	CHECK("TIOCSCTTY before setsid", ioctl(slave, TIOCSCTTY, 0));
	CHECK("open /dev/tty without a ctty", open("/dev/tty", O_RDWR));
	CHECK("setsid", setsid() > 0);
	CHECK("tcgetpgrp, no ctty yet", tcgetpgrp(slave));
	CHECK("TIOCSCTTY", ioctl(slave, TIOCSCTTY, 0));
	CHECK("TIOCSCTTY again", ioctl(slave, TIOCSCTTY, 0));
	printf("tcgetpgrp is me %d, tcgetsid is me %d\n", tcgetpgrp(slave) == getpid(),
	       tcgetsid(slave) == getpid());
	int tty = open("/dev/tty", O_RDWR);
	printf("open /dev/tty ok %d\n", tty >= 0);
	close(tty);
	signal(SIGTTOU, SIG_IGN);               /* as shells do */

	/* a background job reads: SIGTTIN stops it */
	pid_t bg = fork();
	if (bg == 0) {
		setpgid(0, 0);
		char buf[16];
		long n = read(slave, buf, sizeof buf);
		printf("  bg job read %ld after being foregrounded\n", n);
		_exit(0);
	}
	setpgid(bg, bg);
	int st;
	waitpid(bg, &st, WUNTRACED);
	status("background reader", st);
	CHECK("tcsetpgrp to the job", tcsetpgrp(slave, bg));
	kill(-bg, SIGCONT);
	read(sync_r, &c, 1);                    /* the terminal types a line */
	waitpid(bg, &st, WUNTRACED);
	status("foreground reader", st);
	CHECK("tcsetpgrp back", tcsetpgrp(slave, getpid()));

	/* TOSTOP: a background writer is stopped by SIGTTOU */
	struct termios t;
	tcgetattr(slave, &t);
	t.c_lflag |= TOSTOP;
	tcsetattr(slave, TCSANOW, &t);
	bg = fork();
	if (bg == 0) {
		setpgid(0, 0);
		signal(SIGTTOU, SIG_DFL);
		write(slave, "bg output\n", 10);
		_exit(0);
	}
	setpgid(bg, bg);
	waitpid(bg, &st, WUNTRACED);
	status("background writer, TOSTOP", st);
	kill(bg, SIGKILL);
	waitpid(bg, &st, 0);
	t.c_lflag &= ~TOSTOP;
	tcsetattr(slave, TCSANOW, &t);

	/* a background job changing the terminal's settings: SIGTTOU */
	bg = fork();
	if (bg == 0) {
		setpgid(0, 0);
		signal(SIGTTOU, SIG_DFL);
		struct termios t2;
		tcgetattr(slave, &t2);
		tcsetattr(slave, TCSANOW, &t2);
		_exit(0);
	}
	setpgid(bg, bg);
	waitpid(bg, &st, WUNTRACED);
	status("background tcsetattr", st);
	kill(bg, SIGKILL);
	waitpid(bg, &st, 0);

	/* tcsetpgrp errors */
	CHECK("tcsetpgrp to no such group", tcsetpgrp(slave, 999999));
	CHECK("tcsetpgrp negative", tcsetpgrp(slave, -5));

	/* foreground job hit by ^C and ^Z typed at the terminal */
	pid_t fg = fork();
	if (fg == 0) {
		setpgid(0, 0);
		signal(SIGTTOU, SIG_DFL);
		for (;;)
			pause();
	}
	setpgid(fg, fg);
	tcsetpgrp(slave, fg);
	write(1, "", 0);
	printf("foreground job running\n");
	fflush(stdout);
	char one = 'x';
	write(sync_r + 1, &one, 0);
	read(sync_r, &c, 1);                    /* the terminal types ^Z */
	waitpid(fg, &st, WUNTRACED);
	status("foreground job after ^Z", st);
	kill(-fg, SIGCONT);
	waitpid(fg, &st, WCONTINUED);
	status("after SIGCONT", st);
	read(sync_r, &c, 1);                    /* ... and ^C */
	waitpid(fg, &st, 0);
	status("foreground job after ^C", st);
	fg = fork();
	if (fg == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(fg, fg);
	tcsetpgrp(slave, fg);
	read(sync_r, &c, 1);                    /* ... and ^\ */
	waitpid(fg, &st, 0);
	status("foreground job after ^\\", st);
	tcsetpgrp(slave, getpid());

	/* giving up the terminal */
	got = 0;
	signal(SIGHUP, handler);
	CHECK("TIOCNOTTY (session leader)", ioctl(slave, TIOCNOTTY));
	printf("  got SIGHUP %d\n", got == SIGHUP);
	CHECK("tcgetpgrp after TIOCNOTTY", tcgetpgrp(slave));
	CHECK("open /dev/tty after TIOCNOTTY", open("/dev/tty", O_RDWR));
	fflush(stdout);
	return 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	master = posix_openpt(O_RDWR | O_NOCTTY);
	unlockpt(master);
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	struct termios t;
	tcgetattr(slave, &t);
	t.c_lflag &= ~ECHO;
	tcsetattr(slave, TCSANOW, &t);
	int sync[2];
	pipe(sync);
	pid_t sh = fork();
	if (sh == 0) {
		close(master);
		_exit(shell(sync[0]));
	}
	/* the terminal's side, in step with the shell */
	msleep(100);
	write(master, "typed\n", 6);
	write(sync[1], "1", 1);
	msleep(100);
	write(master, "\x1a", 1);               /* ^Z */
	write(sync[1], "2", 1);
	msleep(100);
	write(master, "\x03", 1);               /* ^C */
	write(sync[1], "3", 1);
	msleep(100);
	write(master, "\x1c", 1);               /* ^\ */
	write(sync[1], "4", 1);
	int st;
	waitpid(sh, &st, 0);
	status("shell", st);

	/* TIOCSCTTY stealing and sessions that are not leaders */
	pid_t a = fork();
	if (a == 0) {
		setsid();
		CHECK("TIOCSCTTY in a second session", ioctl(slave, TIOCSCTTY, 0));
		_exit(0);
	}
	waitpid(a, &st, 0);

	/* the master closes: the session leader hears SIGHUP */
	a = fork();
	if (a == 0) {
		close(master);
		setsid();
		ioctl(slave, TIOCSCTTY, 0);
		signal(SIGHUP, handler);
		got = 0;
		char buf[8];
		long n = read(slave, buf, sizeof buf);
		printf("%-44s %ld %s got %d\n", "read on hung-up slave", n, n < 0 ? strerror(errno) : "", got);
		CHECK("write on hung-up slave", write(slave, "x", 1));
		_exit(0);
	}
	msleep(100);
	close(master);
	waitpid(a, &st, 0);
	status("leader after hang-up", st);
	printf("done\n");
	return 0;
}
