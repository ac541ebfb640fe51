/*
 * tests/guest/straced.c - a program to watch with strace: the same calls,
 * in the same order, natively (under Debian's strace -f) and under pyuml
 * (strace=), so that tests/test_strace.py can compare the two traces.
 *
 *   straced DIR [SECTION...]     sections: files mem signals procs
 *                                threads sockets ipc exec (default: all
 *                                of these), tty (mounts devpts if needed:
 *                                trace it with strace=ioctl,prctl),
 *                                threadexit (ends the process)
 *
 * Everything runs in a child of the first process (init is special on
 * Linux: signals it has no handler for do not reach it).  Output goes
 * through write(2) only: stdio asks the terminal (TIOCGWINSZ) on one
 * kernel and not on the other.  Whatever could race is made to wait:
 * the traces must not depend on which task the scheduler picks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <termios.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *dir;
static char **saved_argv;

static void say(const char *s)
{
	if (write(1, s, strlen(s)) < 0)
		_exit(99);
}

static void handler(int sig)
{
	(void)sig;
}

static char *volatile bad = (char *)8;

static void files(void)
{
	char buf[256];
	struct stat st;
	int fd, p[2];
	struct iovec iov[2];
	static const char odd[] = "hello\tworld\n\"quoted\" \\ back\001\0022\377";
	char longer[100];

	if (chdir(dir) < 0 || !getcwd(buf, sizeof buf))
		_exit(90);
	fd = open("f.txt", O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0640);
	if (write(fd, odd, sizeof odd - 1) < 0)
		_exit(91);
	memset(longer, 'x', sizeof longer);
	if (write(fd, longer, sizeof longer) < 0)
		_exit(91);
	lseek(fd, 0, SEEK_SET);
	if (read(fd, buf, 10) != 10)
		_exit(92);
	if (pread(fd, buf, 5, 3) != 5 || pwrite(fd, "XY", 2, 1) != 2)
		_exit(93);
	fstat(fd, &st);
	stat("f.txt", &st);
	lstat("nope", &st);
	access("f.txt", R_OK | W_OK);
	access("nope", F_OK);
	fcntl(fd, F_GETFD);
	fcntl(fd, F_SETFL, O_NONBLOCK | O_APPEND);
	fcntl(fd, F_GETFL);
	close(dup(fd));
	close(dup2(fd, 20));
	close(dup3(fd, 21, O_CLOEXEC));
	if (pipe2(p, O_CLOEXEC) < 0)
		_exit(94);
	iov[0].iov_base = "ab";
	iov[0].iov_len = 2;
	iov[1].iov_base = "cde\n";
	iov[1].iov_len = 4;
	writev(p[1], iov, 2);
	iov[0].iov_base = buf;
	iov[0].iov_len = 3;
	iov[1].iov_base = buf + 10;
	iov[1].iov_len = 10;
	readv(p[0], iov, 2);
	mkdir("sub", 0755);
	rename("sub", "sub2");
	rmdir("sub2");
	if (symlink("f.txt", "ln") < 0 || readlink("ln", buf, sizeof buf) < 0)
		_exit(95);
	unlink("ln");
	unlink("f.txt");
	/* a directory listing (getdents64) */
	mkdir("gd", 0700);
	close(open("gd/a", O_CREAT | O_WRONLY, 0600));
	close(open("gd/b", O_CREAT | O_WRONLY, 0600));
	{
		DIR *d = opendir("gd");
		while (d && readdir(d))
			;
		if (d)
			closedir(d);
	}
	unlink("gd/a");
	unlink("gd/b");
	rmdir("gd");
	/* errors, and pointers the kernel cannot read or write */
	read(99, buf, 1);
	write(p[1], "z", 1);
	read(p[0], bad, 4);
	write(p[1], bad + 8, 3);
	open("/nonexistent/x", O_RDONLY);
	syscall(SYS_openat, AT_FDCWD, (char *)8, O_RDONLY);
	close(p[0]);
	close(p[1]);
	close(fd);
	say("files done\n");
}

static void mem(void)
{
	char *p, *q;

	p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 1;
	mprotect(p, 4096, PROT_READ);
	madvise(p + 4096, 4096, MADV_DONTNEED);
	q = mremap(p, 3 * 4096, 6 * 4096, MREMAP_MAYMOVE);
	munmap(q, 6 * 4096);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	munmap(p, 4096);
	mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 77, 0);
	munmap((void *)0x1001, 4096);
	say("mem done\n");
}

static void signals(void)
{
	struct sigaction sa;
	struct itimerval it;
	sigset_t set;
	stack_t ss;
	static char altstack[16384];

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_flags = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGUSR2, SIG_IGN);
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR2);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGUSR1);
	sigpending(&set);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	ss.ss_sp = altstack;
	ss.ss_size = sizeof altstack;
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
	/* a timer interrupts pause(): ERESTARTNOHAND, then EINTR */
	memset(&it, 0, sizeof it);
	it.it_value.tv_usec = 20000;
	setitimer(ITIMER_REAL, &it, NULL);
	pause();
	kill(getpid(), 0);
	kill(-12345, SIGUSR1);
	say("signals done\n");
}

static void procs(void)
{
	int st, p[2];
	pid_t c;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	struct rlimit rl = { 0, 0 };
	sigset_t set, none;
	char b;

	/* a child that sleeps and exits 3 while its parent waits */
	c = fork();
	if (c == 0) {
		nanosleep(&ts, NULL);
		say("child\n");
		_exit(3);
	}
	wait4(c, &st, 0, NULL);
	/* from here on SIGCHLD waits until the end: when it would come
	   depends on whether the child or the parent runs first */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* a child killed by a signal it was waiting for */
	if (pipe(p) < 0)
		_exit(96);
	c = fork();
	if (c == 0) {
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (write(p[1], "r", 1) < 0)
			_exit(97);
		sigemptyset(&none);
		sigsuspend(&none);
		_exit(0);
	}
	if (read(p[0], &b, 1) != 1)
		_exit(98);
	kill(c, SIGTERM);
	wait4(c, &st, 0, NULL);
	/* and one killed by SIGKILL, which no tracer sees delivered */
	c = fork();
	if (c == 0) {
		if (write(p[1], "r", 1) < 0)
			_exit(97);
		pause();
		_exit(0);
	}
	if (read(p[0], &b, 1) != 1)
		_exit(98);
	kill(c, SIGKILL);
	wait4(c, &st, 0, NULL);
	/* a child that faults */
	c = fork();
	if (c == 0) {
		setrlimit(RLIMIT_CORE, &rl);
		*(volatile int *)0 = 1;
		_exit(0);
	}
	waitpid(c, &st, 0);
	/* vfork: the parent sleeps until the child is gone */
	c = vfork();
	if (c == 0)
		_exit(5);
	waitpid(c, &st, 0);
	waitpid(-1, &st, WNOHANG);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	say("procs done\n");
}

static void *thread_main(void *arg)
{
	(void)arg;
	say("thread\n");
	return NULL;
}

static void threads(void)
{
	pthread_t th;

	pthread_create(&th, NULL, thread_main, NULL);
	pthread_join(th, NULL);
	say("threads done\n");
}

static void sockets(void)
{
	int sv[2], s;
	char buf[16], path[200];
	struct sockaddr_un sun;
	socklen_t len;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	send(sv[0], "ping", 4, 0);
	recv(sv[1], buf, sizeof buf, 0);
	shutdown(sv[0], SHUT_WR);
	close(sv[0]);
	close(sv[1]);
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strcpy(path, dir);
	strcat(path, "/sock");
	strcpy(sun.sun_path, path);
	unlink(path);
	bind(s, (struct sockaddr *)&sun, sizeof sun);
	len = sizeof sun;
	getsockname(s, (struct sockaddr *)&sun, &len);
	strcat(sun.sun_path, "-none");
	connect(s, (struct sockaddr *)&sun, sizeof sun);
	close(s);
	unlink(path);
	say("sockets done\n");
}

static void ipc(void)
{
	struct sembuf op = { 0, 1, 0 };
	struct { long mtype; char mtext[4]; } msg = { 1, "abc" };
	int id;
	void *p;

	id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	p = shmat(id, NULL, 0);
	shmdt(p);
	shmctl(id, IPC_RMID, NULL);
	id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	semop(id, &op, 1);
	semctl(id, 0, IPC_RMID);
	id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	msgsnd(id, &msg, 4, 0);
	msgrcv(id, &msg, 4, 0, IPC_NOWAIT);
	msgrcv(id, &msg, 4, 0, IPC_NOWAIT);
	msgctl(id, IPC_RMID, NULL);
	say("ipc done\n");
}

static void *sleeper(void *arg)
{
	(void)arg;
	say("sleeper\n");
	pause();
	return NULL;
}

/* another thread calls exit_group while this one sleeps: both exit */
static void threadexit(void)
{
	pthread_t th;
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	pthread_create(&th, NULL, sleeper, NULL);
	nanosleep(&ts, NULL);
	syscall(SYS_exit_group, 4);
}

/* terminal ioctls and prctl (traced with strace=ioctl,prctl: a bare
   initramfs has to mount devpts first, the host has it) */
static void tty(void)
{
	struct termios tio;
	struct winsize ws;
	int m, s, n;
	pid_t pg;
	char name[16];

	if (access("/dev/ptmx", F_OK) < 0) {
		mount("dev", "/dev", "devtmpfs", 0, NULL);
		mount("pts", "/dev/pts", "devpts", 0, NULL);
	}
	if (openpty(&m, &s, NULL, NULL, NULL) < 0)
		_exit(88);
	ioctl(s, TCGETS, &tio);
	tio.c_lflag &= ~(ECHO | ICANON);
	tio.c_cflag |= HUPCL;
	ioctl(s, TCSETSW, &tio);
	ioctl(s, TCGETS, &tio);
	ws.ws_row = 24;
	ws.ws_col = 80;
	ws.ws_xpixel = ws.ws_ypixel = 0;
	ioctl(m, TIOCSWINSZ, &ws);
	ioctl(s, TIOCGWINSZ, &ws);
	ioctl(s, TIOCGPGRP, &pg);
	ioctl(s, FIONREAD, &n);     /* (not after a write: Linux's pty delivers later) */
	ioctl(s, TCGETS, bad);
	prctl(PR_SET_NAME, "tracee");
	prctl(PR_GET_NAME, name);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_GET_CHILD_SUBREAPER, &n);
	prctl(PR_GET_DUMPABLE);
	prctl(PR_SET_PDEATHSIG, SIGHUP);
	prctl(PR_GET_PDEATHSIG, &n);
	close(m);
	close(s);
	say("tty done\n");
}

/* the state letter of process pid in /proc/PID/stat, or 0 */
static char proc_state(pid_t pid)
{
	char path[64], buf[256], *p;
	int fd, n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* is SIGCHLD pending for process pid (ShdPnd in /proc/PID/status)? */
static int sigchld_pending(pid_t pid)
{
	char path[64], buf[2048], *p;
	int fd, n;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	p = strstr(buf, "ShdPnd:");
	return p && strtoull(p + 7, NULL, 16) & (1ULL << (SIGCHLD - 1));
}

/* poll (with sched_yield, which the comparison leaves out) until pid is
   in state want */
static void wait_state(pid_t pid, char want)
{
	while (proc_state(pid) != want)
		sched_yield();
}

/* a sleep cut by a signal that has no handler is restarted with
   restart_syscall; one with a handler ends in EINTR (traced with
   strace=clock_nanosleep,nanosleep,restart_syscall: it mounts /proc
   if needed and polls it) */
static void restart(void)
{
	struct sigaction sa;
	struct timespec ts = { 20, 0 };
	pid_t me = getpid(), c1, c2;

	if (access("/proc/self/stat", F_OK) < 0) {
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGCHLD, SIG_DFL);
	c1 = fork();
	if (c1 == 0) {                  /* its exit interrupts the sleep */
		wait_state(me, 'S');
		_exit(0);
	}
	c2 = fork();
	if (c2 == 0) {                  /* then a signal with a handler ends it */
		wait_state(c1, 'Z');
		/* the parent takes SIGCHLD and restarts: asleep again */
		while (sigchld_pending(me) || proc_state(me) != 'S')
			sched_yield();
		kill(me, SIGUSR1);
		_exit(0);
	}
	nanosleep(&ts, NULL);
	while (wait(NULL) > 0)
		;
	say("restart done\n");
}

static void do_exec(void)
{
	extern char **environ;
	char *args[] = { saved_argv[0], "exec-child", NULL };

	execve(saved_argv[0], args, environ);
	_exit(89);
}

static int wanted(int argc, char **argv, const char *name)
{
	int i;

	if (argc <= 2)
		return 1;
	for (i = 2; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	pid_t c;
	int st;

	saved_argv = argv;
	if (argc > 1 && !strcmp(argv[1], "exec-child")) {
		say("exec child\n");
		return 0;
	}
	if (argc < 2) {
		say("usage: straced DIR [SECTION...]\n");
		return 2;
	}
	dir = argv[1];
	/* init drops a SIGCHLD it has no handler for; a handler makes this
	   process see it on both kernels */
	signal(SIGCHLD, handler);
	c = fork();
	if (c == 0) {
		if (wanted(argc, argv, "files"))
			files();
		if (wanted(argc, argv, "mem"))
			mem();
		if (wanted(argc, argv, "signals"))
			signals();
		if (wanted(argc, argv, "procs"))
			procs();
		if (wanted(argc, argv, "threads"))
			threads();
		if (wanted(argc, argv, "sockets"))
			sockets();
		if (wanted(argc, argv, "ipc"))
			ipc();
		if (argc > 2 && wanted(argc, argv, "restart"))
			restart();
		if (argc > 2 && wanted(argc, argv, "tty"))
			tty();
		if (argc > 2 && wanted(argc, argv, "threadexit"))
			threadexit();
		if (wanted(argc, argv, "exec"))
			do_exec();
		_exit(0);
	}
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
