/* sigio: signal-driven I/O (F_SETOWN, F_SETOWN_EX, F_SETSIG, O_ASYNC) and
 * leases (F_SETLEASE, F_GETLEASE), compared with the host kernel.
 *
 *   sigio owner       F_*OWN*, F_*SIG argument checks
 *   sigio files       SIGIO/F_SETSIG for pipes, sockets, ptys, inotify;
 *                     eventfd, which has no fasync, stays silent
 *   sigio lease DIR   leases on a file in DIR (a tmpfs)
 *   sigio breaktime DIR   (pyuml only) a lease broken by lease-break-time
 */
#define _GNU_SOURCE
#include "procs.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

static sigset_t waitset;

/* wait (at most 10 s: a safety net) for one of our signals */
static void expect(const char *what, int fd)
{
	struct timespec ts = { 10, 0 };
	siginfo_t si;
	int s = sigtimedwait(&waitset, &si, &ts);
	if (s < 0) {
		printf("%s: no signal (%s)\n", what, strerror(errno));
		return;
	}
	printf("%s: sig %s code %d fd %s band %lx\n", what, s == SIGIO ? "SIGIO" : "RT",
	       si.si_code, si.si_fd == fd ? "ok" : "other", si.si_code > 0 ? (long)si.si_band : 0L);
}

/* forget signals left from before (SIGIO queues once, RT ones each) */
static void drain(void)
{
	struct timespec ts = { 0, 0 };
	siginfo_t si;
	while (sigtimedwait(&waitset, &si, &ts) > 0)
		;
}

static void nothing(const char *what)
{
	struct timespec ts = { 0, 0 };
	siginfo_t si;
	int s = sigtimedwait(&waitset, &si, &ts);
	printf("%s: %s\n", what, s < 0 ? "no signal" : "a signal");
}

static void owner(void)
{
	int p[2];
	pipe(p);
	struct f_owner_ex ex;
	SHOW(fcntl(p[0], F_GETOWN));
	SHOW(fcntl(p[0], F_GETOWN_EX, &ex));
	printf("ex %d %d\n", ex.type, ex.pid);
	SHOW(fcntl(p[0], F_SETOWN, getpid()));
	SHOW(fcntl(p[0], F_GETOWN) == getpid());
	SHOW(fcntl(p[0], F_SETOWN, -getpgrp()));
	SHOW(fcntl(p[0], F_GETOWN) == -getpgrp());
	SHOW(fcntl(p[0], F_GETOWN_EX, &ex));
	printf("ex %d %d\n", ex.type, ex.pid == getpgrp());
	SHOW(fcntl(p[0], F_SETOWN, 4000000));
	SHOW(fcntl(p[0], F_SETOWN, 0));
	ex.type = F_OWNER_TID;
	ex.pid = gettid();
	SHOW(fcntl(p[0], F_SETOWN_EX, &ex));
	SHOW(fcntl(p[0], F_GETOWN) == gettid());
	ex.type = 7;
	SHOW(fcntl(p[0], F_SETOWN_EX, &ex));
	ex.type = F_OWNER_PID;
	ex.pid = 4000000;
	SHOW(fcntl(p[0], F_SETOWN_EX, &ex));
	SHOW(fcntl(p[0], F_SETOWN_EX, (void *)8));
	SHOW(fcntl(p[0], F_GETSIG));
	SHOW(fcntl(p[0], F_SETSIG, SIGRTMIN + 1));
	SHOW(fcntl(p[0], F_GETSIG) == SIGRTMIN + 1);
	SHOW(fcntl(p[0], F_SETSIG, 65));
	SHOW(fcntl(p[0], F_SETSIG, -1));
	SHOW(fcntl(p[0], F_SETSIG, 0));
	int fl = fcntl(p[0], F_GETFL);
	SHOW(fcntl(p[0], F_SETFL, fl | O_ASYNC));
	SHOW(fcntl(p[0], F_GETFL) & O_ASYNC);
	int on = 0;
	SHOW(ioctl(p[0], FIOASYNC, &on));
	SHOW(fcntl(p[0], F_GETFL) & O_ASYNC);
}

static void arm(int fd, int sig)
{
	drain();
	fcntl(fd, F_SETOWN, getpid());
	fcntl(fd, F_SETSIG, sig);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC);
}

static void files(void)
{
	int p[2], s[2];
	char buf[70000];
	pipe(p);
	arm(p[0], SIGRTMIN);
	write(p[1], "x", 1);
	expect("pipe read end, F_SETSIG", p[0]);
	read(p[0], buf, 1);
	nothing("after the read");
	fcntl(p[0], F_SETSIG, 0);
	drain();
	write(p[1], "y", 1);
	expect("pipe read end, SIGIO", p[0]);
	read(p[0], buf, 1);
	/* the write end: space after a full pipe */
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	while (write(p[1], buf, sizeof buf) > 0)
		;
	arm(p[1], SIGRTMIN);
	read(p[0], buf, sizeof buf);
	expect("pipe write end, space", p[1]);
	/* a file whose O_ASYNC was set through a dup: si_fd is that fd */
	close(p[0]);
	close(p[1]);
	pipe(p);
	int d = dup(p[0]);
	arm(d, SIGRTMIN);
	write(p[1], "z", 1);
	expect("through the dup", d);
	close(d);
	close(p[0]);
	close(p[1]);
	/* sockets */
	socketpair(AF_UNIX, SOCK_STREAM, 0, s);
	arm(s[0], SIGRTMIN);
	send(s[1], "hi", 2, 0);
	expect("unix stream socket", s[0]);
	recv(s[0], buf, 2, 0);
	close(s[0]);
	close(s[1]);
	socketpair(AF_UNIX, SOCK_DGRAM, 0, s);
	arm(s[0], SIGRTMIN);
	send(s[1], "hi", 2, 0);
	expect("unix datagram socket", s[0]);
	close(s[0]);
	close(s[1]);
	/* a pty: input for the slave */
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	grantpt(m);
	unlockpt(m);
	int sl = open(ptsname(m), O_RDWR | O_NOCTTY);
	if (sl < 0 && errno == ENOENT) {        /* pyuml's initramfs: mount devpts */
		mount("devpts", "/dev/pts", "devpts", 0, NULL);
		sl = open(ptsname(m), O_RDWR | O_NOCTTY);
	}
	arm(sl, SIGRTMIN);
	write(m, "line\n", 5);
	expect("pty slave", sl);
	close(sl);
	close(m);
	/* inotify */
	int in = inotify_init1(0);
	inotify_add_watch(in, ".", IN_CREATE);
	arm(in, SIGRTMIN);
	close(open("sigio-file", O_CREAT | O_WRONLY, 0600));
	expect("inotify", in);
	unlink("sigio-file");
	close(in);
	/* eventfd has no fasync: O_ASYNC is accepted, nothing comes */
	int e = eventfd(0, 0);
	arm(e, SIGRTMIN);
	int on = 1;
	SHOW(ioctl(e, FIOASYNC, &on));
	uint64_t one = 1;
	write(e, &one, 8);
	nothing("eventfd");
	printf("eventfd O_ASYNC kept: %d\n", !!(fcntl(e, F_GETFL) & O_ASYNC));
}

static void lease(void)
{
	int fd = open("leased", O_CREAT | O_RDWR, 0644);
	close(fd);
	int rw = open("leased", O_RDWR);
	SHOW(fcntl(rw, F_SETLEASE, F_RDLCK));
	SHOW(fcntl(rw, F_SETLEASE, F_WRLCK));
	close(rw);
	fd = open("leased", O_RDONLY);
	SHOW(fcntl(fd, F_GETLEASE));
	SHOW(fcntl(fd, F_SETLEASE, 7));
	SHOW(fcntl(fd, F_SETLEASE, F_UNLCK));
	SHOW(fcntl(fd, F_SETLEASE, F_RDLCK));
	SHOW(fcntl(fd, F_GETLEASE));
	int fd2 = open("leased", O_RDONLY);
	SHOW(fcntl(fd2, F_SETLEASE, F_RDLCK));
	SHOW(fcntl(fd2, F_SETLEASE, F_WRLCK));
	SHOW(fcntl(fd, F_SETLEASE, F_WRLCK));
	SHOW(fcntl(fd2, F_SETLEASE, F_UNLCK));
	close(fd2);
	SHOW(fcntl(fd, F_SETLEASE, F_WRLCK));
	SHOW(fcntl(fd, F_GETLEASE));
	int p[2];
	pipe(p);
	SHOW(fcntl(p[0], F_SETLEASE, F_RDLCK));
	mkdir("ldir", 0755);
	int dfd = open("ldir", O_RDONLY);
	SHOW(fcntl(dfd, F_SETLEASE, F_RDLCK));
	fcntl(fd, F_SETSIG, SIGRTMIN);
	drain();
	/* an opener: O_NONBLOCK gets EWOULDBLOCK, the holder a signal */
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		SHOW(open("leased", O_RDONLY | O_NONBLOCK));
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	expect("write lease, reader", fd);
	SHOW(fcntl(fd, F_GETLEASE));
	/* a blocking writer waits until the lease goes */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		int w = open("leased", O_WRONLY);
		_exit(w >= 0 ? 0 : errno);
	}
	expect("write lease, writer", fd);
	SHOW(fcntl(fd, F_GETLEASE));
	SHOW(fcntl(fd, F_SETLEASE, F_RDLCK));
	SHOW(fcntl(fd, F_SETLEASE, F_UNLCK));
	int st;
	waitpid(c, &st, 0);
	printf("writer: exit %d\n", WEXITSTATUS(st));
	SHOW(fcntl(fd, F_GETLEASE));
	/* a read lease and truncate(2) */
	drain();
	SHOW(fcntl(fd, F_SETLEASE, F_RDLCK));
	fflush(stdout);
	c = fork();
	if (c == 0) {
		close(fd);      /* else the parent's close is not the last */
		_exit(truncate("leased", 0) ? errno : 0);
	}
	expect("read lease, truncate", fd);
	SHOW(fcntl(fd, F_GETLEASE));
	close(fd);                      /* closing ends the lease */
	waitpid(c, &st, 0);
	printf("truncate: exit %d\n", WEXITSTATUS(st));
	/* not the owner */
	chmod("leased", 0644);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		setuid(65534);
		int r = open("leased", O_RDONLY);
		SHOW(fcntl(r, F_SETLEASE, F_RDLCK));
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	unlink("leased");
	rmdir("ldir");
}

static void breaktime(void)
{
	int f = open("/proc/sys/fs/lease-break-time", O_WRONLY);
	write(f, "1\n", 2);
	close(f);
	close(open("leased", O_CREAT | O_RDWR, 0644));
	int fd = open("leased", O_RDONLY);
	SHOW(fcntl(fd, F_SETLEASE, F_WRLCK));
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		int w = open("leased", O_RDONLY);
		printf("reader: open %s\n", w >= 0 ? "done" : strerror(errno));
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	SHOW(fcntl(fd, F_GETLEASE));     /* downgraded by the kernel */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		int w = open("leased", O_WRONLY);
		printf("writer: open %s\n", w >= 0 ? "done" : strerror(errno));
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	SHOW(fcntl(fd, F_GETLEASE));     /* gone */
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (access("/proc/self", R_OK)) {                /* pyuml's initramfs */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	test_as_child();
	sigemptyset(&waitset);
	sigaddset(&waitset, SIGIO);
	sigaddset(&waitset, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &waitset, NULL);
	if (argc > 2) {
		char dir[256];
		mkdir(argv[2], 01777);
		snprintf(dir, sizeof dir, "%s/sigio-%d", argv[2], getpid());
		mkdir(dir, 0755);
		if (chdir(dir))
			return 1;
	} else {
		chdir("/tmp");
	}
	if (!strcmp(argv[1], "owner"))
		owner();
	else if (!strcmp(argv[1], "files"))
		files();
	else if (!strcmp(argv[1], "lease"))
		lease();
	else if (!strcmp(argv[1], "breaktime"))
		breaktime();
	fflush(stdout);
	if (argc > 2) {
		char dir[256];
		snprintf(dir, sizeof dir, "%s/sigio-%d", argv[2], getpid());
		chdir("/");
		rmdir(dir);
	}
	return 0;
}
