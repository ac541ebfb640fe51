/* namespaces: UTS and time namespaces (clone, unshare, setns,
 * /proc/PID/ns, /proc/PID/timens_offsets), compared with the host kernel
 * as root.  Namespace numbers and the host's names and clocks differ
 * between kernels, so only relations are printed: "differs from the
 * parent's", offsets within a tolerance.
 *
 *   namespaces uts | time | exec-time | errors | user | user-unprivileged | ipc
 */
#include "procs.h"
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <time.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif
#define NS_GET_USERNS 0xb701
#define NS_GET_PARENT 0xb702
#define NS_GET_NSTYPE 0xb703

static const char *self;

static unsigned long ino_of(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return 0;
	return st.st_ino;
}

static const char *same(unsigned long a, unsigned long b)
{
	return a == b ? "same" : "differs";
}

static void show_file(const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (n < 0) {
		printf("%s: %s\n", path, strerror(errno));
	} else {
		buf[n] = 0;
		printf("%s:\n%s", path, buf);
	}
	if (fd >= 0)
		close(fd);
}

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

static char *read_line(const char *path, char *buf, int size)
{
	int fd = open(path, O_RDONLY);
	int n = fd < 0 ? -1 : read(fd, buf, size - 1);
	buf[n > 0 ? n : 0] = 0;
	if (fd >= 0)
		close(fd);
	return buf;
}

/* ---- UTS ---- */

static void uts(void)
{
	struct utsname u0, u;
	char buf[80], path[64];
	uname(&u0);
	int parent_uts = open("/proc/self/ns/uts", O_RDONLY);
	unsigned long ino0 = ino_of("/proc/self/ns/uts");
	printf("nstype %#x\n", ioctl(parent_uts, NS_GET_NSTYPE));
	SHOW(ioctl(parent_uts, NS_GET_PARENT));
	int userfd = ioctl(parent_uts, NS_GET_USERNS);
	printf("owner is my user ns: %s\n", same(ino_of("/proc/self/ns/user"),
		({ struct stat st; fstat(userfd, &st); st.st_ino; })));
	fflush(stdout);

	pid_t c = fork();
	if (c == 0) {
		SHOW(unshare(CLONE_NEWUTS));
		printf("uts ns after unshare: %s\n", same(ino_of("/proc/self/ns/uts"), ino0));
		snprintf(path, sizeof path, "/proc/%d/ns/uts", getppid());
		printf("parent's still: %s\n", same(ino_of(path), ino0));
		uname(&u);
		printf("copied name: %s\n", strcmp(u.nodename, u0.nodename) ? "differs" : "same");
		SHOW(sethostname("inner", 5));
		SHOW(setdomainname("indomain", 8));
		uname(&u);
		printf("uname: %s %s\n", u.nodename, u.domainname);
		printf("sysctl: %s", read_line("/proc/sys/kernel/hostname", buf, sizeof buf));
		SHOW(write_file("/proc/sys/kernel/hostname", "viasysctl\n"));
		uname(&u);
		printf("uname: %s\n", u.nodename);
		/* back to the parent's */
		SHOW(setns(parent_uts, CLONE_NEWUTS));
		printf("uts ns after setns: %s\n", same(ino_of("/proc/self/ns/uts"), ino0));
		uname(&u);
		printf("name after setns: %s\n", strcmp(u.nodename, u0.nodename) ? "differs" : "same");
		fflush(stdout);
		_exit(0);
	}
	wait_describe("unshare child", c);
	uname(&u);
	printf("parent's name kept: %s %s\n", strcmp(u.nodename, u0.nodename) ? "differs" : "same",
	       strcmp(u.domainname, u0.domainname) ? "differs" : "same");

	/* clone(CLONE_NEWUTS): the child starts in a new one */
	c = syscall(SYS_clone, CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0);
	if (c == 0) {
		printf("clone child: %s\n", same(ino_of("/proc/self/ns/uts"), ino0));
		sethostname("cloned", 6);
		fflush(stdout);
		_exit(0);
	}
	wait_describe("clone child", c);
	uname(&u);
	printf("parent's name kept: %s\n", strcmp(u.nodename, u0.nodename) ? "differs" : "same");
}

/* ---- time ---- */

static int64_t ns_of(clockid_t clk, int raw)
{
	struct timespec ts;
	if (raw)
		syscall(SYS_clock_gettime, clk, &ts);
	else
		clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static const char *near(int64_t diff_ns, int64_t want_s)
{
	int64_t d = diff_ns - want_s * 1000000000LL;
	return d > -2000000000LL && d < 2000000000LL ? "ok" : "WRONG";
}

static double uptime_file(void)
{
	char buf[80];
	return atof(read_line("/proc/uptime", buf, sizeof buf));
}

static void time_child(int64_t mono0, int64_t boot0, int64_t coarse0, long up0, double upf0,
		       int parent_time)
{
	struct sysinfo si;
	printf("child time ns is the parent's for_children: %s\n",
	       same(ino_of("/proc/self/ns/time"), ino_of("/proc/self/ns/time_for_children")));
	printf("vdso monotonic +3600: %s\n", near(ns_of(CLOCK_MONOTONIC, 0) - mono0, 3600));
	printf("syscall monotonic +3600: %s\n", near(ns_of(CLOCK_MONOTONIC, 1) - mono0, 3600));
	printf("coarse monotonic +3600: %s\n", near(ns_of(CLOCK_MONOTONIC_COARSE, 0) - coarse0, 3600));
	printf("boottime +7200: %s\n", near(ns_of(CLOCK_BOOTTIME, 0) - boot0, 7200));
	sysinfo(&si);
	printf("sysinfo uptime +7200: %s\n", near((si.uptime - up0) * 1000000000LL, 7200));
	printf("/proc/uptime +7200: %s\n", near((uptime_file() - upf0) * 1e9, 7200));

	/* an absolute sleep until 0.2 s from now, in the namespace's time */
	struct timespec t0, t1, dl;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_nsec += 200000000;
	if (dl.tv_nsec >= 1000000000) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000;
	}
	clock_gettime(CLOCK_REALTIME, &t0);
	SHOW(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL));
	clock_gettime(CLOCK_REALTIME, &t1);
	int64_t slept = (t1.tv_sec - t0.tv_sec) * 1000000000LL + t1.tv_nsec - t0.tv_nsec;
	printf("absolute sleep took 0.2 s: %s\n",
	       slept > 150000000 && slept < 1500000000 ? "ok" : "WRONG");

	/* a timerfd armed at an absolute time 0.2 s away */
	int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec its = { .it_value = dl };
	its.it_value.tv_nsec += 200000000;
	if (its.it_value.tv_nsec >= 1000000000) {
		its.it_value.tv_sec++;
		its.it_value.tv_nsec -= 1000000000;
	}
	SHOW(timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL));
	struct itimerspec cur;
	timerfd_gettime(tfd, &cur);
	printf("timerfd left < 1 s: %s\n", cur.it_value.tv_sec == 0 ? "ok" : "WRONG");
	uint64_t ticks = 0;
	clock_gettime(CLOCK_REALTIME, &t0);
	read(tfd, &ticks, 8);
	clock_gettime(CLOCK_REALTIME, &t1);
	slept = (t1.tv_sec - t0.tv_sec) * 1000000000LL + t1.tv_nsec - t0.tv_nsec;
	printf("timerfd: %llu tick(s), within 1.5 s: %s\n", (unsigned long long)ticks,
	       slept < 1500000000 ? "ok" : "WRONG");

	/* the offsets are frozen once a task is in the namespace */
	SHOW(write_file("/proc/self/timens_offsets", "1 5 0"));
	/* back to the parent's namespace: the clocks are the host's again */
	SHOW(setns(parent_time, CLONE_NEWTIME));
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/time", test_reaper_pid);
	printf("time ns after setns: %s\n", same(ino_of("/proc/self/ns/time"), ino_of(path)));
	printf("vdso monotonic +0: %s\n", near(ns_of(CLOCK_MONOTONIC, 0) - mono0, 0));
	printf("boottime +0: %s\n", near(ns_of(CLOCK_BOOTTIME, 1) - boot0, 0));
	fflush(stdout);
}

static void time_ns(void)
{
	struct sysinfo si;
	int parent_time = open("/proc/self/ns/time", O_RDONLY);
	unsigned long ino0 = ino_of("/proc/self/ns/time");
	show_file("/proc/self/timens_offsets");
	SHOW(unshare(CLONE_NEWTIME));
	printf("time: %s, time_for_children: %s\n", same(ino_of("/proc/self/ns/time"), ino0),
	       same(ino_of("/proc/self/ns/time_for_children"), ino0));
	int fc = open("/proc/self/ns/time_for_children", O_RDONLY);
	printf("nstype %#x\n", ioctl(fc, NS_GET_NSTYPE));
	SHOW(write_file("/proc/self/timens_offsets", "1 3600 0\n7 7200 500"));
	show_file("/proc/self/timens_offsets");
	SHOW(write_file("/proc/self/timens_offsets", "2 1 0"));
	SHOW(write_file("/proc/self/timens_offsets", "1 1 1000000000"));
	SHOW(write_file("/proc/self/timens_offsets", "1 x 0"));
	SHOW(write_file("/proc/self/timens_offsets", "1 -100000000000 0"));
	/* a thread may not share the mm across time namespaces */
	pid_t v = vfork();
	if (v == 0)
		_exit(0);
	printf("vfork: %s\n", v < 0 ? strerror(errno) : "ok");
	if (v > 0)
		waitpid(v, NULL, 0);

	int64_t mono0 = ns_of(CLOCK_MONOTONIC, 0), boot0 = ns_of(CLOCK_BOOTTIME, 0);
	int64_t coarse0 = ns_of(CLOCK_MONOTONIC_COARSE, 0);
	sysinfo(&si);
	double upf0 = uptime_file();
	printf("parent's clock unchanged: %s\n", near(ns_of(CLOCK_MONOTONIC, 1) - mono0, 0));
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		time_child(mono0, boot0, coarse0, si.uptime, upf0, parent_time);
		_exit(0);
	}
	wait_describe("time child", c);
	show_file("/proc/self/timens_offsets");
}

/* unshare, then exec: the new program is in the new namespace */
static void exec_time(int after)
{
	if (after) {
		printf("after exec: time is time_for_children: %s\n",
		       same(ino_of("/proc/self/ns/time"), ino_of("/proc/self/ns/time_for_children")));
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/ns/time", getppid());
		printf("after exec: vs the parent's: %s\n", same(ino_of("/proc/self/ns/time"), ino_of(path)));
		printf("after exec: monotonic offset: %s\n", strchr(read_line("/proc/self/timens_offsets",
		       path, sizeof path), ' ') ? "shown" : "missing");
		fflush(stdout);
		return;
	}
	pid_t c = fork();
	if (c == 0) {
		unshare(CLONE_NEWTIME);
		write_file("/proc/self/timens_offsets", "1 100 0");
		fflush(stdout);
		execl("/proc/self/exe", self, "exec-time-after", NULL);
		_exit(99);
	}
	wait_describe("exec child", c);
}

/* ---- user ---- */

static void ids(const char *when)
{
	printf("%s: uid %d euid %d gid %d egid %d\n", when, (int)getuid(), (int)geteuid(),
	       (int)getgid(), (int)getegid());
}

static void caps(void)
{
	char buf[4096], *p;
	read_line("/proc/self/status", buf, sizeof buf);
	p = strstr(buf, "CapEff:");
	if (p)
		printf("%.24s\n", p);
	p = strstr(buf, "Uid:");
	if (p)
		printf("%.*s\n", (int)strcspn(p, "\n"), p);
	p = strstr(buf, "Gid:");
	if (p)
		printf("%.*s\n", (int)strcspn(p, "\n"), p);
}

static int fd_ino_same(int fd, const char *path)
{
	struct stat a;
	return fd >= 0 && fstat(fd, &a) == 0 && a.st_ino == ino_of(path);
}

static void user(void)
{
	char tmp[] = "/tmp/nsXXXXXX", path[64];
	mkdir("/tmp", 01777);
	int tf = mkstemp(tmp);
	if (tf >= 0)
		fchown(tf, 1000, 1000);
	int parent_user = open("/proc/self/ns/user", O_RDONLY);
	unsigned long ino0 = ino_of("/proc/self/ns/user");
	SHOW(ioctl(parent_user, NS_GET_USERNS));
	SHOW(ioctl(parent_user, NS_GET_PARENT));
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		ids("before");
		SHOW(unshare(CLONE_NEWUSER));
		ids("unmapped");
		caps();
		printf("user ns: %s\n", same(ino_of("/proc/self/ns/user"), ino0));
		show_file("/proc/self/uid_map");
		show_file("/proc/self/setgroups");
		SHOW(sethostname("x", 1));
		SHOW(write_file("/proc/self/uid_map", "0 0 1\n"));
		SHOW(write_file("/proc/self/uid_map", "0 0 1\n"));
		SHOW(write_file("/proc/self/gid_map", "0 0 1\n"));
		SHOW(write_file("/proc/self/setgroups", "deny"));
		SHOW(write_file("/proc/self/setgroups", "allow"));
		SHOW(write_file("/proc/self/gid_map", "0 0 1\n"));
		show_file("/proc/self/uid_map");
		show_file("/proc/self/gid_map");
		show_file("/proc/self/setgroups");
		ids("mapped");
		gid_t g = 0;
		SHOW(setgroups(1, &g));
		SHOW(setuid(0));
		SHOW(setuid(1000));
		struct stat st;
		if (tf >= 0) {
			fstat(tf, &st);
			printf("file owner seen as %d:%d\n", (int)st.st_uid, (int)st.st_gid);
			SHOW(fchown(tf, 1000, -1));
			SHOW(fchown(tf, 0, -1));
		}
		stat("/", &st);
		printf("/ owner seen as %d:%d\n", (int)st.st_uid, (int)st.st_gid);
		int own = open("/proc/self/ns/user", O_RDONLY);
		/* the parent namespace is above the caller: out of its sight */
		SHOW(ioctl(own, NS_GET_USERNS));
		SHOW(ioctl(own, NS_GET_PARENT));
		uid_t owner = 99;
		SHOW(ioctl(own, 0xb704, &owner));
		printf("owner uid %d\n", (int)owner);
		/* privilege in the namespace: a UTS namespace of its own */
		SHOW(unshare(CLONE_NEWUTS));
		SHOW(sethostname("inuserns", 8));
		SHOW(setns(parent_user, CLONE_NEWUSER));
		SHOW(setns(own, CLONE_NEWUSER));
		/* a nested one */
		fflush(stdout);
		pid_t g2 = fork();
		if (g2 == 0) {
			SHOW(unshare(CLONE_NEWUSER));
			ids("nested unmapped");
			SHOW(write_file("/proc/self/uid_map", "5 0 1"));
			ids("nested mapped");
			fflush(stdout);
			_exit(0);
		}
		wait_describe("nested", g2);
		_exit(0);
	}
	wait_describe("user child", c);
	/* clone(CLONE_NEWUSER): the parent sees the child's namespace */
	c = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (c == 0) {
		sleep(1);
		_exit(0);
	}
	snprintf(path, sizeof path, "/proc/%d/ns/user", c);
	int cfd = open(path, O_RDONLY);
	printf("child's user ns: %s\n", same(ino_of(path), ino0));
	int o = ioctl(cfd, NS_GET_USERNS);
	printf("its owner is mine: %d\n", fd_ino_same(o, "/proc/self/ns/user"));
	snprintf(path, sizeof path, "/proc/%d/uid_map", c);
	SHOW(write_file(path, "0 0 1000"));
	char buf[128];
	printf("its uid_map: %s", read_line(path, buf, sizeof buf));
	int par = ioctl(cfd, NS_GET_PARENT);
	printf("its parent is mine: %d\n", fd_ino_same(par, "/proc/self/ns/user"));
	SHOW(setns(cfd, CLONE_NEWUSER));
	ids("after setns");
	fflush(stdout);
	kill(c, SIGKILL);
	wait_describe("clone child", c);
	if (tf >= 0)
		unlink(tmp);
}

static void user_unprivileged(void)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		setgid(65534);
		setuid(65534);
		prctl(PR_SET_DUMPABLE, 1);
		ids("nobody");
		SHOW(unshare(CLONE_NEWUTS));
		SHOW(unshare(CLONE_NEWUSER));
		ids("unmapped");
		SHOW(write_file("/proc/self/uid_map", "0 0 1"));
		SHOW(write_file("/proc/self/uid_map", "0 65534 2"));
		SHOW(write_file("/proc/self/uid_map", "0 65534 1"));
		SHOW(write_file("/proc/self/gid_map", "0 65534 1"));
		SHOW(write_file("/proc/self/setgroups", "deny"));
		SHOW(write_file("/proc/self/gid_map", "0 65534 1"));
		ids("mapped");
		caps();
		fflush(stdout);
		pid_t e = fork();
		if (e == 0) {
			/* root of the namespace keeps its capabilities through exec */
			execl("/proc/self/exe", self, "show-caps", NULL);
			_exit(99);
		}
		wait_describe("exec", e);
		SHOW(unshare(CLONE_NEWUTS));
		SHOW(sethostname("mine", 4));
		SHOW(unshare(CLONE_NEWUSER | CLONE_NEWUTS));
		SHOW(setns(open("/proc/self/ns/uts", O_RDONLY), CLONE_NEWUTS));
		SHOW(open("/proc/self/timens_offsets", O_WRONLY) >= 0);
		fflush(stdout);
		/* an unmapped root has none after exec */
		execl("/proc/self/exe", self, "show-caps", NULL);
		_exit(99);
	}
	wait_describe("unprivileged child", c);
}

/* ---- IPC ---- */

static int count_lines(const char *path)
{
	char buf[4096];
	int n = 0;
	read_line(path, buf, sizeof buf);
	for (char *p = buf; *p; p++)
		n += *p == '\n';
	return n;
}

static void ipc(void)
{
	char before[64], buf[64];
	int shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int msqid = msgget(0x4e53, IPC_CREAT | 0600);
	int mq = syscall(SYS_mq_open, "nsq", O_CREAT | O_RDWR, 0600, NULL);
	int parent_ipc = open("/proc/self/ns/ipc", O_RDONLY);
	unsigned long ino0 = ino_of("/proc/self/ns/ipc");
	read_line("/proc/sys/kernel/msgmnb", before, sizeof before);
	printf("made: shm %d msg %d mq %d\n", shmid >= 0, msqid >= 0, mq >= 0);
	int shm_lines = count_lines("/proc/sysvipc/shm");
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		SHOW(unshare(CLONE_NEWIPC));
		printf("ipc ns: %s\n", same(ino_of("/proc/self/ns/ipc"), ino0));
		void *p = shmat(shmid, NULL, 0);
		printf("shmat parent's: %s\n", p == (void *)-1 ? strerror(errno) : "attached");
		SHOW(msgget(0x4e53, 0));
		SHOW(syscall(SYS_mq_open, "nsq", O_RDONLY, 0, NULL));
		printf("/proc/sysvipc/shm: header only %d\n", count_lines("/proc/sysvipc/shm") == 1);
		printf("msgmnb fresh: %s\n", strcmp(read_line("/proc/sys/kernel/msgmnb", buf,
		       sizeof buf), "16384\n") ? buf : "default");
		SHOW(write_file("/proc/sys/kernel/msgmnb", "1000"));
		printf("msgmnb: %s", read_line("/proc/sys/kernel/msgmnb", buf, sizeof buf));
		int mine = msgget(0x4e53, IPC_CREAT | 0600);
		printf("own queue: %d\n", mine >= 0);
		SHOW(syscall(SYS_mq_open, "nsq", O_CREAT | O_RDWR, 0600, NULL) >= 0);
		SHOW(setns(parent_ipc, CLONE_NEWIPC));
		p = shmat(shmid, NULL, 0);
		printf("shmat after setns: %s\n", p == (void *)-1 ? strerror(errno) : "attached");
		printf("msg queue back: %d\n", msgget(0x4e53, 0) == msqid);
		printf("msgmnb back: %s\n", strcmp(read_line("/proc/sys/kernel/msgmnb", buf,
		       sizeof buf), before) ? "differs" : "same");
		fflush(stdout);
		_exit(0);
	}
	wait_describe("ipc child", c);
	printf("parent's msgmnb kept: %s\n", strcmp(read_line("/proc/sys/kernel/msgmnb", buf,
	       sizeof buf), before) ? "differs" : "same");
	printf("parent's shm lines kept: %d\n", count_lines("/proc/sysvipc/shm") == shm_lines);
	fflush(stdout);
	c = syscall(SYS_clone, CLONE_NEWIPC | SIGCHLD, 0, 0, 0, 0);
	if (c == 0) {
		printf("clone child: %s, sees the queue: %d\n", same(ino_of("/proc/self/ns/ipc"), ino0),
		       msgget(0x4e53, 0) >= 0);
		fflush(stdout);
		_exit(0);
	}
	wait_describe("clone child", c);
	shmctl(shmid, IPC_RMID, NULL);
	msgctl(msqid, IPC_RMID, NULL);
	syscall(SYS_mq_unlink, "nsq");
}

static void errors(void)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		int uts = open("/proc/self/ns/uts", O_RDONLY);
		setuid(65534);
		SHOW(unshare(CLONE_NEWUTS));
		SHOW(unshare(CLONE_NEWTIME));
		SHOW(setns(uts, CLONE_NEWUTS));
		SHOW(sethostname("x", 1));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("unprivileged child", c);
	c = fork();
	if (c == 0) {
		/* root without CAP_SYS_TIME may not set the offsets */
		struct { uint32_t version; int pid; } hdr = { 0x20080522, 0 };
		struct { uint32_t eff, perm, inh; } data[2];
		syscall(SYS_capget, &hdr, data);
		data[0].eff &= ~(1u << 25);
		SHOW(syscall(SYS_capset, &hdr, data));
		SHOW(unshare(CLONE_NEWTIME));
		SHOW(write_file("/proc/self/timens_offsets", "1 1 0"));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("child without CAP_SYS_TIME", c);
	long r = syscall(SYS_clone, CLONE_NEWIPC | CLONE_SYSVSEM | SIGCHLD, 0, 0, 0, 0);
	if (r == 0)
		_exit(0);
	printf("clone(CLONE_NEWIPC|CLONE_SYSVSEM) -> %ld (%s)\n", r, r < 0 ? strerror(errno) : "");
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	self = argv[0];
	if (!strcmp(argv[1], "show-caps")) {
		ids("after exec");
		caps();
		return 0;
	}
	if (!strcmp(argv[1], "exec-time-after")) {
		exec_time(1);
		return 0;
	}
	if (access("/proc/self/ns", R_OK)) {
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	test_as_child();
	if (!strcmp(argv[1], "uts"))
		uts();
	else if (!strcmp(argv[1], "time"))
		time_ns();
	else if (!strcmp(argv[1], "exec-time"))
		exec_time(0);
	else if (!strcmp(argv[1], "errors"))
		errors();
	else if (!strcmp(argv[1], "user"))
		user();
	else if (!strcmp(argv[1], "ipc"))
		ipc();
	else if (!strcmp(argv[1], "user-unprivileged"))
		user_unprivileged();
	fflush(stdout);
	return 0;
}
