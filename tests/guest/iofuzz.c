/* iofuzz: random calls into the I/O system calls (poll, select, epoll,
 * eventfd, sockets, terminal ioctls) with random arguments: good and bad
 * fds, pointers to random bytes, to nothing, to the kernel half.  Each
 * batch runs in a child that the parent kills if it sleeps too long; the
 * kernel must survive all of it without an oops (tests/test_iofuzz.py). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

static uint64_t state;
static uint64_t rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static unsigned char *buf;              /* 3 pages of random bytes */
static int fds[32];
static int nfds;

static const long calls[] = {
	SYS_poll, SYS_ppoll, SYS_select, SYS_pselect6, SYS_epoll_create1,
	SYS_epoll_ctl, SYS_epoll_wait, SYS_epoll_pwait, SYS_eventfd2,
	SYS_socket, SYS_socketpair, SYS_bind, SYS_connect, SYS_listen,
	SYS_accept4, SYS_sendto, SYS_recvfrom, SYS_sendmsg, SYS_recvmsg,
	SYS_shutdown, SYS_getsockname, SYS_getpeername, SYS_setsockopt,
	SYS_getsockopt, SYS_ioctl, SYS_read, SYS_write, SYS_close, SYS_dup,
	SYS_sendmmsg, SYS_epoll_pwait2,
};

static long arg(void)
{
	switch (rnd() % 12) {
	case 0: return 0;
	case 1: return -1;
	case 2: return rnd() % 64;
	case 3: return (long)(buf + rnd() % 8192);
	case 4: return (long)buf;
	case 5: return 0x1000;                          /* unmapped */
	case 6: return (long)0xffff800000000000UL;      /* kernel half */
	case 7: return nfds ? fds[rnd() % nfds] : 0;
	case 8: return (long)rnd();
	case 9: return 0x5400 + rnd() % 0x50;           /* tty ioctls */
	case 10: return AF_UNIX;
	default: return rnd() % 8;
	}
}

static void batch(int n)
{
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < 8192; j++)
			buf[j] = rnd();
		if (rnd() % 4 == 0) {                   /* plausible sockaddr_un */
			buf[0] = AF_UNIX;
			buf[1] = 0;
		}
		long nr = calls[rnd() % (sizeof calls / sizeof calls[0])];
		long a[6];
		for (int k = 0; k < 6; k++)
			a[k] = arg();
		if (nr == SYS_ppoll || nr == SYS_epoll_pwait || nr == SYS_epoll_pwait2)
			a[nr == SYS_ppoll ? 3 : 4] = 0;     /* keep SIGALRM deliverable */
		if (nr == SYS_pselect6)
			a[5] = 0;
		long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (r >= 0 && r < 1024 && (nr == SYS_socket || nr == SYS_epoll_create1 ||
					  nr == SYS_eventfd2 || nr == SYS_accept4 || nr == SYS_dup)) {
			if (nfds < 32)
				fds[nfds++] = r;
			else
				close(r);
		}
	}
}

static void on_alarm(int sig) { (void)sig; }

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	int batches = argc > 2 ? atoi(argv[2]) : 20;
	int per = argc > 3 ? atoi(argv[3]) : 200;
	buf = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(buf + 8192, 4096);               /* a hole right after the buffer */
	int killed = 0;
	for (int b = 0; b < batches; b++) {
		pid_t pid = fork();
		if (pid == 0) {
			state = seed * 2654435761u + b + 1;
			struct sigaction sa;
			memset(&sa, 0, sizeof sa);
			sa.sa_handler = on_alarm;
			sigaction(SIGALRM, &sa, NULL);
			signal(SIGPIPE, SIG_IGN);
			struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
			setitimer(ITIMER_REAL, &it, NULL);
			int sv[2];
			socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
			fds[nfds++] = sv[0];
			fds[nfds++] = sv[1];
			socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
			fds[nfds++] = sv[0];
			fds[nfds++] = sv[1];
			fds[nfds++] = epoll_create1(0);
			fds[nfds++] = open("/dev/ptmx", O_RDWR | O_NOCTTY);
			fds[nfds++] = 0;
			batch(per);
			_exit(0);
		}
		/* the child may legitimately sleep forever: give it a second */
		int st;
		for (int w = 0; w < 100; w++) {
			if (waitpid(pid, &st, WNOHANG) == pid)
				goto reaped;
			struct timespec d = { 0, 10 * 1000 * 1000 };
			nanosleep(&d, NULL);
		}
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		killed++;
reaped:
		;
	}
	printf("iofuzz: %d batches, %d killed while asleep\n", batches, killed);
	return 0;
}
