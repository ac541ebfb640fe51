/* setns: namespace files and setns(2) on one's own namespaces, compared
 * with the host kernel.  Namespace numbers differ between kernels (the
 * host runs in a container), so only their shape and consistency are
 * printed: "kind:[N]" with N the file's inode number, the same in a
 * child, NS_GET_NSTYPE, and setns's answers.
 */
#include "procs.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static const char *names[] = { "cgroup", "ipc", "mnt", "net", "pid", "pid_for_children",
			       "time", "time_for_children", "user", "uts", NULL };
static const int types[] = { CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNS, CLONE_NEWNET,
			     CLONE_NEWPID, CLONE_NEWPID, 0x80, 0x80, CLONE_NEWUSER, CLONE_NEWUTS };

static void shape(void)
{
	char path[64], link[64], link2[64];
	for (int i = 0; names[i]; i++) {
		snprintf(path, sizeof path, "/proc/self/ns/%s", names[i]);
		ssize_t n = readlink(path, link, sizeof link - 1);
		if (n < 0) {
			printf("%s: %s\n", names[i], strerror(errno));
			continue;
		}
		link[n] = 0;
		struct stat st, lst;
		stat(path, &st);
		lstat(path, &lst);
		char kind[32];
		unsigned long ino = 0;
		int ok = sscanf(link, "%31[^:]:[%lu]", kind, &ino) == 2;
		int fd = open(path, O_RDONLY);
		int t = ioctl(fd, 0xb703);
		/* the parent's link, read by a child, is the same */
		snprintf(path, sizeof path, "/proc/%d/ns/%s", getppid(), names[i]);
		n = readlink(path, link2, sizeof link2 - 1);
		link2[n > 0 ? n : 0] = 0;
		printf("%s: %s kind=%s ino==st_ino %d reg %d link %d nstype ok %d parent same %d"
		       " user ns owner %s\n", names[i], ok ? "shape ok" : link, kind,
		       ino == st.st_ino, S_ISREG(st.st_mode), S_ISLNK(lst.st_mode), t == types[i],
		       !strcmp(link, link2), ioctl(fd, 0xb701) < 0 ? strerror(errno) : "fd");
		close(fd);
	}
}

static void calls(void)
{
	int ipc = open("/proc/self/ns/ipc", O_RDONLY);
	int uts = open("/proc/self/ns/uts", O_RDONLY);
	int user = open("/proc/self/ns/user", O_RDONLY);
	int mnt = open("/proc/self/ns/mnt", O_RDONLY);
	int reg = open("/proc/self/status", O_RDONLY);
	SHOW(setns(-1, 0));
	SHOW(setns(reg, 0));
	SHOW(setns(reg, CLONE_NEWIPC));
	SHOW(setns(ipc, CLONE_NEWUTS));
	SHOW(setns(ipc, -1));
	SHOW(setns(ipc, 0));
	SHOW(setns(ipc, CLONE_NEWIPC));
	SHOW(setns(uts, CLONE_NEWUTS));
	SHOW(setns(user, 0));
	SHOW(setns(user, CLONE_NEWUSER));
	int pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	SHOW(setns(pidfd, 0));
	SHOW(setns(pidfd, CLONE_NEWUTS | CLONE_NEWIPC));
	SHOW(setns(pidfd, 1));
	SHOW(setns(pidfd, CLONE_NEWUSER));
	/* the mount namespace: root and cwd move to its root */
	chdir("/proc");
	SHOW(setns(mnt, CLONE_NEWNS));
	char cwd[64];
	printf("cwd after: %s\n", getcwd(cwd, sizeof cwd));
	fflush(stdout);
	if (fork() == 0) {
		setuid(65534);
		SHOW(setns(uts, CLONE_NEWUTS));
		SHOW(setns(ipc, 0));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (access("/proc/self/ns", R_OK)) {
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	test_as_child();
	if (!strcmp(argv[1], "shape"))
		shape();
	else if (!strcmp(argv[1], "calls"))
		calls();
	fflush(stdout);
	return 0;
}
