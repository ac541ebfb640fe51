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
 *   iovlen    readv/writev/preadv/pwritev with an iov_len whose sign bit is
 *             set (bit 31 for a 32-bit program): EINVAL, not EFAULT
 *   layout    where mmap puts things after an exec: top-down below a gap
 *             for the stack as large as RLIMIT_STACK (at most 5/6 of the
 *             space: unlimited means below a sixth), bottom-up from a third
 *             with ADDR_COMPAT_LAYOUT
 *   mapcount  vm.max_map_count set a few VMAs above the count now: mmap
 *             fails (ENOMEM) beyond it, so do a munmap and an mprotect that
 *             would split a VMA; a whole-VMA munmap works (pyuml only: it
 *             changes a machine-wide setting)
 *   growsdown a MAP_GROWSDOWN mapping grows down to a touched address (by
 *             the program or by read(2) into it), but not to within the
 *             guard gap of a mapping below, nor past RLIMIT_STACK
 *   altstack  a signal frame on an 8 KiB alternate stack (the old SIGSTKSZ)
 *             stays within it: no AMX tile data in it unless asked for;
 *             x86_64 prints the frame's xsave size words
 *   deadlock  POSIX lock deadlock found late: C waits for A's lock on a
 *             range B also holds, B waits for C; A unlocks and C's
 *             F_SETLKW fails with EDEADLK (LTP fcntl17)
 *   seekhole  SEEK_DATA/SEEK_HOLE in a memfd (shmem): pages written are
 *             data, pages never written holes (LTP lseek11)
 *   futexfault a shared futex word must be readable memory: FUTEX_WAKE and
 *             FUTEX_CMP_REQUEUE on unmapped, PROT_NONE or past-EOF file
 *             pages are EFAULT; a private one is only an address
 *   devzero   mmap of /dev/zero: shared is memory shared with a child,
 *             private is the process's own; a read-only open gives no
 *             writable shared mapping (mmap, mprotect: EACCES); /dev/full
 *             cannot be mapped (ENODEV)
 *   msyncbusy msync(MS_INVALIDATE) of mlocked pages: EBUSY (LTP msync03)
 *   rlempty   readlinkat with an empty name reads the symlink an O_PATH fd
 *             refers to; on anything else it is ENOENT (LTP readlinkat01)
 *   robust    get_robust_list of another process needs ptrace access: an
 *             unprivileged child may not read its root parent's (EPERM)
 *   settime   settimeofday/clock_settime as an unprivileged user: a bad time
 *             is EINVAL before the missing privilege is EPERM (a child
 *             with uid 1: natively this sets nothing)
 *   statxmask statx: the reserved mask bit, and FORCE_SYNC with DONT_SYNC,
 *             are EINVAL (LTP statx03)
 *   execveatfl execveat's flags: unknown ones are EINVAL, AT_SYMLINK_NOFOLLOW
 *             on a symlink ELOOP (LTP execveat02)
 *   seccompord PR_SET_SECCOMP(SECCOMP_MODE_FILTER) by an unprivileged task
 *             without no_new_privs: a bad struct pointer is EFAULT, a zero
 *             length EINVAL, before the EACCES (LTP prctl02)
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
#include <time.h>
#include <sys/time.h>
#include <sys/sysmacros.h>
#include <ucontext.h>
#include <limits.h>
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

static void iovlen(void)
{
	char path[] = "/tmp/conform-iovXXXXXX", buf[16];
	mkdir("/tmp", 01777);
	int fd = mkstemp(path);
	if (fd < 0)
		return;
	unlink(path);
	SHOW(write(fd, "abcdefgh", 8));
	size_t lens[] = {(size_t)-1, (size_t)SSIZE_MAX + 1, 4};
	for (unsigned i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		struct iovec iov[2] = {{buf, 1}, {buf + 1, lens[i]}};
		printf("iov_len %zx:\n", lens[i]);
		SHOW(readv(fd, iov, 2));
		SHOW(writev(fd, iov, 2));
		SHOW(preadv(fd, iov, 2, 0));
		SHOW(pwritev(fd, iov, 2, 0));
	}
	close(fd);
}

static const char *region(unsigned long a)
{
	/* the bases Linux picks, with room for its randomisation */
	int w = sizeof(long) == 8;
	unsigned long sixth = w ? 0x140000000000UL : 0x28000000UL;
	unsigned long third = w ? 0x2a0000000000UL : 0x54000000UL;
	unsigned long span = w ? 0x20000000000UL : 0x04000000UL;
	if (a - sixth < span)
		return "at a sixth of the space";
	if (a - third < span)
		return "at a third of the space";
	return "near the stack";
}

static void layout_report(void)
{
	char *a = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *b = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int here;
	printf("  %s, %s, below the stack %d\n", b > a ? "bottom-up" : "top-down",
	       region((unsigned long)a), a < (char *)&here);
}

static void layout(int argc, char **argv)
{
	if (argc > 2) {		/* the exec'd copy */
		layout_report();
		return;
	}
	unsigned long lims[] = {8 << 20, 1UL << 30, (unsigned long)RLIM_INFINITY, 8 << 20};
	for (int i = 0; i < 4; i++) {
		struct rlimit r = {lims[i], RLIM_INFINITY};
		setrlimit(RLIMIT_STACK, &r);
		printf("RLIMIT_STACK %#lx%s:\n", lims[i], i == 3 ? ", ADDR_COMPAT_LAYOUT" : "");
		fflush(stdout);
		pid_t p = fork();
		if (p == 0) {
			if (i == 3)
				personality(ADDR_COMPAT_LAYOUT);
			execl("/proc/self/exe", argv[0], "layout", "child", (char *)NULL);
			_exit(9);
		}
		int st;
		waitpid(p, &st, 0);
		printf("  status %#x\n", st);
	}
}

static int count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0, c;
	while (f && (c = getc(f)) != EOF)
		n += c == '\n';
	if (f)
		fclose(f);
	return n;
}

static void mapcount(void)
{
	char buf[32];
	int n0 = count_maps();
	snprintf(buf, sizeof buf, "%d", n0 + 5);
	SHOW(write_file("/proc/sys/vm/max_map_count", buf) > 0);
	char *base = (char *)0x10000000, *m[64];
	int k = 0;
	for (; k < 64; k++) {
		m[k] = mmap(base + k * 0x10000, 3 * 4096, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (m[k] == MAP_FAILED)
			break;
	}
	printf("mappings made: %d more than %d, then %s\n", k, n0, strerror(errno));
	SHOW(munmap(m[0] + 4096, 4096));
	SHOW(mprotect(m[0] + 4096, 4096, PROT_READ));
	SHOW(mprotect(m[0], 3 * 4096, PROT_READ));	/* whole: no split */
	SHOW(munmap(m[0], 3 * 4096));
	SHOW(munmap(m[1] + 4096, 4096));		/* still at the limit */
	SHOW(munmap(m[2], 3 * 4096));
	SHOW(munmap(m[1] + 4096, 4096));		/* room for one split again */
	SHOW(write_file("/proc/sys/vm/max_map_count", "65530") > 0);
}

static long vma_size_at(char *addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo, hi;
	char line[512];
	long size = -1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo <= (unsigned long)addr &&
		    (unsigned long)addr < hi)
			size = (hi - lo) / 4096;
	if (f)
		fclose(f);
	return size;
}

/* a 1-page MAP_GROWSDOWN mapping at the top of a free 1 MiB + 64 pages */
static char *growsdown_top(void)
{
	size_t res = (256 + 64) * 4096;
	char *p = mmap(NULL, res, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p, res);
	return mmap(p + res - 4096, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, -1, 0);
}

static void growsdown_child(int how)
{
	char *top = growsdown_top();
	if (how == 1)		/* an accessible page 16 pages below */
		mmap(top - 16 * 4096, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (how == 2) {
		struct rlimit r = {8 * 4096, RLIM_INFINITY};
		setrlimit(RLIMIT_STACK, &r);
	}
	top[-10 * 4096] = 1;
	_exit(0);
}

static void growsdown(void)
{
	char *top = growsdown_top();
	printf("pages: %ld\n", vma_size_at(top));
	top[-3 * 4096 + 100] = 1;
	printf("after a write 3 pages below: %ld pages, %ld at the address\n",
	       vma_size_at(top), vma_size_at(top - 3 * 4096 + 100));
	int p[2];
	if (pipe(p) < 0)
		return;
	SHOW(write(p[1], "hello", 5));
	SHOW(read(p[0], top - 6 * 4096, 5));
	printf("after read(2) 6 pages below: %ld pages, \"%.5s\"\n", vma_size_at(top),
	       top - 6 * 4096);
	for (int how = 0; how < 3; how++) {
		fflush(stdout);
		pid_t c = fork();
		if (c == 0)
			growsdown_child(how);
		int st;
		waitpid(c, &st, 0);
		printf("touch 10 pages below, %s: %s %d\n",
		       how == 0 ? "free below" : how == 1 ? "a mapping 16 pages below" :
		       "RLIMIT_STACK 8 pages", WIFSIGNALED(st) ? "signal" : "exit",
		       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	}
}

static char *alt_local;
static unsigned sw_words[4];

static void on_alt(int sig, siginfo_t *si, void *ucp)
{
	char here;
	(void)sig; (void)si;
	alt_local = &here;
#ifdef __x86_64__
	ucontext_t *uc = ucp;
	if (uc->uc_mcontext.fpregs) {
		/* struct _fpx_sw_bytes in the fxsave area's software-reserved words */
		unsigned *sw = (unsigned *)((char *)uc->uc_mcontext.fpregs + 464);
		sw_words[0] = sw[0];			/* magic1 */
		sw_words[1] = sw[1];			/* extended_size */
		sw_words[2] = sw[2];			/* xfeatures, low word */
		sw_words[3] = sw[4];			/* xstate_size */
	}
#else
	(void)ucp;
#endif
}

static void altstack(void)
{
	size_t sz = 8192;
	char *mem = malloc(sz + 4096);
	memset(mem, 0x5a, 4096);			/* a canary below the stack */
	stack_t ss = {.ss_sp = mem + 4096, .ss_size = sz};
	SHOW(sigaltstack(&ss, NULL));
	struct sigaction sa = {0};
	sa.sa_sigaction = on_alt;
	sa.sa_flags = SA_ONSTACK | SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	int intact = 1;
	for (int i = 0; i < 4096; i++)
		intact &= mem[i] == 0x5a;
	printf("handler on the alternate stack %d, canary below it intact %d\n",
	       alt_local >= mem + 4096 && alt_local < mem + 4096 + sz, intact);
#ifdef __x86_64__
	printf("frame xsave: magic1 %#x extended %u xfeatures %#x size %u\n",
	       sw_words[0], sw_words[1], sw_words[2], sw_words[3]);
#endif
}

static void wait_sleeping(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	for (;;) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
		if (f)
			fclose(f);
		buf[n] = 0;
		char *p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'S')
			return;
		sched_yield();
	}
}

static int setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	return fcntl(fd, cmd, &fl) < 0 ? -errno : 0;
}

static pid_t locker(int fd, off_t start, off_t len, int *go, off_t wstart, off_t wlen)
{
	int ready[2];
	if (pipe(ready) < 0)
		return -1;
	pid_t p = fork();
	if (p == 0) {
		char b = 0;
		if (setlk(fd, F_SETLK, F_WRLCK, start, len) < 0)
			_exit(1);
		write(ready[1], &b, 1);
		if (read(go[0], &b, 1) != 1)	/* then wait for a range, or unlock */
			_exit(2);
		if (wlen)
			_exit(setlk(fd, F_SETLKW, F_WRLCK, wstart, wlen) < 0 ? 3 : 0);
		setlk(fd, F_SETLK, F_UNLCK, 0, 0);
		pause();
		_exit(0);
	}
	char b;
	read(ready[0], &b, 1);
	close(ready[0]);
	close(ready[1]);
	return p;
}

static void deadlock(void)
{
	char path[] = "/tmp/conform-lkXXXXXX";
	mkdir("/tmp", 01777);
	int fd = mkstemp(path);
	if (fd < 0)
		return;
	unlink(path);
	int goa[2], gob[2];
	if (pipe(goa) < 0 || pipe(gob) < 0)
		return;
	pid_t a = locker(fd, 0, 10, goa, 0, 0);		/* A: [0,10) */
	pid_t b = locker(fd, 20, 10, gob, 40, 10);	/* B: [20,30), will want [40,50) */
	SHOW(setlk(fd, F_SETLK, F_WRLCK, 40, 10));	/* we are C: [40,50) */
	write(gob[1], "w", 1);
	wait_sleeping(b);				/* B waits for C */
	fflush(stdout);
	pid_t helper = fork();
	if (helper == 0) {			/* A unlocks once C sleeps */
		wait_sleeping(getppid());
		write(goa[1], "u", 1);
		_exit(0);
	}
	/* [0,30): first A's lock stands in the way, then B's, and B waits for us */
	SHOW(setlk(fd, F_SETLKW, F_WRLCK, 0, 30));
	waitpid(helper, NULL, 0);
	SHOW(setlk(fd, F_SETLK, F_UNLCK, 0, 0));	/* B gets [40,50) now */
	int st;
	waitpid(b, &st, 0);
	printf("B: exit %d\n", WEXITSTATUS(st));
	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
}

static void seekhole(void)
{
	int fd = syscall(SYS_memfd_create, "holes", 0);
	if (fd < 0)
		return;
	SHOW(ftruncate(fd, 10 * 4096 + 100));
	SHOW(lseek(fd, 0, SEEK_DATA));		/* all hole: ENXIO */
	SHOW(lseek(fd, 0, SEEK_HOLE));
	SHOW(pwrite(fd, "x", 1, 2 * 4096 + 10));
	SHOW(pwrite(fd, "yy", 2, 5 * 4096 + 4000));
	SHOW(pwrite(fd, "z", 1, 10 * 4096 + 50));	/* the last, partial page */
	long offs[] = {0, 100, 2 * 4096, 2 * 4096 + 7, 3 * 4096, 5 * 4096 + 1,
		       6 * 4096 + 9, 7 * 4096, 10 * 4096, 10 * 4096 + 99, 10 * 4096 + 100, -1};
	for (unsigned i = 0; i < sizeof offs / sizeof *offs; i++) {
		printf("from %ld: ", offs[i]);
		SHOW(lseek(fd, offs[i], SEEK_DATA));
		printf("from %ld: ", offs[i]);
		SHOW(lseek(fd, offs[i], SEEK_HOLE));
	}
	close(fd);
}

static long futex_(void *a, int op, int val, long val2, void *a2, int val3)
{
	long r = syscall(SYS_futex, a, op, val, val2, a2, val3);
	return r < 0 ? -errno : r;
}

static void futexfault(void)
{
	char path[] = "/tmp/conform-fxXXXXXX";
	mkdir("/tmp", 01777);
	int fd = mkstemp(path);
	if (fd < 0)
		return;
	unlink(path);
	ftruncate(fd, 4096);
	int *file = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ftruncate(fd, 0);
	int *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int *gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gone, 4096);
	static int word;
	SHOW(futex_(gone, 1 /* FUTEX_WAKE */, 1, 0, NULL, 0));
	SHOW(futex_(none, 1, 1, 0, NULL, 0));
	SHOW(futex_(file, 1, 1, 0, NULL, 0));
	SHOW(futex_(none, 1 | 128 /* FUTEX_PRIVATE_FLAG */, 1, 0, NULL, 0));
	SHOW(futex_(&word, 4 /* FUTEX_CMP_REQUEUE */, 1, 1, none, 0));
	SHOW(futex_(&word, 4, 1, 1, &word, 0));
	close(fd);
}

static void devzero(void)
{
	if (access("/dev/zero", F_OK) < 0)	/* pyuml's test root has no /dev/zero */
		mknod("/dev/zero", S_IFCHR | 0666, makedev(1, 5));
	if (access("/dev/full", F_OK) < 0)
		mknod("/dev/full", S_IFCHR | 0666, makedev(1, 7));
	int fd = open("/dev/zero", O_RDWR);
	int *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int *pr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (sh == MAP_FAILED || pr == MAP_FAILED) {
		printf("mmap /dev/zero: %s\n", strerror(errno));
		return;
	}
	printf("zeroes: %d %d\n", sh[100], pr[100]);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		sh[1] = 42;
		pr[1] = 42;
		_exit(0);
	}
	waitpid(c, NULL, 0);
	printf("after the child's writes: shared %d, private %d\n", sh[1], pr[1]);
	close(fd);
	int ro = open("/dev/zero", O_RDONLY);
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
	printf("read-only open, shared PROT_WRITE: %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0);
	SHOW(mprotect(p, 4096, PROT_READ | PROT_WRITE));
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	printf("read-only open, private PROT_WRITE: %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
	int full = open("/dev/full", O_RDWR);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, full, 0);
	printf("/dev/full: %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
}

static void msyncbusy(void)
{
	char path[] = "/tmp/conform-msXXXXXX";
	mkdir("/tmp", 01777);
	int fd = mkstemp(path);
	if (fd < 0)
		return;
	unlink(path);
	ftruncate(fd, 4096);
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, fd, 0);
	if (p == MAP_FAILED)
		return;
	SHOW(msync(p, 4096, MS_INVALIDATE));
	SHOW(msync(p, 4096, MS_SYNC));
	SHOW(munlock(p, 4096));
	SHOW(msync(p, 4096, MS_INVALIDATE));
	SHOW(mlock(p, 4096));
	SHOW(msync(p, 4096, MS_ASYNC | MS_INVALIDATE));
	close(fd);
}

static void rlempty(void)
{
	char dir[] = "/tmp/conform-rlXXXXXX", link[64], buf[64];
	mkdir("/tmp", 01777);
	if (!mkdtemp(dir))
		return;
	snprintf(link, sizeof link, "%s/l", dir);
	SHOW(symlink("some/target", link));
	int lfd = open(link, O_PATH | O_NOFOLLOW);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	memset(buf, 0, sizeof buf);
	SHOW(readlinkat(lfd, "", buf, sizeof buf));
	printf("target: %s\n", buf);
	SHOW(readlinkat(dfd, "", buf, sizeof buf));
	SHOW(readlinkat(AT_FDCWD, "", buf, sizeof buf));
	SHOW(readlinkat(-7, "", buf, sizeof buf));
	SHOW(readlinkat(dfd, "l", buf, 0));
	SHOW(readlinkat(dfd, ".", buf, sizeof buf));
	close(lfd);
	close(dfd);
	unlink(link);
	rmdir(dir);
}

static void robust(void)
{
	void *head;
	size_t len;
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		pid_t parent = getppid();
		SHOW(syscall(SYS_get_robust_list, 0, &head, &len));
		printf("len %zu\n", len);
		SHOW(syscall(SYS_get_robust_list, parent, &head, &len));
		SHOW(setuid(1));
		SHOW(syscall(SYS_get_robust_list, 0, &head, &len));
		SHOW(syscall(SYS_get_robust_list, parent, &head, &len));
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
}

static void settime(void)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		SHOW(setuid(1));
		struct timeval tvs[] = {{-1, 0}, {0, -1}, {0, 1000000}, {100, 100}};
		for (int i = 0; i < 4; i++) {
			printf("settimeofday {%ld, %ld}: ", (long)tvs[i].tv_sec, (long)tvs[i].tv_usec);
			SHOW(syscall(SYS_settimeofday, &tvs[i], NULL));
		}
		struct timespec bad = {0, 1000000000}, good = {100, 0};
		SHOW(syscall(SYS_clock_settime, CLOCK_REALTIME, &bad));
		SHOW(syscall(SYS_clock_settime, CLOCK_MONOTONIC, &good));
		SHOW(syscall(SYS_clock_settime, CLOCK_REALTIME, &good));
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
}

static void statxmask(void)
{
	char buf[256];
	SHOW(syscall(SYS_statx, AT_FDCWD, "/", 0, 0xffffffffu, buf));
	SHOW(syscall(SYS_statx, AT_FDCWD, "/", 0, 0x80000000u, buf));
	SHOW(syscall(SYS_statx, AT_FDCWD, "/", 0x6000, 0x7ff, buf));
	SHOW(syscall(SYS_statx, AT_FDCWD, "/", 0x2000, 0x7ff, buf));
	SHOW(syscall(SYS_statx, -1, "x", 0, 0x80000000u, buf));	/* EINVAL before EBADF */
}

static void execveatfl(void)
{
	char dir[] = "/tmp/conform-exXXXXXX", link[64];
	mkdir("/tmp", 01777);
	if (!mkdtemp(dir))
		return;
	snprintf(link, sizeof link, "%s/l", dir);
	if (symlink("/proc/self/exe", link) < 0)
		return;
	char *argv[] = {"conform", "uname", NULL}, *envp[] = {NULL};
	fflush(stdout);
	SHOW(syscall(SYS_execveat, AT_FDCWD, link, argv, envp, AT_SYMLINK_NOFOLLOW));
	SHOW(syscall(SYS_execveat, AT_FDCWD, link, argv, envp, 0x4));
	SHOW(syscall(SYS_execveat, AT_FDCWD, link, argv, envp, -1));
	SHOW(syscall(SYS_execveat, -1, "", argv, envp, AT_EMPTY_PATH));
	unlink(link);
	rmdir(dir);
}

struct fprog_ { unsigned short len; void *filter; };

static void seccompord(void)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		unsigned long long allow = 0x7fff000000000006ULL;	/* BPF_RET|BPF_K ALLOW */
		struct fprog_ good = {1, &allow}, empty = {0, &allow}, badins = {1, (void *)8};
		SHOW(setuid(1));
		SHOW(prctl(PR_SET_SECCOMP, 2, (void *)8, 0, 0));
		SHOW(prctl(PR_SET_SECCOMP, 2, &empty, 0, 0));
		SHOW(prctl(PR_SET_SECCOMP, 2, &badins, 0, 0));
		SHOW(prctl(PR_SET_SECCOMP, 2, &good, 0, 0));
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
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

/* openat2's how.resolve, each flag against a scene of its own: a
 * directory with a subdirectory and symlinks (absolute, relative, up),
 * /proc as the mount to cross, /proc/self/exe as the magic link */
static void resolve_(void)
{
	if (access("/proc/version", F_OK) < 0) {   /* under pyuml, in the test's initramfs */
		mkdir("/proc", 0555);
		mount("p", "/proc", "proc", 0, NULL);
	}
	mkdir("/tmp", 01777);
	char d[] = "/tmp/resolve-XXXXXX";
	if (!mkdtemp(d)) {
		printf("mkdtemp: %s\n", strerror(errno));
		return;
	}
	char p[64];
	snprintf(p, sizeof p, "%s/sub", d);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/abs", d);
	symlink("/", p);
	snprintf(p, sizeof p, "%s/rel", d);
	symlink("sub", p);
	snprintf(p, sizeof p, "%s/up", d);
	symlink("..", p);
	int dfd = open(d, O_RDONLY | O_DIRECTORY);
	int proc = open("/proc", O_RDONLY | O_DIRECTORY);
	struct { unsigned long long flags, mode, resolve; } how;
	struct { int dirfd; const char *name; unsigned long long resolve; } c[] = {
		{ AT_FDCWD, "/proc/version", 0 },
		{ AT_FDCWD, "/proc/version", 0x01 },    /* RESOLVE_NO_XDEV */
		{ proc, "version", 0x01 },
		{ proc, "..", 0x01 },
		{ dfd, "sub", 0x01 },
		{ dfd, "abs/proc", 0x01 },
		{ AT_FDCWD, "/proc/self/exe", 0x02 },   /* RESOLVE_NO_MAGICLINKS */
		{ proc, "self", 0x02 },
		{ dfd, "rel", 0x04 },                   /* RESOLVE_NO_SYMLINKS */
		{ dfd, "sub", 0x04 },
		{ dfd, "sub", 0x08 },                   /* RESOLVE_BENEATH */
		{ dfd, "sub/..", 0x08 },
		{ dfd, "..", 0x08 },
		{ dfd, "sub/../..", 0x08 },
		{ dfd, "/tmp", 0x08 },
		{ dfd, "abs", 0x08 },
		{ dfd, "up", 0x08 },
		{ dfd, "rel", 0x08 },
		{ proc, "self/exe", 0x08 },
		{ dfd, "/sub", 0x10 },                  /* RESOLVE_IN_ROOT */
		{ dfd, "abs/sub", 0x10 },
		{ dfd, "../../sub", 0x10 },
		{ dfd, "up/sub", 0x10 },
		{ dfd, "/proc/version", 0x10 },
	};
	for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
		how.flags = O_RDONLY;
		how.mode = 0;
		how.resolve = c[i].resolve;
		long fd = syscall(SYS_openat2, c[i].dirfd, c[i].name, &how, sizeof how);
		printf("%-5s %-16s %#llx: %s\n", c[i].dirfd == dfd ? "dir" : c[i].dirfd == proc ? "proc" : "cwd",
		       c[i].name, c[i].resolve, fd >= 0 ? "ok" : strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	/* O_CREAT through a scope: the new file lands inside it */
	how.flags = O_RDWR | O_CREAT;
	how.mode = 0600;
	how.resolve = 0x10;
	long fd = syscall(SYS_openat2, dfd, "/abs/new", &how, sizeof how);
	snprintf(p, sizeof p, "%s/new", d);
	printf("created in the root given: %s %d\n", fd >= 0 ? "ok" : strerror(errno), access(p, F_OK) == 0);
	unlink(p);
	rmdir(strcat(strcpy(p, d), "/sub"));
	unlink(strcat(strcpy(p, d), "/abs"));
	unlink(strcat(strcpy(p, d), "/rel"));
	unlink(strcat(strcpy(p, d), "/up"));
	rmdir(d);
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
	else if (!strcmp(mode, "iovlen"))
		iovlen();
	else if (!strcmp(mode, "seccompord"))
		seccompord();
	else if (!strcmp(mode, "execveatfl"))
		execveatfl();
	else if (!strcmp(mode, "statxmask"))
		statxmask();
	else if (!strcmp(mode, "settime"))
		settime();
	else if (!strcmp(mode, "robust"))
		robust();
	else if (!strcmp(mode, "rlempty"))
		rlempty();
	else if (!strcmp(mode, "msyncbusy"))
		msyncbusy();
	else if (!strcmp(mode, "devzero"))
		devzero();
	else if (!strcmp(mode, "futexfault"))
		futexfault();
	else if (!strcmp(mode, "seekhole"))
		seekhole();
	else if (!strcmp(mode, "deadlock"))
		deadlock();
	else if (!strcmp(mode, "altstack"))
		altstack();
	else if (!strcmp(mode, "growsdown"))
		growsdown();
	else if (!strcmp(mode, "mapcount"))
		mapcount();
	else if (!strcmp(mode, "layout"))
		layout(argc, argv);
	else if (!strcmp(mode, "syncaff"))
		syncaff();
	else if (!strcmp(mode, "madv"))
		madv();
	else if (!strcmp(mode, "resolve"))
		resolve_();
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
