/*
 * tests/guest/mqueue.c - POSIX message queues, compared with the host kernel.
 *
 *   mqueue basic    attributes, priorities, non-blocking and full queues,
 *                   timeouts, sizes, descriptors that are not queues
 *   mqueue names    what mq_open and mq_unlink accept (raw system calls)
 *   mqueue wait     a receiver woken by a sender and the other way round,
 *                   signals with and without SA_RESTART
 *   mqueue notify   mq_notify: SIGEV_SIGNAL's siginfo, one shot, EBUSY,
 *                   SIGEV_NONE, unregistering by close, bad sigevents
 *   mqueue poll     poll, select and epoll on a queue descriptor
 *   mqueue limits   /proc/sys/fs/mqueue, RLIMIT_MSGQUEUE, the limits a
 *                   user other than root meets
 *   mqueue fs       the mqueue filesystem, mounted in a mount namespace of
 *                   its own: readdir, stat, statfs, a queue's state line,
 *                   open(2) and unlink(2)
 *
 * Queue names carry the pid and every queue is unlinked before the end, so
 * native runs leave nothing behind.
 */
#define _GNU_SOURCE
#include "procs.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#ifndef NETLINK_ROUTE
#define NETLINK_ROUTE 0                 /* <linux/netlink.h>; musl has none */
#endif
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>

static char qn[64], qn2[64];

static pid_t ffork(void)
{
	fflush(stdout);
	return fork();
}

/* waitpid, through the signals the tests send */
static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static void names(void)
{
	snprintf(qn, sizeof qn, "/sysa-mq-%d", getpid());
	snprintf(qn2, sizeof qn2, "/sysa-mq2-%d", getpid());
}

static mqd_t mkq(const char *name, long maxmsg, long msgsize, int flags)
{
	struct mq_attr a = {0};
	a.mq_maxmsg = maxmsg;
	a.mq_msgsize = msgsize;
	return mq_open(name, O_CREAT | O_EXCL | O_RDWR | flags, 0600, &a);
}

static void show_attr(mqd_t q)
{
	struct mq_attr a;
	if (mq_getattr(q, &a) < 0) {
		printf("mq_getattr: %s\n", strerror(errno));
		return;
	}
	printf("attr: flags %#lx maxmsg %ld msgsize %ld curmsgs %ld\n", (long)a.mq_flags,
	       (long)a.mq_maxmsg, (long)a.mq_msgsize, (long)a.mq_curmsgs);
}

static void recv_show(mqd_t q, size_t len)
{
	char buf[9000];
	unsigned prio = 999;
	errno = 0;
	ssize_t n = mq_receive(q, buf, len, &prio);
	if (n < 0)
		printf("mq_receive -> -1 (%s)\n", strerror(errno));
	else
		printf("mq_receive -> %zd \"%.*s\" prio %u\n", n, (int)n, buf, prio);
}

static struct timespec in(long ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

static void do_basic(void)
{
	mqd_t q = mkq(qn, 4, 16, 0);
	printf("opened %d\n", q >= 0);
	show_attr(q);
	printf("close-on-exec %d\n", fcntl(q, F_GETFD) & FD_CLOEXEC);
	SHOW(mq_send(q, "low", 3, 1));
	SHOW(mq_send(q, "high", 4, 9));
	SHOW(mq_send(q, "low2", 4, 1));
	SHOW(mq_send(q, "mid", 3, 5));
	show_attr(q);
	struct timespec ts = in(0);
	SHOW(mq_timedsend(q, "full", 4, 0, &ts));
	struct mq_attr nb = {0}, old;
	nb.mq_flags = O_NONBLOCK;
	SHOW(mq_setattr(q, &nb, &old));
	printf("old flags %#lx curmsgs %ld\n", (long)old.mq_flags, (long)old.mq_curmsgs);
	SHOW(mq_send(q, "full", 4, 0));
	show_attr(q);
	recv_show(q, 15);
	recv_show(q, 16);
	recv_show(q, 16);
	recv_show(q, 16);
	recv_show(q, 100);
	recv_show(q, 100);
	SHOW(mq_send(q, "0123456789abcdef", 16, 0));
	SHOW(mq_send(q, "0123456789abcdefg", 17, 0));
	SHOW(mq_send(q, "", 0, 0));
	SHOW(mq_send(q, "x", 1, 32767));
	SHOW(mq_send(q, "x", 1, 32768));
	recv_show(q, 16);
	recv_show(q, 16);
	recv_show(q, 16);
	nb.mq_flags = 0;
	SHOW(mq_setattr(q, &nb, NULL));
	nb.mq_flags = O_NONBLOCK | 1;
	SHOW(mq_setattr(q, &nb, NULL));
	ts = in(0);
	ts.tv_sec -= 10;
	SHOW(mq_timedreceive(q, (char[16]){0}, 16, NULL, &ts));
	ts.tv_nsec = 1000000000;
	SHOW(mq_timedreceive(q, (char[16]){0}, 16, NULL, &ts));
	ts.tv_nsec = -1;
	SHOW(mq_timedsend(q, "x", 1, 0, &ts));
	ts = in(30);
	SHOW(mq_timedreceive(q, (char[16]){0}, 16, NULL, &ts));
	/* descriptors that are not queues, or not opened for it */
	int p[2];
	pipe(p);
	SHOW(mq_send(p[1], "x", 1, 0));
	SHOW(mq_getattr(p[0], &old));
	SHOW(mq_send(-1, "x", 1, 0));
	SHOW(mq_send(12345, "x", 1, 0));
	mqd_t ro = mq_open(qn, O_RDONLY);
	mqd_t wo = mq_open(qn, O_WRONLY);
	SHOW(mq_send(ro, "x", 1, 0));
	SHOW(mq_receive(wo, (char[16]){0}, 16, NULL));
	SHOW(mq_send(wo, "via wo", 6, 3));
	recv_show(ro, 16);
	/* bad buffers: the message is lost when the receive buffer is bad */
	SHOW(syscall(SYS_mq_timedsend, q, (void *)-4096L, 4, 0, NULL));
	SHOW(mq_send(q, "lost", 4, 0));
	SHOW(syscall(SYS_mq_timedreceive, q, (void *)16, 16, NULL, NULL));
	show_attr(q);
	SHOW(mq_send(q, "kept", 4, 0));
	SHOW(syscall(SYS_mq_timedreceive, q, (char[16]){0}, 16, (void *)16, NULL));
	show_attr(q);
	SHOW(syscall(SYS_mq_getsetattr, q, NULL, (void *)16));
	SHOW(syscall(SYS_mq_getsetattr, q, (void *)16, NULL));
	SHOW(syscall(SYS_mq_timedsend, q, "x", 1, 0, (void *)16));
	/* the queue lives while open after mq_unlink */
	SHOW(mq_unlink(qn));
	SHOW(mq_send(q, "after unlink", 12, 0));
	recv_show(q, 16);
	SHOW(mq_open(qn, O_RDWR));
	close(ro);
	close(wo);
	mq_close(q);
}

static long sys_open(const char *name, int oflag, int mode, struct mq_attr *a)
{
	return syscall(SYS_mq_open, name, oflag, mode, a);
}

static void do_names(void)
{
	char longname[300];
	const char *bare = qn + 1;
	memset(longname, 'a', sizeof longname);
	longname[255] = 0;
	SHOW(sys_open("", O_CREAT | O_RDWR, 0600, NULL));
	SHOW(sys_open(".", O_CREAT | O_RDWR, 0600, NULL));
	SHOW(sys_open("..", O_RDWR, 0600, NULL));
	SHOW(sys_open("a/b", O_CREAT | O_RDWR, 0600, NULL));
	SHOW(sys_open((char *)-4096L, O_CREAT | O_RDWR, 0600, NULL));
	SHOW(sys_open(bare, O_RDWR, 0600, NULL));
	long fd = sys_open(bare, O_CREAT | O_RDWR, 0600, NULL);
	printf("created %d\n", fd >= 0);
	SHOW(sys_open(bare, O_CREAT | O_EXCL | O_RDWR, 0600, NULL));
	SHOW(sys_open(bare, O_ACCMODE, 0600, NULL));
	SHOW(sys_open(bare, O_RDWR, 0600, (struct mq_attr *)16));
	close(fd);
	longname[0] = 's';
	longname[1] = 'y';
	fd = sys_open(longname, O_CREAT | O_RDWR, 0600, NULL);
	printf("255 characters: %d\n", fd >= 0);
	close(fd);
	SHOW(syscall(SYS_mq_unlink, longname));
	longname[255] = 'a';
	longname[256] = 0;
	SHOW(sys_open(longname, O_CREAT | O_RDWR, 0600, NULL));
	SHOW(syscall(SYS_mq_unlink, longname));
	SHOW(syscall(SYS_mq_unlink, ""));
	SHOW(syscall(SYS_mq_unlink, "."));
	SHOW(syscall(SYS_mq_unlink, "x/y"));
	SHOW(syscall(SYS_mq_unlink, (char *)-4096L));
	/* attributes */
	struct mq_attr a = {0};
	a.mq_maxmsg = 0;
	a.mq_msgsize = 10;
	SHOW(sys_open(qn2 + 1, O_CREAT | O_RDWR, 0600, &a));
	a.mq_maxmsg = 10;
	a.mq_msgsize = -1;
	SHOW(sys_open(qn2 + 1, O_CREAT | O_RDWR, 0600, &a));
	a.mq_msgsize = 8192;
	fd = sys_open(qn2 + 1, O_CREAT | O_RDWR, 0600, &a);
	printf("10 x 8192: %d\n", fd >= 0);
	show_attr(fd);
	close(fd);
	SHOW(syscall(SYS_mq_unlink, qn2 + 1));
	/* libc's names */
	SHOW(mq_open("no-slash", O_CREAT | O_RDWR, 0600, NULL) >= 0);
	mq_unlink("no-slash");
	/* permissions: another user */
	pid_t pid = ffork();
	if (pid == 0) {
		setgid(65534);
		setuid(65534);
		SHOW(sys_open(bare, O_RDWR, 0, NULL));
		SHOW(sys_open(bare, O_RDONLY, 0, NULL));
		SHOW(syscall(SYS_mq_unlink, bare));
		SHOW(mq_unlink(qn));
		a.mq_maxmsg = 11;
		a.mq_msgsize = 16;
		SHOW(sys_open(qn2 + 1, O_CREAT | O_RDWR, 0600, &a));
		a.mq_maxmsg = 10;
		a.mq_msgsize = 8193;
		SHOW(sys_open(qn2 + 1, O_CREAT | O_RDWR, 0600, &a));
		a.mq_msgsize = 8192;
		fd = sys_open(qn2 + 1, O_CREAT | O_RDWR, 0644, &a);
		printf("nobody creates: %d\n", fd >= 0);
		struct stat st;
		fstat(fd, &st);
		printf("mode %o size %lld uid %d\n", st.st_mode, (long long)st.st_size, st.st_uid);
		close(fd);
		fflush(stdout);
		_exit(0);
	}
	wait_describe("nobody", pid);
	long r = sys_open(qn2 + 1, O_RDONLY, 0, NULL);
	printf("root opens nobody's: %d\n", r >= 0);
	close(r);
	SHOW(mq_unlink(qn2));
	SHOW(mq_unlink(qn));
	SHOW(mq_unlink(qn));
}

static volatile int got_sig, sig_code, sig_value, sig_pid_ok;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	got_sig = sig;
	sig_code = si->si_code;
	sig_value = si->si_value.sival_int;
	sig_pid_ok = si->si_pid;
	(void)uc;
}

static void do_wait(void)
{
	mqd_t q = mkq(qn, 1, 32, 0);
	pid_t pid = ffork();
	if (pid == 0) {
		usleep(30000);
		mq_send(q, "to a sleeper", 12, 2);
		_exit(0);
	}
	recv_show(q, 32);
	reap(pid);

	/* a full queue: the sender sleeps until the receive makes room */
	SHOW(mq_send(q, "first", 5, 0));
	pid = ffork();
	if (pid == 0) {
		mq_send(q, "second", 6, 7);	/* sleeps */
		printf("child: second sent\n");
		fflush(stdout);
		_exit(0);
	}
	usleep(30000);
	recv_show(q, 32);
	reap(pid);
	recv_show(q, 32);

	/* interrupted: EINTR without SA_RESTART, restarted with it */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	pid_t me = getpid();
	pid = ffork();
	if (pid == 0) {
		usleep(30000);
		kill(me, SIGUSR1);
		_exit(0);
	}
	recv_show(q, 32);
	printf("signal %d\n", got_sig);
	reap(pid);
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	got_sig = 0;
	pid = ffork();
	if (pid == 0) {
		usleep(30000);
		kill(me, SIGUSR1);
		usleep(30000);
		mq_send(q, "after the signal", 16, 1);
		_exit(0);
	}
	recv_show(q, 32);
	printf("signal %d\n", got_sig);
	reap(pid);
	struct timespec ts = in(50);
	SHOW(mq_timedreceive(q, (char[32]){0}, 32, NULL, &ts));
	mq_close(q);
	mq_unlink(qn);
}

static void do_notify(void)
{
	mqd_t q = mkq(qn, 4, 32, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR2, &sa, NULL);

	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR2;
	ev.sigev_value.sival_int = 0x5eed;
	SHOW(mq_notify(q, &ev));
	SHOW(mq_notify(q, &ev));
	SHOW(mq_send(q, "one", 3, 0));
	printf("signal %d code %d value %#x from me %d\n", got_sig, sig_code, sig_value,
	       sig_pid_ok == getpid());
	got_sig = 0;
	SHOW(mq_send(q, "two", 3, 0));
	printf("second message: signal %d (one shot)\n", got_sig);
	/* only an empty queue that gets a message notifies */
	SHOW(mq_notify(q, &ev));
	SHOW(mq_send(q, "three", 5, 0));
	printf("non-empty queue: signal %d\n", got_sig);
	recv_show(q, 32);
	recv_show(q, 32);
	recv_show(q, 32);
	SHOW(mq_send(q, "four", 4, 0));
	printf("now empty before: signal %d\n", got_sig);
	recv_show(q, 32);

	/* another process cannot register, nor unregister ours */
	got_sig = 0;
	SHOW(mq_notify(q, &ev));
	pid_t pid = ffork();
	if (pid == 0) {
		SHOW(mq_notify(q, &ev));
		SHOW(mq_notify(q, NULL));
		SHOW(mq_send(q, "from the child", 14, 0));
		fflush(stdout);
		_exit(0);
	}
	reap(pid);
	printf("child's message: signal %d code %d from child %d\n", got_sig, sig_code,
	       sig_pid_ok == pid);
	recv_show(q, 32);
	/* unregistering: NULL, or closing any descriptor of it */
	SHOW(mq_notify(q, &ev));
	SHOW(mq_notify(q, NULL));
	SHOW(mq_notify(q, NULL));
	SHOW(mq_notify(q, &ev));
	int d = dup(q);
	close(d);
	pid = ffork();
	if (pid == 0) {
		SHOW(mq_notify(q, &ev));
		fflush(stdout);
		_exit(0);
	}
	reap(pid);
	got_sig = 0;
	SHOW(mq_send(q, "x", 1, 0));
	printf("after close of a dup: signal %d\n", got_sig);
	recv_show(q, 32);
	/* SIGEV_NONE registers without telling */
	ev.sigev_notify = SIGEV_NONE;
	SHOW(mq_notify(q, &ev));
	SHOW(mq_notify(q, &ev));
	SHOW(mq_send(q, "none", 4, 0));
	SHOW(mq_notify(q, &ev));
	SHOW(mq_notify(q, NULL));
	recv_show(q, 32);
	/* bad sigevents */
	ev.sigev_notify = 99;
	SHOW(mq_notify(q, &ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = 65;
	SHOW(mq_notify(q, &ev));
	ev.sigev_signo = 0;
	SHOW(mq_notify(q, &ev));
	SHOW(mq_notify(q, NULL));
	SHOW(syscall(SYS_mq_notify, q, (void *)16));
	SHOW(mq_notify(-1, &ev));
	ev.sigev_notify = SIGEV_NONE;
	SHOW(mq_notify(0, &ev));
	/* SIGEV_THREAD on a descriptor that is not a netlink socket */
	char cookie[32] = {0};
	struct sigevent raw;
	memset(&raw, 0, sizeof raw);
	raw.sigev_notify = SIGEV_THREAD;
	raw.sigev_value.sival_ptr = cookie;
	raw.sigev_signo = q;
	SHOW(syscall(SYS_mq_notify, q, &raw));
	raw.sigev_signo = -1;
	SHOW(syscall(SYS_mq_notify, q, &raw));
	raw.sigev_value.sival_ptr = (void *)16;
	SHOW(syscall(SYS_mq_notify, q, &raw));
	/* SIGEV_THREAD on a netlink socket (what glibc's mq_notify does for
	 * SIGEV_THREAD): the kernel sends the 32-byte cookie there, its last
	 * byte NOTIFY_WOKENUP (1) when a message arrives, NOTIFY_REMOVED (2)
	 * when the registration is dropped */
	int nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	for (int i = 0; i < 32; i++)
		cookie[i] = 'a' + i % 26;
	raw.sigev_signo = nl;
	raw.sigev_value.sival_ptr = cookie;
	SHOW(syscall(SYS_mq_notify, q, &raw));
	SHOW(syscall(SYS_mq_notify, q, &raw));	/* EBUSY: registered already */
	SHOW(mq_send(q, "t", 1, 0));
	for (int round = 0; round < 2; round++) {
		unsigned char got[64];
		memset(got, 0, sizeof got);
		long n = recv(nl, got, sizeof got, MSG_DONTWAIT);
		printf("netlink cookie: %ld bytes", n);
		if (n > 0)
			printf(", first %.31s last %d", (char *)got, got[n - 1]);
		printf("\n");
		if (round == 0) {
			recv_show(q, 32);
			SHOW(syscall(SYS_mq_notify, q, &raw));
			SHOW(mq_notify(q, NULL));	/* NOTIFY_REMOVED */
		}
	}
	close(nl);
	mq_close(q);
	mq_unlink(qn);
}

static void do_poll(void)
{
	mqd_t q = mkq(qn, 2, 16, 0);
	struct pollfd pfd = {q, POLLIN | POLLOUT, 0};
	SHOW(poll(&pfd, 1, 0));
	printf("revents %#x\n", pfd.revents);
	mq_send(q, "a", 1, 0);
	SHOW(poll(&pfd, 1, 0));
	printf("revents %#x\n", pfd.revents);
	mq_send(q, "b", 1, 0);
	SHOW(poll(&pfd, 1, 0));
	printf("revents %#x\n", pfd.revents);
	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(q, &r);
	FD_SET(q, &w);
	struct timeval tv = {0, 0};
	SHOW(select(q + 1, &r, &w, NULL, &tv));
	printf("readable %d writable %d\n", FD_ISSET(q, &r), FD_ISSET(q, &w));
	recv_show(q, 16);
	recv_show(q, 16);
	/* epoll: wait for a message another process sends */
	int ep = epoll_create1(0);
	struct epoll_event e = {.events = EPOLLIN, .data.u32 = 7};
	SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, q, &e));
	SHOW(epoll_wait(ep, &e, 1, 0));
	pid_t pid = ffork();
	if (pid == 0) {
		usleep(30000);
		mq_send(q, "wake", 4, 0);
		_exit(0);
	}
	int n = epoll_wait(ep, &e, 1, 5000);
	printf("epoll_wait -> %d events %#x data %u\n", n, e.events, e.data.u32);
	reap(pid);
	recv_show(q, 16);
	/* poll sleeping until room is made */
	mq_send(q, "c", 1, 0);
	mq_send(q, "d", 1, 0);
	pid = ffork();
	if (pid == 0) {
		usleep(30000);
		mq_receive(q, (char[16]){0}, 16, NULL);
		_exit(0);
	}
	pfd.events = POLLOUT;
	SHOW(poll(&pfd, 1, 5000));
	printf("revents %#x\n", pfd.revents);
	reap(pid);
	close(ep);
	mq_close(q);
	mq_unlink(qn);
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -2;
		fclose(f);
	}
	return v;
}

static void do_limits(void)
{
	static const char *knobs[] = {"queues_max", "msg_max", "msgsize_max", "msg_default",
				      "msgsize_default"};
	char path[80];
	for (int i = 0; i < 5; i++) {
		snprintf(path, sizeof path, "/proc/sys/fs/mqueue/%s", knobs[i]);
		printf("%s = %ld\n", knobs[i], read_long(path));
	}
	struct rlimit rl;
	getrlimit(RLIMIT_MSGQUEUE, &rl);
	printf("RLIMIT_MSGQUEUE %ld %ld\n", (long)rl.rlim_cur, (long)rl.rlim_max);
	pid_t pid = ffork();
	if (pid == 0) {
		/* a small budget: 10 x 100 bytes + bookkeeping fits in 2000, twice not */
		setgid(65534);
		setuid(65534);
		rl.rlim_cur = rl.rlim_max = 2000;
		SHOW(setrlimit(RLIMIT_MSGQUEUE, &rl));
		mqd_t a = mkq(qn, 10, 100, 0);
		printf("first fits %d\n", a >= 0);
		SHOW(mkq(qn2, 10, 100, 0));
		SHOW(mkq(qn2, 1, 100, 0));
		mq_unlink(qn2);
		mq_close(a);
		SHOW(mkq(qn2, 10, 100, 0));
		SHOW(mq_unlink(qn));
		SHOW(mkq(qn2, 10, 100, 0));
		mq_unlink(qn2);
		rl.rlim_cur = rl.rlim_max = 0;
		SHOW(setrlimit(RLIMIT_MSGQUEUE, &rl));
		SHOW(mkq(qn2, 1, 1, 0));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("child", pid);
	/* no descriptors left: EMFILE before the name is looked at */
	pid = ffork();
	if (pid == 0) {
		rl.rlim_cur = rl.rlim_max = 0;
		setrlimit(RLIMIT_NOFILE, &rl);
		SHOW(sys_open("", O_RDWR, 0, NULL));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("child", pid);
}

static void do_fs(void)
{
	/* a mount namespace of its own, so that natively the host sees nothing */
	char dir[64], path[160];
	snprintf(dir, sizeof dir, "/tmp/sysa-mqfs-%d", getpid());
	mkdir("/tmp", 01777);
	mkdir(dir, 0755);
	SHOW(unshare(CLONE_NEWNS));
	SHOW(mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL));
	SHOW(mount("none", dir, "mqueue", 0, NULL));
	struct statfs sf;
	statfs(dir, &sf);
	printf("f_type %#lx\n", (long)sf.f_type);
	mqd_t q = mkq(qn, 3, 64, 0);
	mq_send(q, "12345", 5, 0);
	mq_send(q, "678", 3, 0);
	struct sigevent ev = {0};
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	mq_notify(q, &ev);
	struct stat st;
	snprintf(path, sizeof path, "%s%s", dir, qn);
	SHOW(stat(path, &st));
	printf("mode %o size %lld nlink %ld\n", st.st_mode, (long long)st.st_size, (long)st.st_nlink);
	stat(dir, &st);
	int entries = 0;
	DIR *dd = opendir(dir);
	while (dd && readdir(dd))
		entries++;
	if (dd)
		closedir(dd);
	/* 20 bytes a name beside the 40 of an empty directory (. and ..) */
	printf("dir mode %o size fits %d\n", st.st_mode, st.st_size == 40 + 20 * (entries - 2));
	char buf[200];
	int fd = open(path, O_RDONLY);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	char *pidp = strstr(buf, "NOTIFY_PID:");
	printf("pid matches %d\n", pidp && atoi(pidp + 11) == getpid());
	if (pidp)
		pidp[11] = 0;
	printf("read %zd: %s\n", n, buf);
	SHOW(read(fd, buf, sizeof buf));
	SHOW(write(fd, "x", 1));
	close(fd);
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (!strcmp(de->d_name, qn + 1))
			printf("entry found, type %d\n", de->d_type);
	if (d)
		closedir(d);
	/* a queue made by open(2) gets the default sizes */
	snprintf(path, sizeof path, "%s%s", dir, qn2);
	fd = open(path, O_CREAT | O_RDWR, 0640);
	printf("open(O_CREAT) %d\n", fd >= 0);
	show_attr(fd);
	SHOW(mq_send(fd, "via open", 8, 0));
	close(fd);
	mqd_t b = mq_open(qn2, O_RDWR);
	recv_show(b, 8192);
	snprintf(path, sizeof path, "%s/sub", dir);
	SHOW(mkdir(path, 0755));
	snprintf(path, sizeof path, "%s%s", dir, qn2);
	SHOW(unlink(path));
	SHOW(mq_open(qn2, O_RDWR));
	mq_close(b);
	SHOW(mq_unlink(qn));
	snprintf(path, sizeof path, "%s%s", dir, qn);
	SHOW(access(path, F_OK));
	mq_close(q);
	SHOW(umount(dir));
	SHOW(rmdir(dir));
}

int main(int argc, char **argv)
{
	if (access("/proc/self", F_OK) < 0) {	/* pyuml's init: mount it */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	test_as_child();
	names();
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "basic"))
		do_basic();
	else if (!strcmp(argv[1], "names"))
		do_names();
	else if (!strcmp(argv[1], "wait"))
		do_wait();
	else if (!strcmp(argv[1], "notify"))
		do_notify();
	else if (!strcmp(argv[1], "poll"))
		do_poll();
	else if (!strcmp(argv[1], "limits"))
		do_limits();
	else if (!strcmp(argv[1], "fs"))
		do_fs();
	else
		return 2;
	mq_unlink(qn);
	mq_unlink(qn2);
	return 0;
}
