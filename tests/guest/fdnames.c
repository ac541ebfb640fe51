/* fdnames: what /proc/self/fd says about sockets, eventfds, epoll and pty
 * files, and what fstat says about them. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	if (access("/proc/self", F_OK) != 0) {          /* under pyuml: no /proc yet */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	int e = eventfd(0, 0), ep = epoll_create1(0);
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	unlockpt(m);
	int fds[] = { sv[0], e, ep, m };
	for (int i = 0; i < 4; i++) {
		char p[64], l[256];
		struct stat st;
		snprintf(p, sizeof p, "/proc/self/fd/%d", fds[i]);
		ssize_t n = readlink(p, l, sizeof l - 1);
		l[n > 0 ? n : 0] = 0;
		if (strncmp(l, "socket:[", 8) == 0)
			strcpy(l, "socket:[N]");
		fstat(fds[i], &st);
		printf("%-24s type %o mode %o\n", l, st.st_mode & S_IFMT, st.st_mode & 07777);
	}
	struct stat a, b;
	fstat(e, &a);
	fstat(ep, &b);
	printf("anon inodes shared %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	return 0;
}
