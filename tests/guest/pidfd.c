/*
 * tests/guest/pidfd.c - process file descriptors: pidfd_open,
 * pidfd_send_signal, pidfd_getfd, clone(CLONE_PIDFD), clone3's pidfd,
 * poll/select/epoll on a pidfd, waitid(P_PIDFD) and the fdinfo lines.
 *
 * Output never shows a pid: a child's pid is printed as CHILD, ours as SELF.
 * The libcs may lack the wrappers, so the calls go through syscall() with
 * the numbers (the same on x86_64 and i386).
 */
#include "procs.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/select.h>
#include <sys/syscall.h>

#define NR_pidfd_send_signal 424
#define NR_pidfd_open 434
#define NR_clone3 435
#define NR_pidfd_getfd 438
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#define PIDFD_NONBLOCK O_NONBLOCK
#define PIDFD_THREAD O_EXCL

static long pidfd_open(pid_t pid, unsigned flags)
{
	return syscall(NR_pidfd_open, pid, flags);
}

static long pidfd_send_signal(int fd, int sig, siginfo_t *info, unsigned flags)
{
	return syscall(NR_pidfd_send_signal, fd, sig, info, flags);
}

static long pidfd_getfd(int fd, int target, unsigned flags)
{
	return syscall(NR_pidfd_getfd, fd, target, flags);
}

static long waitid_fd(int fd, siginfo_t *si, int options)
{
	memset(si, 0, sizeof *si);
	return syscall(SYS_waitid, P_PIDFD, fd, si, options, NULL);
}

static pid_t child_pid, thread_tid;

/* a child that waits for signals, telling the parent what arrived */
static int report_pipe[2];

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	char c = si->si_code == SI_USER ? 'u' : si->si_code == SI_QUEUE ? 'q' :
		 si->si_code == SI_TKILL ? 't' : '?';
	(void)uc;
	if (si->si_code == SI_QUEUE && si->si_value.sival_int != 42)
		c = 'v';
	write(report_pipe[1], &c, 1);
}

static pid_t spawn_sleeper(void)
{
	pid_t p;
	if (pipe(report_pipe) < 0)
		exit(90);
	p = fork();
	if (p == 0) {
		struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
		sigaction(SIGUSR1, &sa, NULL);
		write(report_pipe[1], "r", 1);
		for (;;)
			pause();
	}
	char c;
	read(report_pipe[0], &c, 1);            /* it is ready */
	child_pid = p;
	return p;
}

static void show_fdinfo(int fd)
{
	char path[64], line[256];
	FILE *f;
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f) {
		printf("fdinfo: %s\n", strerror(errno));
		return;
	}
	while (fgets(line, sizeof line, f)) {
		int v;
		char key[32];
		if (sscanf(line, "%31[^:]:\t%d", key, &v) != 2)
			continue;
		if (strcmp(key, "Pid") && strcmp(key, "NSpid"))
			continue;
		if (v == child_pid)
			printf("fdinfo %s: CHILD\n", key);
		else if (v == getpid())
			printf("fdinfo %s: SELF\n", key);
		else if (v == thread_tid)
			printf("fdinfo %s: THREAD\n", key);
		else
			printf("fdinfo %s: %d\n", key, v);
	}
	fclose(f);
}

static void show_si(const char *what, siginfo_t *si)
{
	printf("%s: signo %d code %d pid %s status %d\n", what, si->si_signo, si->si_code,
	       si->si_pid == 0 ? "0" : si->si_pid == child_pid ? "CHILD" : "OTHER",
	       si->si_status);
}

static void test_open(void)
{
	int fd;
	char link[64], buf[64];
	ssize_t n;

	SHOW(pidfd_open(getpid(), 1));
	SHOW(pidfd_open(getpid(), O_CLOEXEC));
	SHOW(pidfd_open(0, 0));
	SHOW(pidfd_open(-1, 0));
	SHOW(pidfd_open(-5, PIDFD_NONBLOCK));
	fd = pidfd_open(getpid(), 0);
	CHECK(fd >= 0, "pidfd_open(self)");
	printf("F_GETFD %d F_GETFL 0%o\n", fcntl(fd, F_GETFD), fcntl(fd, F_GETFL));
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof buf - 1);
	if (n >= 0)
		buf[n] = 0;
	printf("link: %s\n", n >= 0 ? buf : strerror(errno));
	SHOW(read(fd, buf, 8));
	SHOW(write(fd, "x", 1));
	show_fdinfo(fd);
	close(fd);
	fd = pidfd_open(getpid(), PIDFD_NONBLOCK);
	printf("NONBLOCK: F_GETFD %d F_GETFL 0%o\n", fcntl(fd, F_GETFD), fcntl(fd, F_GETFL));
	close(fd);

	/* a pid that names nothing: a reaped child's */
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	SHOW(pidfd_open(p, 0));
}

static void *thread_fn(void *arg)
{
	pid_t tid = syscall(SYS_gettid);
	long fd;
	thread_tid = tid;
	(void)arg;
	errno = 0;
	fd = pidfd_open(tid, 0);
	printf("thread pidfd_open(tid, 0): %s\n", fd >= 0 ? "ok" : strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = pidfd_open(tid, PIDFD_THREAD);
	printf("thread pidfd_open(tid, PIDFD_THREAD): %s\n", fd >= 0 ? "ok" : strerror(errno));
	printf("F_GETFL 0%o\n", fcntl(fd, F_GETFL));
	show_fdinfo(fd);
	/* a thread pidfd signals that thread */
	SHOW(pidfd_send_signal(fd, 0, NULL, 0));
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void test_thread(void)
{
	pthread_t th;
	pthread_create(&th, NULL, thread_fn, NULL);
	pthread_join(th, NULL);
	long fd = pidfd_open(getpid(), PIDFD_THREAD);
	printf("leader PIDFD_THREAD: %s\n", fd >= 0 ? "ok" : strerror(errno));
}

static void read_report(const char *what)
{
	char c = 0;
	read(report_pipe[0], &c, 1);
	printf("%s: child saw '%c'\n", what, c);
}

static void test_signal(void)
{
	siginfo_t si;
	pid_t p = spawn_sleeper();
	int fd = pidfd_open(p, 0);
	int self = pidfd_open(getpid(), 0);
	int notpidfd = open("/", O_RDONLY);

	SHOW(pidfd_send_signal(fd, 0, NULL, 0));
	SHOW(pidfd_send_signal(fd, 0, NULL, 0x80000000u));
	SHOW(pidfd_send_signal(fd, 65, NULL, 0));
	SHOW(pidfd_send_signal(-1, 0, NULL, 0));
	SHOW(pidfd_send_signal(999, 0, NULL, 0));
	SHOW(pidfd_send_signal(notpidfd, 0, NULL, 0));
	SHOW(pidfd_send_signal(fd, SIGUSR1, NULL, 0));
	read_report("SIGUSR1");
	/* flags: one of thread, thread group, process group */
	SHOW(pidfd_send_signal(fd, 0, NULL, 3));
	SHOW(pidfd_send_signal(fd, 0, NULL, 8));
	SHOW(pidfd_send_signal(fd, 0, NULL, 4));               /* leads no group */
	SHOW(pidfd_send_signal(fd, SIGUSR1, NULL, 1));
	read_report("PIDFD_SIGNAL_THREAD");
	SHOW(pidfd_send_signal(fd, SIGUSR1, NULL, 2));
	read_report("PIDFD_SIGNAL_THREAD_GROUP");
	SHOW(setpgid(p, p));
	SHOW(pidfd_send_signal(fd, SIGUSR1, NULL, 4));
	read_report("PIDFD_SIGNAL_PROCESS_GROUP");

	memset(&si, 0, sizeof si);
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	si.si_value.sival_int = 42;
	SHOW(pidfd_send_signal(fd, SIGUSR1, &si, 0));
	read_report("SI_QUEUE");
	SHOW(pidfd_send_signal(fd, SIGUSR2, &si, 0));          /* signo differs */
	si.si_code = SI_USER;
	SHOW(pidfd_send_signal(fd, SIGUSR1, &si, 0));          /* not ourselves */
	si.si_code = SI_TKILL;
	SHOW(pidfd_send_signal(fd, SIGUSR1, &si, 0));
	SHOW(pidfd_send_signal(fd, SIGUSR1, (siginfo_t *)8, 0));

	/* to ourselves any code goes */
	signal(SIGUSR2, SIG_IGN);
	si.si_signo = SIGUSR2;
	si.si_code = SI_USER;
	SHOW(pidfd_send_signal(self, SIGUSR2, &si, 0));
	si.si_code = 5;
	SHOW(pidfd_send_signal(self, SIGUSR2, &si, 0));

	SHOW(pidfd_send_signal(fd, SIGKILL, NULL, 0));
	/* a zombie still takes signals; after the reaping it is gone */
	SHOW(waitid_fd(fd, &si, WEXITED | WNOWAIT));
	show_si("zombie", &si);
	SHOW(pidfd_send_signal(fd, SIGTERM, NULL, 0));
	SHOW(pidfd_send_signal(fd, 0, NULL, 0));
	SHOW(waitid_fd(fd, &si, WEXITED));
	show_si("reaped", &si);
	SHOW(pidfd_send_signal(fd, 0, NULL, 0));
	SHOW(pidfd_send_signal(fd, SIGTERM, NULL, 0));
	close(fd);
	close(self);
	close(notpidfd);
}

static void test_perm(void)
{
	/* an unprivileged process may open a pidfd on root's process but
	 * neither signal it nor take its files */
	int pipefd[2];
	pipe(pipefd);
	pid_t root_pid = getpid();
	pid_t p = fork();
	if (p == 0) {
		if (setresuid(1000, 1000, 1000) < 0) {
			printf("setresuid: %s\n", strerror(errno));
			_exit(1);
		}
		int fd = pidfd_open(root_pid, 0);
		CHECK(fd >= 0, "pidfd_open(root's process)");
		SHOW(pidfd_send_signal(fd, 0, NULL, 0));
		SHOW(pidfd_send_signal(fd, SIGUSR1, NULL, 0));
		SHOW(pidfd_getfd(fd, pipefd[1], 0));
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	describe_status("perm child", st);
	close(pipefd[0]);
	close(pipefd[1]);
}

static void test_getfd(void)
{
	int pfd[2], fd, got, st;
	char buf[16] = "";
	pid_t p;

	pipe(pfd);
	p = fork();
	if (p == 0) {
		close(pfd[0]);
		dup2(pfd[1], 40);
		close(pfd[1]);
		pause();
		_exit(3);
	}
	close(pfd[1]);
	child_pid = p;
	fd = pidfd_open(p, 0);
	SHOW(pidfd_getfd(fd, 40, 1));
	SHOW(pidfd_getfd(fd, 41, 0));
	SHOW(pidfd_getfd(fd, -1, 0));
	SHOW(pidfd_getfd(-1, 40, 0));
	SHOW(pidfd_getfd(pfd[0], 40, 0));
	/* the child may not have run its dup2 yet: retry until it has */
	while ((got = pidfd_getfd(fd, 40, 0)) < 0 && errno == EBADF)
		sched_yield();
	CHECK(got >= 0, "pidfd_getfd");
	printf("getfd F_GETFD %d\n", fcntl(got, F_GETFD));
	write(got, "hello", 5);
	close(got);
	read(pfd[0], buf, 5);
	printf("through the child's pipe: %s\n", buf);
	kill(p, SIGKILL);
	waitid_fd(fd, &(siginfo_t){0}, WEXITED | WNOWAIT);
	SHOW(pidfd_getfd(fd, 40, 0));           /* a zombie */
	waitpid(p, &st, 0);
	SHOW(pidfd_getfd(fd, 40, 0));           /* reaped */
	close(fd);
	close(pfd[0]);
}

static void show_poll(const char *what, int fd)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN | POLLOUT | POLLPRI | POLLRDNORM };
	int n = poll(&pf, 1, 0);
	printf("%s: poll %d revents 0x%x\n", what, n, pf.revents);
}

static void show_select(const char *what, int fd)
{
	fd_set r, w, e;
	struct timeval tv = { 0, 0 };
	FD_ZERO(&r); FD_ZERO(&w); FD_ZERO(&e);
	FD_SET(fd, &r); FD_SET(fd, &w); FD_SET(fd, &e);
	int n = select(fd + 1, &r, &w, &e, &tv);
	printf("%s: select %d r%d w%d e%d\n", what, n, FD_ISSET(fd, &r), FD_ISSET(fd, &w),
	       FD_ISSET(fd, &e));
}

static void test_poll(void)
{
	siginfo_t si;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT }, out[2];
	pid_t p = spawn_sleeper();
	int fd = pidfd_open(p, 0);
	int ep = epoll_create1(0);

	ev.data.u32 = 7;
	SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	show_poll("running", fd);
	show_select("running", fd);
	SHOW(epoll_wait(ep, out, 2, 0));
	kill(p, SIGKILL);
	/* sleep in poll until it exits */
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	SHOW(poll(&pf, 1, -1));
	printf("woken: revents 0x%x\n", pf.revents);
	show_poll("zombie", fd);
	show_select("zombie", fd);
	int n = epoll_wait(ep, out, 2, -1);
	printf("epoll zombie: %d events 0x%x data %u\n", n, n > 0 ? out[0].events : 0,
	       n > 0 ? out[0].data.u32 : 0);
	waitid_fd(fd, &si, WEXITED);
	show_poll("reaped", fd);
	show_select("reaped", fd);
	n = epoll_wait(ep, out, 2, 0);
	printf("epoll reaped: %d events 0x%x\n", n, n > 0 ? out[0].events : 0);
	show_fdinfo(fd);
	close(ep);
	close(fd);

	/* a process of several threads: readable only when all have gone */
	p = fork();
	if (p == 0) {
		pthread_t th;
		pthread_create(&th, NULL, (void *(*)(void *))pause, NULL);
		sleep(0);
		syscall(SYS_exit, 0);           /* the leader alone exits */
	}
	child_pid = p;
	fd = pidfd_open(p, 0);
	/* wait for the leader to be a zombie (its /proc stat shows Z) */
	for (;;) {
		char path[64], st[256];
		snprintf(path, sizeof path, "/proc/%d/stat", p);
		FILE *f = fopen(path, "r");
		if (!f)
			break;
		int ok = fgets(st, sizeof st, f) != NULL;
		fclose(f);
		if (ok && strstr(st, ") Z"))
			break;
		sched_yield();
	}
	show_poll("leader dead, thread alive", fd);
	kill(p, SIGKILL);
	pf.revents = 0;
	poll(&pf, 1, -1);
	printf("all dead: revents 0x%x\n", pf.revents);
	waitid_fd(fd, &si, WEXITED);
	show_si("threaded", &si);
	close(fd);
}

static void test_waitid(void)
{
	siginfo_t si;
	pid_t p = spawn_sleeper();
	int fd = pidfd_open(p, 0);
	int nb = pidfd_open(p, PIDFD_NONBLOCK);
	int self = pidfd_open(getpid(), 0);
	int notpidfd = open("/", O_RDONLY);

	SHOW(waitid_fd(fd, &si, WEXITED | WNOHANG));
	show_si("running", &si);
	SHOW(waitid_fd(nb, &si, WEXITED | WNOHANG));
	SHOW(waitid_fd(nb, &si, WEXITED));
	SHOW(waitid_fd(self, &si, WEXITED | WNOHANG));
	SHOW(waitid_fd(-1, &si, WEXITED));
	SHOW(waitid_fd(999, &si, WEXITED));
	SHOW(waitid_fd(notpidfd, &si, WEXITED));
	SHOW(waitid_fd(fd, &si, 0));
	kill(p, SIGSTOP);
	SHOW(waitid_fd(fd, &si, WSTOPPED));
	show_si("stopped", &si);
	kill(p, SIGCONT);
	SHOW(waitid_fd(fd, &si, WCONTINUED));
	show_si("continued", &si);
	kill(p, SIGTERM);
	SHOW(waitid_fd(fd, &si, WEXITED));
	show_si("exited", &si);
	SHOW(waitid_fd(fd, &si, WEXITED));
	SHOW(waitid_fd(nb, &si, WEXITED | WNOHANG));

	/* waiting for one child leaves the others alone */
	pid_t a = fork();
	if (a == 0)
		_exit(5);
	pid_t b = fork();
	if (b == 0)
		_exit(6);
	int fb = pidfd_open(b, 0);
	child_pid = b;
	SHOW(waitid_fd(fb, &si, WEXITED));
	show_si("b", &si);
	int st;
	SHOW(waitpid(a, &st, 0) == a);
	describe_status("a", st);
	close(fb);

	/* a grandchild is not ours to wait for */
	int pp[2];
	pipe(pp);
	pid_t c = fork();
	if (c == 0) {
		pid_t g = fork();
		if (g == 0) {
			pause();
			_exit(0);
		}
		write(pp[1], &g, sizeof g);
		waitpid(g, NULL, 0);
		_exit(0);
	}
	pid_t g;
	read(pp[0], &g, sizeof g);
	int fg = pidfd_open(g, 0);
	SHOW(waitid_fd(fg, &si, WEXITED | WNOHANG));
	kill(g, SIGKILL);
	waitpid(c, NULL, 0);
	close(fg);
	close(fd);
	close(nb);
	close(self);
	close(notpidfd);
}

/* a thread other than the leader execs: the pidfd still names the process */
static void *exec_thread(void *arg)
{
	char *argv[] = { "pidfd", "exit9", NULL };
	(void)arg;
	execv("/proc/self/exe", argv);
	_exit(99);
}

static void test_exec(void)
{
	siginfo_t si;
	struct pollfd pf = { .events = POLLIN };
	pid_t p = fork();
	if (p == 0) {
		pthread_t th;
		pthread_create(&th, NULL, exec_thread, NULL);
		for (;;)
			pause();
	}
	child_pid = p;
	pf.fd = pidfd_open(p, 0);
	SHOW(poll(&pf, 1, -1));
	printf("exec'd and exited: revents 0x%x\n", pf.revents);
	show_fdinfo(pf.fd);
	SHOW(waitid_fd(pf.fd, &si, WEXITED));
	show_si("exec child", &si);
	close(pf.fd);
}

static int thread_exit_fn(void *arg)
{
	(void)arg;
	syscall(SYS_exit, 0);
	return 0;
}

struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size,
		tls, set_tid, set_tid_size, cgroup;
};

static void test_clone(void)
{
	int pidfd = -1, st;
	siginfo_t si;
	long r;

	r = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &pidfd, 0, 0);
	if (r == 0)
		_exit(7);
	child_pid = r;
	printf("clone: pidfd %s cloexec %d\n", pidfd > 2 ? "set" : "unset",
	       fcntl(pidfd, F_GETFD));
	show_fdinfo(pidfd);
	SHOW(waitid_fd(pidfd, &si, WEXITED));
	show_si("clone child", &si);
	close(pidfd);

	SHOW(syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, 0, &pidfd, 0, 0));
	SHOW(syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, (int *)8, 0, 0));

	struct clone_args ca = { .flags = CLONE_PIDFD, .exit_signal = SIGCHLD };
	ca.pidfd = (uintptr_t)&pidfd;
	pidfd = -1;
	r = syscall(NR_clone3, &ca, sizeof ca);
	if (r == 0)
		_exit(8);
	child_pid = r;
	printf("clone3: pidfd %s cloexec %d\n", pidfd > 2 ? "set" : "unset",
	       fcntl(pidfd, F_GETFD));
	SHOW(waitid_fd(pidfd, &si, WEXITED));
	show_si("clone3 child", &si);
	show_fdinfo(pidfd);
	close(pidfd);
	ca.pidfd = 8;
	SHOW(syscall(NR_clone3, &ca, sizeof ca));

	/* CLONE_PIDFD with CLONE_THREAD: a pidfd of the new thread (6.9+) */
	static char stack[65536] __attribute__((aligned(16)));
	struct pollfd pf = { .events = POLLIN };
	pidfd = -1;
	r = clone(thread_exit_fn, stack + sizeof stack,
		  CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_PIDFD,
		  NULL, &pidfd);
	printf("clone thread: %s pidfd %s F_GETFL 0%o\n", r > 0 ? "ok" : strerror(errno),
	       pidfd > 2 ? "set" : "unset", fcntl(pidfd, F_GETFL));
	pf.fd = pidfd;
	SHOW(poll(&pf, 1, -1));
	printf("thread gone: POLLIN %d\n", !!(pf.revents & POLLIN));
	/* its release may trail the wake-up a moment (on another CPU) */
	while (!(pf.revents & POLLHUP) && poll(&pf, 1, 0) >= 0)
		sched_yield();
	printf("thread released: revents 0x%x\n", pf.revents);
	show_fdinfo(pidfd);
	SHOW(waitid_fd(pidfd, &si, WEXITED | WNOHANG));
	close(pidfd);
	/* nothing was left behind by the failures */
	SHOW(waitpid(-1, &st, WNOHANG));
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "all";
	if (!strcmp(mode, "exit9"))
		return 9;
	if (access("/proc/self", F_OK) < 0) {          /* under pyuml */
		mkdir("/proc", 0555);
		if (mount("proc", "/proc", "proc", 0, NULL) < 0) {
			perror("mount");
			return 1;
		}
	}
	test_as_child();
	if (!strcmp(mode, "open") || !strcmp(mode, "all"))
		test_open();
	if (!strcmp(mode, "thread") || !strcmp(mode, "all"))
		test_thread();
	if (!strcmp(mode, "signal") || !strcmp(mode, "all"))
		test_signal();
	if (!strcmp(mode, "perm") || !strcmp(mode, "all"))
		test_perm();
	if (!strcmp(mode, "getfd") || !strcmp(mode, "all"))
		test_getfd();
	if (!strcmp(mode, "poll") || !strcmp(mode, "all"))
		test_poll();
	if (!strcmp(mode, "waitid") || !strcmp(mode, "all"))
		test_waitid();
	if (!strcmp(mode, "exec") || !strcmp(mode, "all"))
		test_exec();
	if (!strcmp(mode, "clone") || !strcmp(mode, "all"))
		test_clone();
	fflush(stdout);
	return 0;
}
