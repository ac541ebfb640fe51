/*
 * tests/guest/vmunshare.c - process_vm_readv/writev, unshare and kcmp,
 * compared with the host kernel.
 *
 *   vmunshare pvm       copies between processes, partial transfers, errors
 *   vmunshare unshare   CLONE_FILES / CLONE_FS / CLONE_SYSVSEM in a thread
 *                       and a process, what cannot be unshared, bad flags,
 *                       the namespace flags refused to a non-root uid
 *   vmunshare kcmp      every type: equal or not, and the errors
 *
 * kcmp's order of two different objects is arbitrary (obfuscated pointers
 * on Linux): only "eq" or "ne" is printed.  Run as root (the namespace
 * flags are only tried after setuid to an unprivileged uid).
 */
#define _GNU_SOURCE
#include "procs.h"
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define KCMP_FILE 0
#define KCMP_VM 1
#define KCMP_FILES 2
#define KCMP_FS 3
#define KCMP_SIGHAND 4
#define KCMP_IO 5
#define KCMP_SYSVSEM 6
#define KCMP_EPOLL_TFD 7

struct kcmp_epoll_slot {
	uint32_t efd, tfd, toff;
};

#define PG 4096

static pid_t ffork(void)
{
	fflush(stdout);
	return fork();
}

static long rv(pid_t pid, const struct iovec *l, unsigned long ln,
	       const struct iovec *r, unsigned long rn, unsigned long flags)
{
	return syscall(SYS_process_vm_readv, pid, l, ln, r, rn, flags);
}

static long wv(pid_t pid, const struct iovec *l, unsigned long ln,
	       const struct iovec *r, unsigned long rn, unsigned long flags)
{
	return syscall(SYS_process_vm_writev, pid, l, ln, r, rn, flags);
}

static long kcmp(pid_t a, pid_t b, int type, unsigned long i1, unsigned long i2)
{
	return syscall(SYS_kcmp, a, b, type, i1, i2);
}

/* kcmp's answer without the arbitrary order */
static void kc(const char *what, long r)
{
	if (r < 0)
		printf("%s: %s\n", what, strerror(errno));
	else if (r == 0)
		printf("%s: eq\n", what);
	else if (r == 1 || r == 2)
		printf("%s: ne\n", what);
	else
		printf("%s: odd result %ld\n", what, r);
}

static void res(const char *what, long r)
{
	if (r < 0)
		printf("%s: -1 %s\n", what, strerror(errno));
	else
		printf("%s: %ld\n", what, r);
}

static int drop_privileges(void)
{
	if (setgid(1000) || setuid(1000)) {
		printf("setuid: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- process_vm_readv / writev ------------------------------------------- */

static void test_pvm(void)
{
	/* pages: 0,1 read-write, 2 unmapped in the child, 3 read-only there */
	char *area = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *none = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int go[2], done[2];
	pid_t pid, me = getpid();
	char buf[3 * PG];
	struct iovec l[4], r[4];
	long n;

	if (pipe(go) || pipe(done))
		exit(1);
	memset(area, 'p', 4 * PG);
	pid = ffork();
	if (pid == 0) {
		char c;
		for (int i = 0; i < 2 * PG; i++)
			area[i] = 'a' + i % 26;
		munmap(area + 2 * PG, PG);
		mprotect(area + 3 * PG, PG, PROT_READ);
		if (write(go[1], "x", 1) != 1)
			_exit(1);
		if (read(done[0], &c, 1) != 1)
			_exit(1);
		/* what the parent wrote */
		printf("child sees: %.12s %.6s %.4s\n", area, area + 100, area + PG - 2);
		fflush(stdout);
		_exit(0);
	}
	char c;
	if (read(go[0], &c, 1) != 1)
		exit(1);

	/* plain read, gathered into three local pieces (one empty) */
	memset(buf, 0, sizeof buf);
	l[0] = (struct iovec){ buf, 5 };
	l[1] = (struct iovec){ buf + 10, 0 };
	l[2] = (struct iovec){ buf + 20, 30 };
	r[0] = (struct iovec){ area + 3, 7 };
	r[1] = (struct iovec){ area + 26, 40 };
	n = rv(pid, l, 3, r, 2, 0);
	res("readv scatter", n);
	printf("  got %.5s|%.30s\n", buf, buf + 20);

	/* across the page boundary, local smaller than remote */
	memset(buf, 0, sizeof buf);
	l[0] = (struct iovec){ buf, 20 };
	r[0] = (struct iovec){ area + PG - 10, 100 };
	res("readv across pages", rv(pid, l, 1, r, 1, 0));
	printf("  got %.20s\n", buf);

	/* partial: remote runs into the unmapped page */
	l[0] = (struct iovec){ buf, sizeof buf };
	r[0] = (struct iovec){ area + PG + 100, 2 * PG };
	res("readv into hole", rv(pid, l, 1, r, 1, 0));
	r[0] = (struct iovec){ area + 2 * PG + 5, 10 };
	res("readv hole only", rv(pid, l, 1, r, 1, 0));
	r[0] = (struct iovec){ area + 10, 10 };
	r[1] = (struct iovec){ area + 2 * PG, 10 };
	r[2] = (struct iovec){ area + 20, 10 };
	res("readv good, hole, good", rv(pid, l, 1, r, 3, 0));
	r[0] = (struct iovec){ area + 2 * PG, 10 };
	r[1] = (struct iovec){ area + 20, 10 };
	res("readv hole, good", rv(pid, l, 1, r, 2, 0));
	r[0] = (struct iovec){ area + 3 * PG, 16 };
	res("readv read-only page", rv(pid, l, 1, r, 1, 0));

	/* local faults */
	l[0] = (struct iovec){ none, 10 };
	r[0] = (struct iovec){ area, 10 };
	res("readv local PROT_NONE", rv(pid, l, 1, r, 1, 0));
	l[0] = (struct iovec){ buf, 10 };
	l[1] = (struct iovec){ none, 10 };
	r[0] = (struct iovec){ area, 100 };
	res("readv local good then PROT_NONE", rv(pid, l, 2, r, 1, 0));

	/* writes */
	l[0] = (struct iovec){ "HELLO", 5 };
	l[1] = (struct iovec){ "world!!", 7 };
	r[0] = (struct iovec){ area, 3 };
	r[1] = (struct iovec){ area + 100, 6 };
	r[2] = (struct iovec){ area + PG - 2, 10 };
	res("writev scatter", wv(pid, l, 2, r, 3, 0));
	l[0] = (struct iovec){ buf, 10 };
	r[0] = (struct iovec){ area + 3 * PG, 10 };
	res("writev read-only page", wv(pid, l, 1, r, 1, 0));
	r[0] = (struct iovec){ area + 2 * PG - 4, 10 };
	res("writev into hole", wv(pid, l, 1, r, 1, 0));
	l[0] = (struct iovec){ none, 10 };
	r[0] = (struct iovec){ area + 500, 10 };
	res("writev local PROT_NONE", wv(pid, l, 1, r, 1, 0));

	/* errors, and what is not looked at */
	l[0] = (struct iovec){ buf, 10 };
	r[0] = (struct iovec){ area, 10 };
	res("flags 1", rv(pid, l, 1, r, 1, 1));
	res("liovcnt 1025", rv(pid, l, 1025, r, 1, 0));
	res("riovcnt 1025", rv(pid, l, 1, r, 1025, 0));
	res("riovcnt 1025, local empty", rv(pid, l, 0, r, 1025, 0));
	res("no pid, local empty", rv(-1, l, 0, r, 1, 0));
	l[1] = (struct iovec){ buf, 0 };
	res("no pid, local zero lengths", rv(-1, l + 1, 1, r, 1, 0));
	r[1] = (struct iovec){ area, 0 };
	res("no pid, remote zero lengths", rv(-1, l, 1, r + 1, 1, 0));
	res("no pid", rv(-1, l, 1, r, 1, 0));
	res("pid INT_MAX", rv(INT_MAX, l, 1, r, 1, 0));
	res("bad lvec", rv(pid, (void *)8, 1, r, 1, 0));
	res("bad rvec", rv(pid, l, 1, (void *)8, 1, 0));
	l[1] = (struct iovec){ buf, (size_t)-1 };
	res("negative local length", rv(pid, l, 2, r, 1, 0));
	r[1] = (struct iovec){ area, (size_t)-5 };
	res("negative remote length", rv(pid, l, 1, r, 2, 0));
	res("riovcnt 0", rv(pid, l, 1, r, 0, 0));

	/* oneself */
	char mine[16] = "0123456789abcdef", got[16] = { 0 };
	l[0] = (struct iovec){ got, 16 };
	r[0] = (struct iovec){ mine, 16 };
	res("readv self", rv(me, l, 1, r, 1, 0));
	printf("  got %.16s\n", got);

	if (write(done[1], "x", 1) != 1)
		exit(1);
	wait_describe("pvm child", pid);

	/* a zombie has no memory */
	pid = ffork();
	if (pid == 0)
		_exit(0);
	siginfo_t si;
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	l[0] = (struct iovec){ buf, 10 };
	r[0] = (struct iovec){ area, 10 };
	res("zombie", rv(pid, l, 1, r, 1, 0));
	waitpid(pid, NULL, 0);

	/* an unprivileged process may not read root's */
	pid = ffork();
	if (pid == 0) {
		if (drop_privileges())
			_exit(1);
		res("uid 1000 reads root's", rv(me, l, 1, r, 1, 0));
		res("uid 1000 writes root's", wv(me, l, 1, r, 1, 0));
		l[0] = (struct iovec){ got, 16 };
		r[0] = (struct iovec){ mine, 16 };
		res("uid 1000 reads itself", rv(getpid(), l, 1, r, 1, 0));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("uid child", pid);
}

/* ---- unshare ---------------------------------------------------------------- */

static int tfd, newfd;
static char cwd_before[PATH_MAX];

static void *files_thread(void *arg)
{
	char here[PATH_MAX];

	(void)arg;
	res("thread unshare(CLONE_THREAD)", syscall(SYS_unshare, CLONE_THREAD));
	res("thread unshare(CLONE_SIGHAND)", syscall(SYS_unshare, CLONE_SIGHAND));
	res("thread unshare(CLONE_VM)", syscall(SYS_unshare, CLONE_VM));
	kc("thread kcmp FILES before", kcmp(getpid(), syscall(SYS_gettid), KCMP_FILES, 0, 0));
	res("thread unshare(CLONE_FILES)", syscall(SYS_unshare, CLONE_FILES));
	kc("thread kcmp FILES after", kcmp(getpid(), syscall(SYS_gettid), KCMP_FILES, 0, 0));
	kc("thread kcmp FILE same fd", kcmp(getpid(), syscall(SYS_gettid), KCMP_FILE, tfd, tfd));
	newfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	res("thread open", newfd >= 0);
	res("thread close", close(tfd));
	kc("thread kcmp FILE closed", kcmp(getpid(), syscall(SYS_gettid), KCMP_FILE, tfd, tfd));

	kc("thread kcmp FS before", kcmp(getpid(), syscall(SYS_gettid), KCMP_FS, 0, 0));
	res("thread unshare(CLONE_FS)", syscall(SYS_unshare, CLONE_FS));
	kc("thread kcmp FS after", kcmp(getpid(), syscall(SYS_gettid), KCMP_FS, 0, 0));
	res("thread chdir /", chdir("/"));
	umask(077);
	kc("thread kcmp VM", kcmp(getpid(), syscall(SYS_gettid), KCMP_VM, 0, 0));
	kc("thread kcmp SIGHAND", kcmp(getpid(), syscall(SYS_gettid), KCMP_SIGHAND, 0, 0));
	kc("thread kcmp SYSVSEM", kcmp(getpid(), syscall(SYS_gettid), KCMP_SYSVSEM, 0, 0));
	if (!getcwd(here, sizeof here))
		printf("getcwd: %s\n", strerror(errno));
	printf("thread cwd is /: %d\n", strcmp(here, "/") == 0);
	return NULL;
}

static int semval(int id)
{
	return semctl(id, 0, GETVAL);
}

static void test_unshare(void)
{
	pthread_t th;
	char here[PATH_MAX];
	pid_t pid;

	res("unshare(0)", syscall(SYS_unshare, 0));
	res("unshare(CLONE_FILES|CLONE_FS|CLONE_SYSVSEM) alone",
	    syscall(SYS_unshare, CLONE_FILES | CLONE_FS | CLONE_SYSVSEM));
	res("unshare(CLONE_THREAD|CLONE_SIGHAND|CLONE_VM) alone",
	    syscall(SYS_unshare, CLONE_THREAD | CLONE_SIGHAND | CLONE_VM));
	res("unshare(1)", syscall(SYS_unshare, 1));
	res("unshare(CSIGNAL)", syscall(SYS_unshare, 0x11));
	res("unshare(CLONE_SETTLS)", syscall(SYS_unshare, CLONE_SETTLS));
	res("unshare(CLONE_PIDFD)", syscall(SYS_unshare, 0x1000));
	res("unshare(CLONE_VFORK)", syscall(SYS_unshare, CLONE_VFORK));
	res("unshare(CLONE_FILES|CLONE_PARENT)", syscall(SYS_unshare, CLONE_FILES | CLONE_PARENT));
	res("unshare(CLONE_NEWUTS|CLONE_IO)", syscall(SYS_unshare, CLONE_NEWUTS | CLONE_IO));
	if (sizeof(long) == 8)
		res("unshare(1<<32)", syscall(SYS_unshare, (long)((1ULL << 32) & ~0UL)));

	/* a thread unshares files and fs: the process's own stay */
	tfd = open("/", O_RDONLY | O_DIRECTORY);
	if (chdir("/dev"))
		printf("chdir /dev: %s\n", strerror(errno));
	if (!getcwd(cwd_before, sizeof cwd_before))
		printf("getcwd: %s\n", strerror(errno));
	umask(022);
	pthread_create(&th, NULL, files_thread, NULL);
	pthread_join(th, NULL);
	res("main fcntl(tfd) after the thread closed it", fcntl(tfd, F_GETFD));
	res("main fcntl(thread's new fd)", fcntl(newfd, F_GETFD));
	if (!getcwd(here, sizeof here))
		printf("getcwd: %s\n", strerror(errno));
	printf("main cwd unchanged: %d\n", strcmp(here, cwd_before) == 0);
	printf("main umask: %03o\n", umask(022));
	close(tfd);
	if (chdir("/"))
		printf("chdir /: %s\n", strerror(errno));

	/* CLONE_SYSVSEM: leaving a list of one's own applies it */
	int id = semget(IPC_PRIVATE, 1, 0600);
	struct sembuf up = { 0, 1, SEM_UNDO };
	pid = ffork();
	if (pid == 0) {
		res("semop +1 undo", semop(id, &up, 1));
		printf("value %d\n", semval(id));
		res("unshare(CLONE_SYSVSEM)", syscall(SYS_unshare, CLONE_SYSVSEM));
		printf("value after unshare %d\n", semval(id));
		res("semop +1 undo", semop(id, &up, 1));
		printf("value %d\n", semval(id));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("sysvsem child", pid);
	printf("value after exit %d\n", semval(id));

	/* ... a shared one is only left */
	pid = ffork();
	if (pid == 0) {
		pid_t c = (fflush(stdout), syscall(SYS_clone, CLONE_SYSVSEM | SIGCHLD, 0, 0, 0, 0));
		if (c == 0) {
			res("clone child semop +1 undo", semop(id, &up, 1));
			kc("clone child kcmp SYSVSEM", kcmp(getpid(), getppid(), KCMP_SYSVSEM, 0, 0));
			res("clone child unshare(CLONE_SYSVSEM)", syscall(SYS_unshare, CLONE_SYSVSEM));
			kc("clone child kcmp SYSVSEM", kcmp(getpid(), getppid(), KCMP_SYSVSEM, 0, 0));
			printf("value %d\n", semval(id));
			fflush(stdout);
			_exit(0);
		}
		wait_describe("clone child", c);
		printf("value after clone child exit %d\n", semval(id));
		res("unshare(CLONE_SYSVSEM)", syscall(SYS_unshare, CLONE_SYSVSEM));
		printf("value after last user left %d\n", semval(id));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("sysvsem parent", pid);
	semctl(id, 0, IPC_RMID);

	/* namespaces: refused to an unprivileged process, bad flags first */
	pid = ffork();
	if (pid == 0) {
		static const struct { const char *name; long flag; } ns[] = {
			{ "CLONE_NEWNS", CLONE_NEWNS }, { "CLONE_NEWUTS", CLONE_NEWUTS },
			{ "CLONE_NEWIPC", CLONE_NEWIPC }, { "CLONE_NEWNET", CLONE_NEWNET },
			{ "CLONE_NEWPID", CLONE_NEWPID }, { "CLONE_NEWCGROUP", CLONE_NEWCGROUP },
			{ "CLONE_NEWTIME", CLONE_NEWTIME },
		};
		if (drop_privileges())
			_exit(1);
		for (unsigned i = 0; i < sizeof ns / sizeof ns[0]; i++) {
			printf("uid 1000 %s: ", ns[i].name);
			res("", syscall(SYS_unshare, ns[i].flag));
			printf("uid 1000 %s|CLONE_SETTLS: ", ns[i].name);
			res("", syscall(SYS_unshare, ns[i].flag | CLONE_SETTLS));
		}
		res("uid 1000 CLONE_FILES", syscall(SYS_unshare, CLONE_FILES));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("namespace child", pid);
}

/* ---- kcmp ------------------------------------------------------------------- */

static int hold[2];

static volatile pid_t sleeper_tid;
static int sleeper_go;

static void *sleeper(void *arg)
{
	char c;
	(void)arg;
	sleeper_tid = syscall(SYS_gettid);
	if (write(sleeper_go, "x", 1) != 1)
		return NULL;
	if (read(hold[0], &c, 1) < 0)
		return NULL;
	return NULL;
}

static void test_kcmp(void)
{
	pid_t me = getpid(), pid;
	int a = open("/", O_RDONLY | O_DIRECTORY);
	int b = dup(a);
	int c = open("/", O_RDONLY | O_DIRECTORY);
	int go[2], done[2];
	char ch;

	if (pipe(go) || pipe(done) || pipe(hold))
		exit(1);
	kc("FILE a a", kcmp(me, me, KCMP_FILE, a, a));
	kc("FILE a dup", kcmp(me, me, KCMP_FILE, a, b));
	kc("FILE a other open", kcmp(me, me, KCMP_FILE, a, c));
	kc("FILE a closed fd", kcmp(me, me, KCMP_FILE, a, 200));
	kc("FILE a huge fd", kcmp(me, me, KCMP_FILE, a, (unsigned long)-1));
	kc("VM self", kcmp(me, me, KCMP_VM, 0, 0));
	kc("FILES self", kcmp(me, me, KCMP_FILES, 0, 0));
	kc("FS self", kcmp(me, me, KCMP_FS, 0, 0));
	kc("SIGHAND self", kcmp(me, me, KCMP_SIGHAND, 0, 0));
	kc("IO self", kcmp(me, me, KCMP_IO, 0, 0));
	kc("SYSVSEM self", kcmp(me, me, KCMP_SYSVSEM, 0, 0));
	kc("type 8", kcmp(me, me, 8, 0, 0));
	kc("type -1", kcmp(me, me, -1, 0, 0));
	kc("no pid1", kcmp(-1, me, KCMP_VM, 0, 0));
	kc("no pid2", kcmp(me, INT_MAX, KCMP_VM, 0, 0));
	kc("no pid, bad type", kcmp(0, me, 99, 0, 0));

	/* a forked child shares open files, nothing else */
	pid = ffork();
	if (pid == 0) {
		if (write(go[1], "x", 1) != 1 || read(done[0], &ch, 1) != 1)
			_exit(1);
		_exit(0);
	}
	if (read(go[0], &ch, 1) != 1)
		exit(1);
	kc("child FILE a", kcmp(me, pid, KCMP_FILE, a, a));
	kc("child FILE a vs c", kcmp(me, pid, KCMP_FILE, a, c));
	kc("child VM", kcmp(me, pid, KCMP_VM, 0, 0));
	kc("child FILES", kcmp(me, pid, KCMP_FILES, 0, 0));
	kc("child FS", kcmp(me, pid, KCMP_FS, 0, 0));
	kc("child SIGHAND", kcmp(me, pid, KCMP_SIGHAND, 0, 0));
	/* no SEM_UNDO list on either side yet: two null pointers */
	kc("child SYSVSEM, none yet", kcmp(me, pid, KCMP_SYSVSEM, 0, 0));
	if (write(done[1], "x", 1) != 1)
		exit(1);
	waitpid(pid, NULL, 0);

	/* CLONE_IO shares the I/O context, whether there is one or not */
	pid = (fflush(stdout), syscall(SYS_clone, (unsigned long)(unsigned)(CLONE_IO | SIGCHLD), 0, 0, 0, 0));
	if (pid == 0) {
		if (write(go[1], "x", 1) != 1 || read(done[0], &ch, 1) != 1)
			_exit(1);
		_exit(0);
	}
	if (read(go[0], &ch, 1) != 1)
		exit(1);
	kc("CLONE_IO child IO", kcmp(me, pid, KCMP_IO, 0, 0));
	if (write(done[1], "x", 1) != 1)
		exit(1);
	waitpid(pid, NULL, 0);

	/* a thread shares everything but (with glibc/musl) the I/O context */
	pthread_t th;
	sleeper_go = go[1];
	pthread_create(&th, NULL, sleeper, NULL);
	if (read(go[0], &ch, 1) != 1)
		exit(1);
	pid_t tid = sleeper_tid;
	if (tid <= 0) {
		printf("thread not found\n");
	} else {
		kc("thread VM", kcmp(me, tid, KCMP_VM, 0, 0));
		kc("thread FILES", kcmp(me, tid, KCMP_FILES, 0, 0));
		kc("thread FS", kcmp(me, tid, KCMP_FS, 0, 0));
		kc("thread SIGHAND", kcmp(me, tid, KCMP_SIGHAND, 0, 0));
		kc("thread SYSVSEM", kcmp(me, tid, KCMP_SYSVSEM, 0, 0));
		kc("thread FILE a", kcmp(me, tid, KCMP_FILE, a, b));
	}
	if (write(hold[1], "x", 1) != 1)
		exit(1);
	pthread_join(th, NULL);

	/* epoll: is this file what that epoll instance watches as fd N? */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };
	struct kcmp_epoll_slot slot = { ep, hold[0], 0 };
	epoll_ctl(ep, EPOLL_CTL_ADD, hold[0], &ev);
	kc("EPOLL_TFD same", kcmp(me, me, KCMP_EPOLL_TFD, hold[0], (unsigned long)&slot));
	int d = dup(hold[0]);
	kc("EPOLL_TFD dup", kcmp(me, me, KCMP_EPOLL_TFD, d, (unsigned long)&slot));
	kc("EPOLL_TFD other file", kcmp(me, me, KCMP_EPOLL_TFD, a, (unsigned long)&slot));
	slot.toff = 1;
	kc("EPOLL_TFD toff 1", kcmp(me, me, KCMP_EPOLL_TFD, d, (unsigned long)&slot));
	slot.toff = 0;
	slot.tfd = a;
	kc("EPOLL_TFD fd not watched", kcmp(me, me, KCMP_EPOLL_TFD, d, (unsigned long)&slot));
	slot.efd = a;
	kc("EPOLL_TFD not an epoll", kcmp(me, me, KCMP_EPOLL_TFD, d, (unsigned long)&slot));
	slot.efd = 300;
	kc("EPOLL_TFD no epoll fd", kcmp(me, me, KCMP_EPOLL_TFD, d, (unsigned long)&slot));
	slot.efd = ep;
	kc("EPOLL_TFD no idx1", kcmp(me, me, KCMP_EPOLL_TFD, 300, (unsigned long)&slot));
	kc("EPOLL_TFD bad slot", kcmp(me, me, KCMP_EPOLL_TFD, d, 8));

	/* once it has an I/O priority, a child gets an I/O context of its own */
	res("ioprio_set", syscall(SYS_ioprio_set, 1, 0, (2 << 13) | 4));
	pid = ffork();
	if (pid == 0) {
		if (write(go[1], "x", 1) != 1 || read(done[0], &ch, 1) != 1)
			_exit(1);
		_exit(0);
	}
	if (read(go[0], &ch, 1) != 1)
		exit(1);
	kc("child IO after ioprio_set", kcmp(me, pid, KCMP_IO, 0, 0));
	if (write(done[1], "x", 1) != 1)
		exit(1);
	waitpid(pid, NULL, 0);
	pid = (fflush(stdout), syscall(SYS_clone, (unsigned long)(unsigned)(CLONE_IO | SIGCHLD), 0, 0, 0, 0));
	if (pid == 0) {
		if (write(go[1], "x", 1) != 1 || read(done[0], &ch, 1) != 1)
			_exit(1);
		_exit(0);
	}
	if (read(go[0], &ch, 1) != 1)
		exit(1);
	kc("CLONE_IO child IO after ioprio_set", kcmp(me, pid, KCMP_IO, 0, 0));
	if (write(done[1], "x", 1) != 1)
		exit(1);
	waitpid(pid, NULL, 0);

	/* a watched file closed for good is no longer on the epoll, even if
	 * its closing woke nothing */
	int w = eventfd(0, 0);		/* its close wakes no one */
	struct kcmp_epoll_slot ws = { ep, w, 0 };
	epoll_ctl(ep, EPOLL_CTL_ADD, w, &ev);
	kc("EPOLL_TFD watched", kcmp(me, me, KCMP_EPOLL_TFD, w, (unsigned long)&ws));
	close(w);
	kc("EPOLL_TFD closed", kcmp(me, me, KCMP_EPOLL_TFD, a, (unsigned long)&ws));

	/* an unprivileged process may compare only what it may inspect */
	pid = ffork();
	if (pid == 0) {
		if (drop_privileges())
			_exit(1);
		kc("uid 1000 vs root", kcmp(getpid(), me, KCMP_VM, 0, 0));
		kc("uid 1000 root vs root", kcmp(me, me, KCMP_VM, 0, 0));
		kc("uid 1000 self", kcmp(getpid(), getpid(), KCMP_FILE, a, b));
		kc("uid 1000 no pid", kcmp(getpid(), INT_MAX, KCMP_VM, 0, 0));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("uid child", pid);
}

int main(int argc, char **argv)
{
	test_as_child();
	if (argc < 2) {
		printf("usage: vmunshare pvm|unshare|kcmp\n");
		return 2;
	}
	if (!strcmp(argv[1], "pvm"))
		test_pvm();
	else if (!strcmp(argv[1], "unshare"))
		test_unshare();
	else if (!strcmp(argv[1], "kcmp"))
		test_kcmp();
	else
		return 2;
	fflush(stdout);
	return 0;
}
