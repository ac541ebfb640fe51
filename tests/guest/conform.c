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
 *   txtbsy    a running program may not be written (open for writing,
 *             truncate: ETXTBSY) and a file open for writing may not be
 *             executed; both are allowed again once the other side is gone
 *   noatime   O_NOATIME only for the file's owner (open and F_SETFL: EPERM)
 *   nullargv  execve with an empty argv: the program gets argc 1, ""
 *   procpidfd pidfd_send_signal through an open /proc/PID (not a thread's
 *             directory, not a regular file; ESRCH once it is reaped), and
 *             wait4(INT_MIN): ESRCH
 *   nextid    /proc/sys/kernel/{msg,sem,shm}_next_id give the next IPC
 *             object its id, ns_last_pid the next pid, and /proc/PID of a
 *             new process with an old pid is another inode (pyuml only:
 *             natively this races with the host's own processes)
 *   sysvipc   /proc/sysvipc/{shm,msg,sem} list the objects (pyuml only:
 *             the host has objects of its own)
 *   pipesz    F_SETPIPE_SZ: 0 means one page, more than 2^31 is EINVAL,
 *             less than the data held is EBUSY
 *   rw2       pread/pwrite/preadv2/pwritev2: Linux's order of errors
 *             (EINVAL, EBADF, ESPIPE, then the mode), EISDIR for a
 *             directory, unknown RWF_ flags, O_APPEND and RWF_(NO)APPEND
 *   uname     the release, and whether 6.9's PIDFD_THREAD works
 *   caps      capabilities: capget/capset (versions, rules), an effective
 *             set without CAP_CHOWN refusing chown, the bounding set,
 *             setuid clearing the sets (and PR_SET_KEEPCAPS keeping the
 *             permitted one), ambient capabilities surviving a non-root
 *             exec.  Printed with CAP_SYS_RESOURCE masked out: this
 *             host's root lacks it.
 *   syncaff   fsync only on files and directories (EINVAL for a pipe, a
 *             socket, /dev/null); sync_file_range's checks; sched_get/
 *             setaffinity's EINVAL, ESRCH, EFAULT
 *   madv      MADV_WIPEONFORK (the child reads zeroes), MADV_DONTFORK (the
 *             child has no such memory), their EINVAL cases, MADV_FREE of
 *             a file mapping (EINVAL)
 *   openat2   openat2's struct checks: size, trailing bytes, flags, a mode
 *             without O_CREAT, resolve bits
 *   sigpend   RLIMIT_SIGPENDING: queued real-time signals beyond it are
 *             EAGAIN for sigqueue/tgkill, kill's still arrive
 *   closerange close_range(CLOSE_RANGE_UNSHARE) in a CLONE_FILES child closes
 *             its own copy, not the parent's fd
 *   sticky    personality(STICKY_TIMEOUTS): select leaves the timeout alone
 *   msgcopy   msgrcv(MSG_COPY): a copy of the Nth message, left in the
 *             queue; only with IPC_NOWAIT and without MSG_EXCEPT
 *   enosys NR...  call each system call NR with harmless arguments and
 *             print "NR ENOSYS" or "NR implemented" (pyuml only: against
 *             /proc/config.gz; seccomp is asked for mode 1 with no filter)
 */
#include "procs.h"
#include <fcntl.h>
#include <sys/personality.h>
#include <sys/select.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#include <sys/utsname.h>
#include <sys/uio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

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
	SHOW(setpriority(PRIO_PROCESS, 0, 0));		/* whatever nice we ran under */
	SHOW(getpriority(PRIO_PROCESS, 0));
	SHOW(getpriority(PRIO_PROCESS, 999999));
	SHOW(setpriority(PRIO_PROCESS, 999999, 1));
	SHOW(getpriority(PRIO_USER, 54321));		/* nobody runs as 54321 */
	SHOW(setpriority(PRIO_USER, 54321, 3));
	SHOW(setpriority(PRIO_PROCESS, 0, 2));
	SHOW(getpriority(PRIO_PROCESS, 0));
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

static int copy_self(const char *to)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	int n;
	if (in < 0 || out < 0)
		return -1;
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, n) != n)
			return -1;
	close(in);
	close(out);
	return 0;
}

static void txtbsy(void)
{
	char dir[] = "/tmp/conform-XXXXXX", prog[64];
	mkdir("/tmp", 01777);
	if (!mkdtemp(dir) || (snprintf(prog, sizeof prog, "%s/prog", dir), copy_self(prog)) < 0) {
		perror("copy");
		return;
	}
	int go[2], ready[2];
	if (pipe(go) < 0 || pipe(ready) < 0)
		return;
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		/* run the copy; it waits on fd 3 after saying it runs on fd 4 */
		dup2(go[0], 3);
		dup2(ready[1], 4);
		execl(prog, prog, "wait", (char *)NULL);
		_exit(127);
	}
	char b;
	if (read(ready[0], &b, 1) != 1)
		return;
	SHOW(open(prog, O_WRONLY));
	SHOW(open(prog, O_RDWR));
	SHOW(truncate(prog, 0));
	int r = open(prog, O_RDONLY);
	printf("open O_RDONLY: %s\n", r >= 0 ? "ok" : strerror(errno));
	close(r);
	if (write(go[1], "x", 1) != 1)
		return;
	wait_describe("running copy", c);
	int w = open(prog, O_WRONLY);
	printf("open O_WRONLY after exit: %s\n", w >= 0 ? "ok" : strerror(errno));
	/* while it is open for writing, nobody may run it */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		execl(prog, prog, "wait", (char *)NULL);
		printf("execl while open for writing: %s\n", strerror(errno));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("exec attempt", c);
	close(w);
	SHOW(truncate(prog, 0));
	unlink(prog);
	rmdir(dir);
}

static void noatime(void)
{
	char dir[] = "/tmp/conform-XXXXXX", path[64];
	mkdir("/tmp", 01777);
	if (!mkdtemp(dir))
		return;
	chmod(dir, 0755);
	snprintf(path, sizeof path, "%s/f", dir);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	int fd = open(path, O_RDONLY | O_NOATIME);
	printf("owner O_NOATIME: %s\n", fd >= 0 ? "ok" : strerror(errno));
	close(fd);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		if (setresuid(54321, 54321, 54321) < 0)
			perror("setresuid");
		SHOW(open(path, O_RDONLY | O_NOATIME));
		int f = open(path, O_RDONLY);
		printf("plain open: %s\n", f >= 0 ? "ok" : strerror(errno));
		SHOW(fcntl(f, F_SETFL, O_NOATIME));
		SHOW(fcntl(f, F_SETFL, O_NONBLOCK));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("child", c);
	unlink(path);
	rmdir(dir);
}

static void nullargv(void)
{
	char *argv[] = {NULL}, *envp[] = {"CONFORM_NULLARGV=1", NULL};
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		syscall(SYS_execve, "/proc/self/exe", argv, envp);
		printf("execve: %s\n", strerror(errno));
		fflush(stdout);
		_exit(1);
	}
	wait_describe("child", c);
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int s) { (void)s; got_usr1++; }

static void procpidfd(void)
{
	signal(SIGUSR1, on_usr1);
	int self = open("/proc/self", O_DIRECTORY | O_RDONLY);
	SHOW(syscall(SYS_pidfd_send_signal, self, SIGUSR1, NULL, 0));
	printf("got SIGUSR1: %d\n", (int)got_usr1);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%d", (int)syscall(SYS_gettid));
	int thr = open(path, O_DIRECTORY | O_RDONLY);
	SHOW(syscall(SYS_pidfd_send_signal, thr, SIGUSR1, NULL, 0));
	int file = open("/proc/self/status", O_RDONLY);
	SHOW(syscall(SYS_pidfd_send_signal, file, SIGUSR1, NULL, 0));
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	snprintf(path, sizeof path, "/proc/%d", (int)c);
	int child = open(path, O_DIRECTORY | O_RDONLY);
	SHOW(syscall(SYS_pidfd_send_signal, child, 0, NULL, 0));
	waitpid(c, NULL, 0);
	SHOW(syscall(SYS_pidfd_send_signal, child, 0, NULL, 0));
	SHOW(syscall(SYS_wait4, -2147483647 - 1, NULL, 0, NULL));
	SHOW(syscall(SYS_wait4, -2147483647, NULL, 0, NULL));
}

static long read_long(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof buf - 1) < 0)
		return -999;
	close(fd);
	return atol(buf);
}

static void nextid(void)
{
	printf("msg_next_id %ld\n", read_long("/proc/sys/kernel/msg_next_id"));
	SHOW(write_file("/proc/sys/kernel/msg_next_id", "98308"));	/* seq 3, slot 4 */
	int q = msgget(IPC_PRIVATE, 0600);
	printf("msgget: %d, then msg_next_id %ld\n", q,
	       read_long("/proc/sys/kernel/msg_next_id"));
	SHOW(write_file("/proc/sys/kernel/msg_next_id", "98308"));
	int q2 = msgget(IPC_PRIVATE, 0600);	/* slot 4 taken: the next free one */
	printf("msgget again: %d\n", q2);
	msgctl(q, IPC_RMID, NULL);
	msgctl(q2, IPC_RMID, NULL);
	SHOW(write_file("/proc/sys/kernel/shm_next_id", "7"));
	int m = shmget(IPC_PRIVATE, 4096, 0600);
	printf("shmget: %d\n", m);
	shmctl(m, IPC_RMID, NULL);
	SHOW(write_file("/proc/sys/kernel/sem_next_id", "5"));
	int s = semget(IPC_PRIVATE, 1, 0600);
	printf("semget: %d\n", s);
	semctl(s, 0, IPC_RMID);
	SHOW(write_file("/proc/sys/kernel/sem_next_id", "-2"));

	/* the same pid twice: another /proc/PID inode */
	SHOW(write_file("/proc/sys/kernel/ns_last_pid", "4999"));
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	printf("child pid %d\n", (int)c);
	struct stat st1, st2;
	stat("/proc/5000", &st1);
	waitpid(c, NULL, 0);
	write_file("/proc/sys/kernel/ns_last_pid", "4999");
	c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	stat("/proc/5000", &st2);
	printf("child pid %d, same inode: %s\n", (int)c, st1.st_ino == st2.st_ino ? "yes" : "no");
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);

	/* fs.nr_open lowered below an open fd: copying the table is EMFILE */
	struct rlimit nofile = {4096, 4096};
	setrlimit(RLIMIT_NOFILE, &nofile);
	dup2(1, 3000);
	SHOW(write_file("/proc/sys/fs/nr_open", "1024"));
	pid_t f = fork();
	if (f == 0)
		_exit(0);
	printf("fork: %s\n", f < 0 ? strerror(errno) : "ok");
	if (f > 0)
		waitpid(f, NULL, 0);
	close(3000);
	SHOW(write_file("/proc/sys/fs/nr_open", "1048576"));
}

static void cat(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY), n;
	if (fd < 0) {
		printf("%s: %s\n", path, strerror(errno));
		return;
	}
	while ((n = read(fd, buf, sizeof buf)) > 0)
		fwrite(buf, 1, n, stdout);
	close(fd);
}

static void sysvipc(void)
{
	int m = shmget(0x1234, 8192, IPC_CREAT | 0640);
	char *p = shmat(m, NULL, 0);
	p[0] = 1;
	int q = msgget(IPC_PRIVATE, 0600);
	struct { long type; char text[5]; } msg = {1, "hello"};
	msgsnd(q, &msg, 5, 0);
	int s = semget(-2, 3, IPC_CREAT | 0666);
	cat("/proc/sysvipc/shm");
	cat("/proc/sysvipc/msg");
	cat("/proc/sysvipc/sem");
	shmdt(p);
	shmctl(m, IPC_RMID, NULL);
	msgctl(q, IPC_RMID, NULL);
	semctl(s, 0, IPC_RMID);
	cat("/proc/sysvipc/shm");
}

static void pipesz(void)
{
	int p[2];
	if (pipe(p) < 0)
		return;
	SHOW(fcntl(p[1], F_GETPIPE_SZ));
	SHOW(fcntl(p[1], F_SETPIPE_SZ, 0));
	SHOW(fcntl(p[1], F_GETPIPE_SZ));
	SHOW(fcntl(p[1], F_SETPIPE_SZ, 5000));
	SHOW(fcntl(p[1], F_SETPIPE_SZ, (1U << 31) + 1));
	SHOW(fcntl(p[1], F_SETPIPE_SZ, 65536));
	char buf[20000] = {0};
	SHOW(write(p[1], buf, sizeof buf));
	SHOW(fcntl(p[1], F_SETPIPE_SZ, 4096));
	SHOW(fcntl(p[0], F_SETPIPE_SZ, 32768));
	SHOW(fcntl(p[0], F_GETPIPE_SZ));
}

/* raw, for musl: offset split as the kernel takes it */
static long rw2call(long nr, int fd, struct iovec *iov, int n, long long off, int flags)
{
	return syscall(nr, fd, iov, n, (long)off, (long)((unsigned long long)off >> 32), flags);
}
#define preadv2_(fd, iov, n, off, fl) rw2call(SYS_preadv2, fd, iov, n, off, fl)
#define pwritev2_(fd, iov, n, off, fl) rw2call(SYS_pwritev2, fd, iov, n, off, fl)
#define RWF_HIPRI_ 1
#define RWF_NOWAIT_ 8
#define RWF_APPEND_ 0x10
#define RWF_NOAPPEND_ 0x20

static void rw2(void)
{
	char dir[] = "/tmp/conform-XXXXXX", path[64], buf[16] = "0123456789";
	struct iovec iov = {buf, 4};
	mkdir("/tmp", 01777);
	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof path, "%s/f", dir);
	int fd = open(path, O_RDWR | O_CREAT, 0644);
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	int p[2];
	if (pipe(p) < 0)
		return;
	SHOW(write(fd, "abcdefgh", 8));
	SHOW(preadv2_(fd, &iov, 1, 0, -1));
	SHOW(preadv2_(fd, &iov, 1, 0, 0x40));
	SHOW(preadv2_(fd, &iov, 1, 0, RWF_NOWAIT_ | RWF_HIPRI_));
	SHOW(preadv2_(fd, &iov, 1, -2, 0));
	SHOW(preadv2_(d, &iov, 1, 0, 0));
	SHOW(pread(d, buf, 4, 0));
	SHOW(preadv2_(p[0], &iov, 1, 0, 0));
	SHOW(pwritev2_(p[0], &iov, 1, 0, 0));	/* ESPIPE before EBADF */
	SHOW(pwrite(p[0], buf, 4, 0));
	SHOW(pread(p[1], buf, 4, 0));
	SHOW(pread(fd, buf, 4, -1));
	SHOW(pread(99, buf, 4, -1));
	SHOW(pwritev2_(fd, &iov, 1, 0, RWF_APPEND_));
	SHOW(lseek(fd, 0, SEEK_CUR));
	SHOW(pwritev2_(fd, &iov, 1, -1, RWF_APPEND_));
	SHOW(lseek(fd, 0, SEEK_CUR));
	int a = open(path, O_WRONLY | O_APPEND);
	SHOW(pwrite(a, "XY", 2, 0));		/* appends all the same */
	SHOW(lseek(a, 0, SEEK_CUR));
	SHOW(pwritev2_(a, &iov, 1, 0, RWF_NOAPPEND_));
	SHOW(lseek(fd, 0, SEEK_END));
	char all[64] = "";
	SHOW(pread(fd, all, sizeof all - 1, 0));
	printf("contents: %s\n", all);
	close(a);
	close(fd);
	close(d);
	unlink(path);
	rmdir(dir);
}

static void release(void)
{
	struct utsname u;
	uname(&u);
	printf("release %s\n", u.release);
	long fd = syscall(SYS_pidfd_open, (long)syscall(SYS_gettid), O_EXCL /* PIDFD_THREAD */);
	printf("pidfd_thread %s\n", fd >= 0 ? "yes" : "no");
}

struct capheader { unsigned version; int pid; };
struct capdata { unsigned eff, perm, inh; };
#define CAPMASK(v, i) ((i) == 0 ? (v) & ~(1u << 24) : (v))	/* CAP_SYS_RESOURCE */

static void showcaps(const char *who)
{
	struct capheader h = {0x20080522, 0};
	struct capdata d[2];
	if (syscall(SYS_capget, &h, d) < 0) {
		printf("%s: capget: %s\n", who, strerror(errno));
		return;
	}
	printf("%s: eff %08x%08x perm %08x%08x inh %08x%08x\n", who, d[1].eff, CAPMASK(d[0].eff, 0),
	       d[1].perm, CAPMASK(d[0].perm, 0), d[1].inh, CAPMASK(d[0].inh, 0));
}

static long capset_(unsigned eff0, unsigned perm0, unsigned inh0)
{
	struct capheader h = {0x20080522, 0};
	struct capdata d[2];
	syscall(SYS_capget, &h, d);
	d[0].eff = eff0, d[0].perm = perm0, d[0].inh = inh0;
	return syscall(SYS_capset, &h, d);
}

static void caps(void)
{
	struct capheader h = {0x12345678, 0};
	struct capdata d[2];
	showcaps("root");
	SHOW(syscall(SYS_capget, &h, d));
	printf("version written back: %#x\n", h.version);
	h.version = 0x12345678;
	SHOW(syscall(SYS_capget, &h, NULL));
	h.version = 0x20080522;
	h.pid = -3;
	SHOW(syscall(SYS_capget, &h, d));
	h.pid = 999999;
	SHOW(syscall(SYS_capget, &h, d));
	h.pid = getppid();
	SHOW(syscall(SYS_capset, &h, d));
	h.pid = 0;
	syscall(SYS_capget, &h, d);
	unsigned perm = d[0].perm, eff = d[0].eff;
	SHOW(capset_(eff & ~1u, perm, 0));			/* no CAP_CHOWN in effective */
	showcaps("no chown");
	char dir[] = "/tmp/conform-XXXXXX", path[64];
	mkdir("/tmp", 01777);
	mkdtemp(dir);
	snprintf(path, sizeof path, "%s/f", dir);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	SHOW(chown(path, 54321, -1));
	SHOW(capset_(eff, perm, 0));
	SHOW(chown(path, 54321, -1));
	unlink(path);
	rmdir(dir);
	SHOW(capset_(eff & ~1u, perm & ~1u, 0));			/* gone from permitted */
	SHOW(capset_(eff, perm, 0));					/* cannot come back */
	SHOW(prctl(PR_CAPBSET_READ, 13));
	SHOW(prctl(PR_CAPBSET_READ, 99));
	SHOW(prctl(PR_CAPBSET_DROP, 13));
	SHOW(prctl(PR_CAPBSET_READ, 13));
	SHOW(capset_(eff & ~1u, perm & ~1u, 1u << 13));		/* inheritable outside bset */
	SHOW(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 12, 0, 0));	/* not inheritable */
	SHOW(capset_(eff & ~1u, perm & ~1u, 1u << 12));
	SHOW(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 12, 0, 0));
	SHOW(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 12, 0, 0));
	SHOW(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 99, 0, 0));
	SHOW(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0));
	SHOW(prctl(PR_GET_KEEPCAPS));
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		setresuid(54321, 54321, 54321);
		showcaps("after setresuid");
		fflush(stdout);
		_exit(0);
	}
	wait_describe("child", c);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		SHOW(prctl(PR_SET_KEEPCAPS, 1));
		setresuid(54321, 54321, 54321);
		showcaps("keepcaps, after setresuid");
		SHOW(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 12, 0, 0));	/* cleared */
		SHOW(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 12, 0, 0));
		/* the ambient set survives a non-root exec */
		char *argv[] = {"conform", "showcaps", NULL};
		fflush(stdout);
		execv("/proc/self/exe", argv);
		_exit(1);
	}
	wait_describe("child", c);
}

static void syncaff(void)
{
	int p[2], sv[2];
	if (pipe(p) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return;
	int null = open("/dev/null", O_RDWR), dir = open("/", O_RDONLY);
	SHOW(fsync(p[1]));
	SHOW(fdatasync(p[0]));
	SHOW(fsync(sv[0]));
	SHOW(fsync(null));
	SHOW(fsync(dir));
	SHOW(fsync(-1));
	SHOW(syscall(SYS_sync_file_range, p[0], 0L, 1L, 4));
	SHOW(syscall(SYS_sync_file_range, 99, 0L, 1L, 1));
	SHOW(syscall(SYS_sync_file_range, p[0], -1L, 1L, 1));
	SHOW(syscall(SYS_sync_file_range, p[0], 0L, -1L, 1));
	SHOW(syscall(SYS_sync_file_range, p[0], 0L, 1L, 8));
	SHOW(syscall(SYS_sync_file_range, dir, 0L, 1L, 1));
	unsigned long mask[16] = {0};
	SHOW(syscall(SYS_sched_getaffinity, 0, 0, mask));
	SHOW(syscall(SYS_sched_getaffinity, 0, 3, mask));
	SHOW(syscall(SYS_sched_getaffinity, 999999, sizeof mask, mask));
	SHOW(syscall(SYS_sched_getaffinity, 0, sizeof mask, (void *)8));
	mask[0] = 0;
	SHOW(syscall(SYS_sched_setaffinity, 0, sizeof mask, mask));
	mask[0] = 1;
	SHOW(syscall(SYS_sched_setaffinity, 999999, sizeof mask, mask));
	SHOW(syscall(SYS_sched_setaffinity, 0, sizeof mask, (void *)8));
}

static void madv(void)
{
	char *a = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int fd = open("/proc/self/exe", O_RDONLY);
	char *f = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	memset(a, 'x', 3 * 4096);
	SHOW(madvise(a, 4096, MADV_WIPEONFORK));
	SHOW(madvise(a + 4096, 4096, MADV_DONTFORK));
	SHOW(madvise(sh, 4096, MADV_WIPEONFORK));
	SHOW(madvise(f, 4096, MADV_WIPEONFORK));
	SHOW(madvise(f, 4096, MADV_FREE));
	SHOW(madvise(a, 4096, MADV_DONTDUMP));
	SHOW(madvise(a, 4096, MADV_DODUMP));
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		printf("child: wiped %d, kept %d\n", a[0], a[2 * 4096]);
		fflush(stdout);
		*(volatile char *)(a + 4096) = 1;	/* not copied: SIGSEGV */
		_exit(0);
	}
	wait_describe("child", c);
	printf("parent: %c %c %c\n", a[0], a[4096], a[2 * 4096]);
	SHOW(madvise(a, 4096, MADV_KEEPONFORK));
	fflush(stdout);
	c = fork();
	if (c == 0) {
		printf("child after KEEPONFORK: %c\n", a[0]);
		fflush(stdout);
		_exit(0);
	}
	wait_describe("child", c);
}

static void openat2_(void)
{
	struct { unsigned long long flags, mode, resolve, pad; } how = {0, 0, 0, 0};
#define OA2(sz) syscall(SYS_openat2, AT_FDCWD, "/", &how, (sz))
	how.flags = O_RDONLY | O_DIRECTORY;
	long fd = OA2(24);
	printf("plain: %s\n", fd >= 0 ? "ok" : strerror(errno));
	SHOW(OA2(23));
	SHOW(OA2(0));
	fd = OA2(32);
	printf("bigger, zero padded: %s\n", fd >= 0 ? "ok" : strerror(errno));
	how.pad = 1;
	SHOW(OA2(32));
	how.pad = 0;
	SHOW(OA2(8192));
	how.mode = 0600;
	SHOW(OA2(24));
	how.mode = 0;
	how.flags = 1ULL << 40;
	SHOW(OA2(24));
	how.flags = O_RDONLY;
	how.resolve = 0x18;
	SHOW(OA2(24));
	how.resolve = 1ULL << 10;
	SHOW(OA2(24));
	how.resolve = 0x20;
	how.flags = O_RDWR | O_CREAT;
	SHOW(syscall(SYS_openat2, AT_FDCWD, "/tmp/conform-never", &how, 24));
}

static void sigpend(void)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		/* a user of its own, so that nobody else's signals count */
		setresuid(54321, 54321, 54321);
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGRTMIN);
		sigaddset(&s, SIGRTMIN + 1);
		sigprocmask(SIG_BLOCK, &s, NULL);
		struct rlimit r = {2, 2};
		SHOW(setrlimit(RLIMIT_SIGPENDING, &r));
		union sigval v = {0};
		SHOW(sigqueue(getpid(), SIGRTMIN, v));
		SHOW(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGRTMIN));
		SHOW(sigqueue(getpid(), SIGRTMIN, v));
		SHOW(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGRTMIN + 1));
		SHOW(kill(getpid(), SIGRTMIN + 1));
		struct timespec z = {0, 0};
		int n = 0;
		while (sigtimedwait(&s, NULL, &z) > 0)
			n++;
		printf("taken: %d\n", n);
		SHOW(sigqueue(getpid(), SIGRTMIN, v));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("child", c);
}

static char crstack[65536];
static int crfd;

static int cr_child(void *arg)
{
	(void)arg;
	printf("child close_range(UNSHARE): %ld\n", syscall(SYS_close_range, crfd, crfd, 2));
	printf("child fcntl: %d\n", fcntl(crfd, F_GETFD) < 0 ? -errno : 0);
	fflush(stdout);
	return 0;
}

static void closerange(void)
{
	crfd = open("/", O_PATH);
	fflush(stdout);
	pid_t c = clone(cr_child, crstack + sizeof crstack, CLONE_FILES | SIGCHLD, NULL);
	wait_describe("child", c);
	printf("parent fcntl: %d\n", fcntl(crfd, F_GETFD) < 0 ? -errno : 0);
}

static void sticky(void)
{
	struct timeval tv = {0, 10};
	SHOW(select(0, NULL, NULL, NULL, &tv));
	printf("plain: %ld.%06ld\n", (long)tv.tv_sec, (long)tv.tv_usec);
	SHOW(personality(0x4000000));
	tv.tv_usec = 10;
	SHOW(select(0, NULL, NULL, NULL, &tv));
	printf("sticky: %ld.%06ld\n", (long)tv.tv_sec, (long)tv.tv_usec);
}

static void msgcopy(void)
{
	int q = msgget(IPC_PRIVATE, 0600);
	struct { long type; char text[8]; } m = {5, "first"}, r;
	msgsnd(q, &m, 6, 0);
	m.type = 7;
	strcpy(m.text, "second");
	msgsnd(q, &m, 7, 0);
	SHOW(msgrcv(q, &r, 8, 1, 040000));			/* no IPC_NOWAIT */
	SHOW(msgrcv(q, &r, 8, 1, 040000 | IPC_NOWAIT | 020000));	/* MSG_EXCEPT */
	SHOW(msgrcv(q, &r, 8, 1, 040000 | IPC_NOWAIT));
	printf("copied %ld %s\n", r.type, r.text);
	SHOW(msgrcv(q, &r, 3, 0, 040000 | IPC_NOWAIT));		/* too small */
	SHOW(msgrcv(q, &r, 8, 2, 040000 | IPC_NOWAIT));		/* no third */
	SHOW(msgrcv(q, &r, 8, 0, IPC_NOWAIT));			/* still there */
	printf("received %ld %s\n", r.type, r.text);
	msgctl(q, IPC_RMID, NULL);
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
	if (argc > 1 && !strcmp(argv[1], "showcaps")) {	/* caps' exec */
		showcaps("after exec");
		printf("ambient CAP_NET_RAW: %d\n", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 12, 0, 0));
		return 0;
	}
	if (getenv("CONFORM_NULLARGV")) {	/* nullargv's child */
		printf("argc %d, argv[0] \"%s\"\n", argc, argc > 0 ? argv[0] : "(none)");
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "wait")) {	/* txtbsy's running copy */
		char b;
		if (write(4, "r", 1) != 1 || read(3, &b, 1) != 1)
			return 1;
		return 0;
	}
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
	else if (!strcmp(mode, "procpidfd"))
		procpidfd();
	else if (!strcmp(mode, "nextid"))
		nextid();
	else if (!strcmp(mode, "sysvipc"))
		sysvipc();
	else if (!strcmp(mode, "rw2"))
		rw2();
	else if (!strcmp(mode, "syncaff"))
		syncaff();
	else if (!strcmp(mode, "madv"))
		madv();
	else if (!strcmp(mode, "openat2"))
		openat2_();
	else if (!strcmp(mode, "sigpend"))
		sigpend();
	else if (!strcmp(mode, "closerange"))
		closerange();
	else if (!strcmp(mode, "sticky"))
		sticky();
	else if (!strcmp(mode, "msgcopy"))
		msgcopy();
	else if (!strcmp(mode, "caps"))
		caps();
	else if (!strcmp(mode, "pipesz"))
		pipesz();
	else if (!strcmp(mode, "noatime"))
		noatime();
	else if (!strcmp(mode, "nullargv"))
		nullargv();
	else if (!strcmp(mode, "txtbsy"))
		txtbsy();
	else if (!strcmp(mode, "prio"))
		prio();
	else if (!strcmp(mode, "uname"))
		release();
	else if (!strcmp(mode, "enosys"))
		enosys(argc - 2, argv + 2);
	else {
		printf("unknown mode %s\n", mode);
		return 2;
	}
	fflush(stdout);
	return 0;
}
