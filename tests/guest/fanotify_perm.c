/* fanotify_perm: permission events (FAN_OPEN_PERM, FAN_ACCESS_PERM),
 * compared with the host kernel (DIR: /dev/shm natively).  A child opens
 * and reads a marked file and waits in the kernel until this process
 * answers: FAN_ALLOW lets the call go on, FAN_DENY makes it EPERM, closing
 * the group allows everything pending, and SIGKILL still ends a waiter.
 * The child's results travel back through shared memory; this process
 * prints everything, so the output has one order. */
#define _GNU_SOURCE
#include "procs.h"
#include <fcntl.h>
#include <sys/fanotify.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

static volatile int *res;       /* the child's results, -errno or a count */

static int fan;

/* read one event: print its mask and whose it is; its fd in *fdp */
static void event(const char *what, pid_t child, int *fdp)
{
	struct fanotify_event_metadata m;
	ssize_t n = read(fan, &m, sizeof m);
	if (n != sizeof m) {
		printf("%s: read %zd (%s)\n", what, n, strerror(errno));
		*fdp = -1;
		return;
	}
	printf("%s: mask %llx pid %s fd %s\n", what, (unsigned long long)m.mask,
	       m.pid == child ? "child" : "other", m.fd >= 0 ? "yes" : "no");
	*fdp = m.fd;
}

static long answer(int fd, unsigned int response)
{
	struct fanotify_response r = { .fd = fd, .response = response };
	long n = write(fan, &r, sizeof r);
	return n < 0 ? -errno : n;
}

static int r(long v)
{
	return v < 0 ? -errno : (int)v;
}

int main(int argc, char **argv)
{
	char dir[256], buf[16];
	int st, efd;
	pid_t child;

	if (argc < 2)
		return 2;
	if (access("/proc/self", R_OK)) {
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	test_as_child();
	res = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	mkdir(argv[1], 01777);
	snprintf(dir, sizeof dir, "%s/fanp-%d", argv[1], getpid());
	mkdir(dir, 0755);
	chdir(dir);
	int w = open("f", O_CREAT | O_WRONLY, 0644);
	write(w, "0123456789", 10);
	close(w);

	/* a notification group cannot take permission events */
	int notif = fanotify_init(FAN_CLASS_NOTIF, O_RDONLY);
	printf("perm mark on a notification group: %d\n",
	       r(fanotify_mark(notif, FAN_MARK_ADD, FAN_ACCESS_PERM, AT_FDCWD, "f")));
	close(notif);

	fan = fanotify_init(FAN_CLASS_CONTENT, O_RDONLY);
	printf("perm mark: %d\n", r(fanotify_mark(fan, FAN_MARK_ADD,
	       FAN_OPEN_PERM | FAN_ACCESS_PERM, AT_FDCWD, "f")));

	/* open allowed; first read denied, second allowed */
	child = fork();
	if (child == 0) {
		close(fan);
		int fd = open("f", O_RDONLY);
		res[0] = fd < 0 ? -errno : 0;
		res[1] = r(read(fd, buf, 4));
		res[2] = r(pread(fd, buf, 4, 2));
		_exit(0);
	}
	event("open", child, &efd);
	printf("answer with a wrong fd: %ld\n", answer(efd + 100, FAN_ALLOW));
	printf("answer with a bad response: %ld\n", answer(efd, 3));
	printf("answer with FAN_AUDIT unasked: %ld\n", answer(efd, FAN_ALLOW | FAN_AUDIT));
	printf("short answer: %d\n", r(write(fan, &efd, 4)));
	printf("allow open: %ld\n", answer(efd, FAN_ALLOW));
	printf("allow again: %ld\n", answer(efd, FAN_ALLOW));
	close(efd);
	event("read", child, &efd);
	printf("deny read: %ld\n", answer(efd, FAN_DENY));
	close(efd);
	event("pread", child, &efd);
	printf("allow pread: %ld\n", answer(efd, FAN_ALLOW));
	close(efd);
	waitpid(child, &st, 0);
	printf("child: open %d read %d pread %d, exit %d\n", res[0], res[1], res[2],
	       WEXITSTATUS(st));

	/* an event never answered: closing the group allows it */
	child = fork();
	if (child == 0) {
		close(fan);
		int fd = open("f", O_RDONLY);
		res[0] = fd < 0 ? -errno : 0;
		_exit(0);
	}
	event("unanswered open", child, &efd);
	close(efd);
	close(fan);
	waitpid(child, &st, 0);
	printf("after close: child open %d, exit %d\n", res[0], WEXITSTATUS(st));

	/* a waiter still dies of SIGKILL */
	fan = fanotify_init(FAN_CLASS_CONTENT, O_RDONLY);
	fanotify_mark(fan, FAN_MARK_ADD, FAN_ACCESS_PERM, AT_FDCWD, "f");
	int fd = open("f", O_RDONLY);
	child = fork();
	if (child == 0) {
		close(fan);
		read(fd, buf, 1);
		_exit(0);
	}
	event("killed reader", child, &efd);
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	printf("reader: signalled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
	printf("answer for the dead: %ld\n", answer(efd, FAN_ALLOW));
	close(efd);
	close(fan);
	unlink("f");
	chdir("/");
	rmdir(dir);
	return 0;
}
