/*
 * conform: kernel interfaces the Linux Test Project found missing or wrong,
 * each compared with the host kernel.  conform MODE:
 *   oom       /proc/self/oom_score_adj: write, read back, the range, an
 *             unprivileged process may not go below what root set (this
 *             host's root lacks CAP_SYS_RESOURCE: no value below 0 here)
 *   oommin    root lowers oom_score_adj to -1000 (pyuml only: root has
 *             every capability there)
 *   prio      getpriority/setpriority: which and who (a thread, a process
 *             group, a user's processes), EINVAL, ESRCH, EPERM, EACCES
 *   enosys NR...  call each system call NR with harmless arguments and
 *             print "NR ENOSYS" or "NR implemented" (pyuml only: against
 *             /proc/config.gz; seccomp is asked for mode 1 with no filter)
 */
#include "procs.h"
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	int r = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

static void show_file(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	int n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (n >= 0)
		buf[n] = 0;
	printf("%s: %s", path, n < 0 ? "(unreadable)\n" : buf);
	if (fd >= 0)
		close(fd);
}

static void oom(void)
{
	show_file("/proc/self/oom_score_adj");
	show_file("/proc/self/oom_score");
	SHOW(write_file("/proc/self/oom_score_adj", "1001"));
	SHOW(write_file("/proc/self/oom_score_adj", "-1001"));
	SHOW(write_file("/proc/self/oom_score_adj", "abc"));
	SHOW(write_file("/proc/self/oom_score_adj", " 500\n"));
	show_file("/proc/self/oom_score_adj");
	SHOW(write_file("/proc/self/oom_score_adj", "100"));
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		/* inherited; made dumpable again after setuid, the process
		 * owns its files and may raise its score */
		show_file("/proc/self/oom_score_adj");
		if (setresuid(65534, 65534, 65534) < 0)
			perror("setuid");
		prctl(PR_SET_DUMPABLE, 1);
		SHOW(write_file("/proc/self/oom_score_adj", "200"));
		SHOW(write_file("/proc/self/oom_score_adj", "300"));
		show_file("/proc/self/oom_score_adj");
		fflush(stdout);
		_exit(0);
	}
	wait_describe("child", c);
	SHOW(write_file("/proc/self/oom_score_adj", "0"));
	show_file("/proc/self/oom_score_adj");
}

static void oommin(void)
{
	SHOW(write_file("/proc/self/oom_score_adj", "-1000"));
	show_file("/proc/self/oom_score_adj");
	show_file("/proc/self/oom_score");
	SHOW(write_file("/proc/self/oom_score_adj", "-500"));
	fflush(stdout);
	if (fork() == 0) {
		/* not below what root set */
		setresuid(65534, 65534, 65534);
		prctl(PR_SET_DUMPABLE, 1);
		SHOW(write_file("/proc/self/oom_score_adj", "-501"));
		SHOW(write_file("/proc/self/oom_score_adj", "-400"));
		SHOW(write_file("/proc/self/oom_score_adj", "-500"));
		show_file("/proc/self/oom_score_adj");
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
}

static void prio(void)
{
	SHOW(getpriority(-1, 0));
	SHOW(getpriority(3, 0));
	SHOW(setpriority(-1, 0, 0));
	SHOW(getpriority(PRIO_PROCESS, 0));
	SHOW(getpriority(PRIO_PROCESS, 999999));
	SHOW(setpriority(PRIO_PROCESS, 999999, 1));
	SHOW(getpriority(PRIO_USER, 54321));		/* nobody runs as 54321 */
	SHOW(setpriority(PRIO_USER, 54321, 3));
	SHOW(setpriority(PRIO_PROCESS, 0, 2));
	SHOW(getpriority(PRIO_PROCESS, 0));
	SHOW(getpriority(PRIO_PGRP, 0));
	SHOW(setpriority(PRIO_PROCESS, 0, 100));	/* clamped to 19 */
	SHOW(getpriority(PRIO_PROCESS, 0));
	SHOW(setpriority(PRIO_PROCESS, 0, 1));		/* root may lower it */
	int go[2], done[2];
	if (pipe(go) < 0 || pipe(done) < 0)
		return;
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		char b;
		setpgid(0, 0);
		if (setresuid(54321, 54321, 54321) < 0)
			perror("setresuid");
		if (write(done[1], "x", 1) != 1 || read(go[0], &b, 1) != 1)
			_exit(1);
		SHOW(getpriority(PRIO_PROCESS, 0));
		SHOW(setpriority(PRIO_PROCESS, getppid(), 5));	/* not ours */
		SHOW(setpriority(PRIO_PROCESS, 0, 6));
		SHOW(setpriority(PRIO_PROCESS, 0, 5));	/* lower: RLIMIT_NICE 0 */
		SHOW(setpriority(PRIO_PROCESS, 0, -3));
		struct rlimit r;
		getrlimit(RLIMIT_NICE, &r);
		printf("RLIMIT_NICE %ld %ld\n", (long)r.rlim_cur, (long)r.rlim_max);
		SHOW(getpriority(PRIO_PROCESS, 0));
		fflush(stdout);
		_exit(0);
	}
	char b;
	if (read(done[0], &b, 1) != 1)
		return;
	SHOW(getpriority(PRIO_USER, 54321));
	SHOW(setpriority(PRIO_USER, 54321, 4));
	SHOW(getpriority(PRIO_PGRP, c));
	SHOW(setpriority(PRIO_PGRP, c, 5));
	SHOW(getpriority(PRIO_PROCESS, c));
	fflush(stdout);
	if (write(go[1], "x", 1) != 1)
		return;
	wait_describe("child", c);
}

static void enosys(int n, char **nrs)
{
	for (int i = 0; i < n; i++) {
		long nr = atol(nrs[i]);
		long a0 = nr == SYS_seccomp ? 1 : 0;	/* not SECCOMP_SET_MODE_STRICT */
		errno = 0;
		long r = syscall(nr, a0, 0, 0, 0, 0, 0);
		printf("%ld %s\n", nr, r < 0 && errno == ENOSYS ? "ENOSYS" : "implemented");
	}
}

int main(int argc, char **argv)
{
	if (access("/proc/self", F_OK) < 0) {	/* under pyuml: an empty root */
		mkdir("/proc", 0555);
		if (mount("proc", "/proc", "proc", 0, NULL) < 0) { perror("mount"); return 1; }
	}
	test_as_child();
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "oom"))
		oom();
	else if (!strcmp(mode, "oommin"))
		oommin();
	else if (!strcmp(mode, "prio"))
		prio();
	else if (!strcmp(mode, "enosys"))
		enosys(argc - 2, argv + 2);
	else {
		printf("unknown mode %s\n", mode);
		return 2;
	}
	fflush(stdout);
	return 0;
}
