/* fanotify: fanotify_init/fanotify_mark and the events of open files,
 * compared with the host kernel (DIR: /dev/shm natively).  Marks are on
 * the scratch directory only, so no other program's events show. */
#define _GNU_SOURCE
#include "procs.h"
#include <fcntl.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>

static int fan;

static void drain(const char *what)
{
	char buf[4096];
	ssize_t n = read(fan, buf, sizeof buf);
	printf("%s:", what);
	if (n < 0) {
		printf(" %s\n", strerror(errno));
		return;
	}
	for (char *p = buf; p < buf + n; ) {
		struct fanotify_event_metadata *m = (void *)p;
		char path[64] = "", link[256] = "";
		if (m->fd >= 0) {
			snprintf(path, sizeof path, "/proc/self/fd/%d", m->fd);
			ssize_t l = readlink(path, link, sizeof link - 1);
			link[l > 0 ? l : 0] = 0;
			close(m->fd);
		}
		char *base = strrchr(link, '/');
		printf(" [mask %llx %s pid %s v%d len %d]", (unsigned long long)m->mask,
		       base ? base + 1 : link, m->pid == getpid() ? "me" : "other", m->vers,
		       m->event_len);
		p += m->event_len;
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	char dir[256];
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "-x"))		/* the copy the exec case runs */
		return 0;
	if (access("/proc/self", R_OK)) {        /* pyuml's initramfs */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	test_as_child();
	mkdir(argv[1], 01777);
	snprintf(dir, sizeof dir, "%s/fan-%d", argv[1], getpid());
	mkdir(dir, 0755);
	chdir(dir);
	close(open("f", O_CREAT | O_WRONLY, 0644));
	mkdir("sub", 0755);
	SHOW(fanotify_init(0x80000000, O_RDONLY));
	SHOW(fanotify_init(FAN_CLASS_CONTENT | FAN_CLASS_PRE_CONTENT, O_RDONLY));
	SHOW(fanotify_init(0, 3));
	fan = fanotify_init(FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY);
	printf("fanotify_init: %s cloexec %d\n", fan >= 0 ? "ok" : strerror(errno),
	       fcntl(fan, F_GETFD) & FD_CLOEXEC);
	SHOW(fanotify_mark(fan, 0, FAN_OPEN, AT_FDCWD, "."));
	SHOW(fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_REMOVE, FAN_OPEN, AT_FDCWD, "."));
	SHOW(fanotify_mark(fan, FAN_MARK_ADD, 0, AT_FDCWD, "."));
	SHOW(fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_ONLYDIR, FAN_OPEN, AT_FDCWD, "f"));
	SHOW(fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, "missing"));
	SHOW(fanotify_mark(1, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, "."));
	SHOW(fanotify_mark(-1, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, "."));
	SHOW(fanotify_mark(fan, FAN_MARK_REMOVE, FAN_OPEN, AT_FDCWD, "f"));
	SHOW(fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_MOUNT | FAN_MARK_FILESYSTEM, FAN_OPEN,
			   AT_FDCWD, "."));
	drain("nothing yet");
	/* the directory, for its children */
	SHOW(fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN | FAN_CLOSE | FAN_ACCESS | FAN_MODIFY
			   | FAN_EVENT_ON_CHILD, AT_FDCWD, "."));
	char buf[8];
	int fd = open("f", O_RDWR);
	drain("open");
	write(fd, "x", 1);
	write(fd, "y", 1);
	drain("two writes (merged)");
	pread(fd, buf, 1, 0);
	close(fd);
	drain("read, close");
	int dfd = open("sub", O_RDONLY);
	close(dfd);
	drain("a subdirectory (no FAN_ONDIR)");
	/* the ignore mask */
	SHOW(fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_IGNORED_MASK, FAN_OPEN, AT_FDCWD, "f"));
	fd = open("f", O_RDONLY);
	close(fd);
	drain("open ignored");
	SHOW(fanotify_mark(fan, FAN_MARK_REMOVE | FAN_MARK_IGNORED_MASK, FAN_OPEN, AT_FDCWD, "f"));
	/* a mark on the file itself, then removed */
	SHOW(fanotify_mark(fan, FAN_MARK_REMOVE, FAN_OPEN | FAN_CLOSE | FAN_ACCESS | FAN_MODIFY
			   | FAN_EVENT_ON_CHILD, AT_FDCWD, "."));
	SHOW(fanotify_mark(fan, FAN_MARK_ADD, FAN_CLOSE_WRITE, AT_FDCWD, "f"));
	fd = open("f", O_WRONLY);
	close(fd);
	fd = open("f", O_RDONLY);
	close(fd);
	int n = -1;
	ioctl(fan, FIONREAD, &n);
	printf("FIONREAD %d\n", n);
	drain("close-write only");
	SHOW(fanotify_mark(fan, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL));
	fd = open("f", O_WRONLY);
	close(fd);
	drain("after flush");
	/* another process's events carry its pid */
	SHOW(fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, "f"));
	fflush(stdout);
	if (fork() == 0) {
		close(open("f", O_RDONLY));
		_exit(0);
	}
	wait(NULL);
	drain("child's open");
	/* an execve is an open with FAN_OPEN_EXEC too */
	int in = open("/proc/self/exe", O_RDONLY), out = open("prog", O_CREAT | O_WRONLY, 0755);
	char chunk[65536];
	ssize_t got;
	while ((got = read(in, chunk, sizeof chunk)) > 0)
		write(out, chunk, got);
	close(in);
	close(out);
	SHOW(fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN | FAN_OPEN_EXEC, AT_FDCWD, "prog"));
	fflush(stdout);
	if (fork() == 0) {
		execl("./prog", "prog", "-x", (char *)NULL);
		_exit(1);
	}
	int st;
	wait(&st);
	printf("exec'd copy: status %d\n", WEXITSTATUS(st));
	drain("execve");
	unlink("prog");
	close(fan);
	unlink("f");
	rmdir("sub");
	chdir("/");
	rmdir(dir);
	return 0;
}
