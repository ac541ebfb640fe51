/*
 * abi32: the i386 system calls that x86_64 does not have, called by number
 * (libc would pick the modern ones): the old signal calls, waitpid,
 * _llseek, stat and stat64, the 16-bit uid calls, old and new getrlimit,
 * olduname, mmap2 and old_mmap, clone's argument order, set/get_thread_area,
 * ipc and socketcall's argument checks.  Prints what each returns; the test
 * compares it with the host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __i386__
#error i386 only
#endif

static long sc6(long nr, long a, long b, long c, long d, long e, long f)
{
	long r = syscall(nr, a, b, c, d, e, f);
	return r == -1 ? -errno : r;
}

static long sc(long nr, long a, long b, long c, long d, long e)
{
	return sc6(nr, a, b, c, d, e, 0);
}

#define NR_waitpid 7
#define NR_signal 48
#define NR_sigaction 67
#define NR_sgetmask 68
#define NR_ssetmask 69
#define NR_sigpending 73
#define NR_getrlimit 76
#define NR_old_mmap 90
#define NR_stat 106
#define NR_olduname 109
#define NR_ipc 117
#define NR_sigprocmask 126
#define NR_llseek 140
#define NR_ugetrlimit 191
#define NR_mmap2 192
#define NR_stat64 195
#define NR_fstat64 197
#define NR_getuid16 24
#define NR_getuid32 199
#define NR_getgid16 47
#define NR_getgid32 200
#define NR_setuid16 23
#define NR_socketcall 102
#define NR_clone 120
#define NR_set_thread_area 243
#define NR_sendfile 187
#define NR_sendfile64 239
#define NR_get_thread_area 244

struct old_sigaction { uint32_t handler, mask, flags, restorer; };
struct kstat32 {
	uint32_t dev, ino; uint16_t mode, nlink, uid, gid;
	uint32_t rdev, size, blksize, blocks, atime, atime_ns, mtime, mtime_ns,
		 ctime, ctime_ns, u4, u5;
};
struct kstat64 {
	uint64_t dev; uint8_t pad0[4]; uint32_t ino32; uint32_t mode, nlink, uid, gid;
	uint64_t rdev; uint8_t pad3[4]; int64_t size; uint32_t blksize; uint64_t blocks;
	uint32_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns; uint64_t ino;
} __attribute__((packed));
struct user_desc32 {
	uint32_t entry, base, limit, flags;
};

static volatile int hits;
static void on_usr(int sig) { hits += sig; }

static void old_signals(void)
{
	struct old_sigaction act = { (uint32_t)on_usr, 1u << (SIGUSR2 - 1), 0, 0 }, old;
	long r = sc(NR_sigaction, SIGUSR1, (long)&act, (long)&old, 0, 0);
	printf("sigaction(USR1): %ld\n", r);
	printf("  old handler default %d\n", old.handler == 0);
	sc(NR_sigaction, SIGUSR1, 0, (long)&old, 0, 0);
	printf("  now: handler ours %d mask %#x\n", old.handler == (uint32_t)on_usr, old.mask);
	printf("sigaction(KILL) set: %ld, bad signal: %ld\n",
	       sc(NR_sigaction, SIGKILL, (long)&act, 0, 0, 0), sc(NR_sigaction, 99, 0, 0, 0, 0));
	printf("sigaction bad pointer: %ld\n", sc(NR_sigaction, SIGUSR1, 16, 0, 0, 0));
	long prev = sc(NR_signal, SIGUSR2, (long)on_usr, 0, 0, 0);
	printf("signal(USR2): previous default %d\n", prev == 0);
	prev = sc(NR_signal, SIGUSR2, (long)on_usr, 0, 0, 0);
	printf("signal(USR2) again: previous ours %d\n", prev == (long)on_usr);
	uint32_t set = 1u << (SIGUSR1 - 1), oset = 0;
	printf("sigprocmask block: %ld\n", sc(NR_sigprocmask, SIG_BLOCK, (long)&set, (long)&oset, 0, 0));
	raise(SIGUSR1);
	uint32_t pend = 0;
	r = sc(NR_sigpending, (long)&pend, 0, 0, 0, 0);
	printf("sigpending: %ld pending %#x hits %d\n", r, pend, hits);
	printf("sgetmask: %#lx\n", sc(NR_sgetmask, 0, 0, 0, 0, 0));
	printf("sigprocmask bad how: %ld\n", sc(NR_sigprocmask, 7, (long)&set, 0, 0, 0));
	set = 0;
	sc(NR_sigprocmask, SIG_SETMASK, (long)&set, (long)&oset, 0, 0);
	printf("unblocked: old mask %#x hits %d\n", oset, hits);
	printf("ssetmask: old %#lx\n", sc(NR_ssetmask, 1u << (SIGUSR2 - 1), 0, 0, 0, 0));
	printf("sgetmask: %#lx\n", sc(NR_sgetmask, 0, 0, 0, 0, 0));
	raise(SIGUSR2);			/* the SA_ONESHOT handler, blocked */
	sc(NR_ssetmask, 0, 0, 0, 0, 0);
	printf("after unblock: hits %d\n", hits);
}

static void files(void)
{
	int fd = open("/tmp/abi32.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "0123456789", 10);
	uint64_t pos = 0;
	long r = sc(NR_llseek, fd, 1, 0x40000000, (long)&pos, SEEK_SET);
	printf("_llseek 5G: %ld pos %llu\n", r, (unsigned long long)pos);
	r = sc(NR_llseek, fd, 0, 3, (long)&pos, SEEK_CUR);
	printf("_llseek cur+3: %ld pos %llu\n", r, (unsigned long long)pos);
	printf("_llseek -1 from start: %ld\n", sc(NR_llseek, fd, -1, -1, (long)&pos, SEEK_SET));
	printf("_llseek bad whence: %ld\n", sc(NR_llseek, fd, 0, 0, (long)&pos, 9));
	printf("_llseek bad fd: %ld\n", sc(NR_llseek, 99, 0, 0, (long)&pos, SEEK_SET));
	r = sc(NR_llseek, fd, 0, 2, (long)&pos, SEEK_SET);
	printf("_llseek back to 2: %ld pos %llu\n", r, (unsigned long long)pos);
	char b[4] = {0};
	read(fd, b, 3);
	printf("read at 2: %s\n", b);

	struct kstat32 st;
	struct kstat64 st64;
	memset(&st64, 0xA5, sizeof st64);
	r = sc(NR_stat, (long)"/tmp/abi32.dat", (long)&st, 0, 0, 0);
	printf("stat: %ld size %u mode %o nlink %u\n", r, st.size, st.mode, st.nlink);
	r = sc(NR_stat64, (long)"/tmp/abi32.dat", (long)&st64, 0, 0, 0);
	printf("stat64: %ld size %lld mode %o nlink %u ino-match %d pads %02x%02x\n",
	       r, (long long)st64.size, st64.mode, st64.nlink,
	       st64.ino32 == (uint32_t)st64.ino && st64.ino == st.ino, st64.pad0[0], st64.pad3[3]);
	r = sc(NR_fstat64, fd, (long)&st64, 0, 0, 0);
	printf("fstat64: %ld size %lld\n", r, (long long)st64.size);
	printf("stat64 missing: %ld, bad buffer: %ld\n",
	       sc(NR_stat64, (long)"/no/such", (long)&st64, 0, 0, 0),
	       sc(NR_stat64, (long)"/tmp/abi32.dat", 16, 0, 0, 0));

	/* mmap2 takes pages, old_mmap a struct with a byte offset */
	char page[4096];
	memset(page, 'A', sizeof page);
	lseek(fd, 0, SEEK_SET);
	write(fd, page, 4096);
	memset(page, 'B', sizeof page);
	write(fd, page, 4096);
	char *p = (char *)sc6(NR_mmap2, 0, 4096, 1, 2, fd, 1);	/* PROT_READ, MAP_PRIVATE */
	printf("mmap2 page 1: %c\n", (long)p < 0 && (long)p > -4096 ? '!' : p[10]);
	uint32_t args[6] = { 0, 4096, 1, 2, (uint32_t)fd, 4096 };
	p = (char *)sc(NR_old_mmap, (long)args, 0, 0, 0, 0);
	printf("old_mmap offset 4096: %c\n", (long)p < 0 && (long)p > -4096 ? '!' : p[10]);
	args[5] = 100;
	printf("old_mmap unaligned: %ld\n", sc(NR_old_mmap, (long)args, 0, 0, 0, 0));
	printf("old_mmap bad pointer: %ld\n", sc(NR_old_mmap, 16, 0, 0, 0, 0));

	/* sendfile's offset is a 32-bit off_t, sendfile64's a 64-bit one;
	 * the 32-bit one may not pass 2 GiB - 1 */
	int out = open("/tmp/abi32.out", O_RDWR | O_CREAT | O_TRUNC, 0644);
	struct { int32_t off; int32_t canary; } o32 = { 4090, 0x5a5a5a5a };
	r = sc(NR_sendfile, out, fd, (long)&o32, 10, 0);
	printf("sendfile: %ld off %d canary %x\n", r, o32.off, o32.canary);
	int64_t o64 = 4095;
	r = sc(NR_sendfile64, out, fd, (long)&o64, 3, 0);
	printf("sendfile64: %ld off %lld\n", r, (long long)o64);
	o32.off = -1;
	printf("sendfile negative: %ld\n", sc(NR_sendfile, out, fd, (long)&o32, 1, 0));
	o32.off = 0x7fffffff;
	printf("sendfile at 2G-1: %ld\n", sc(NR_sendfile, out, fd, (long)&o32, 1, 0));
	o32.off = 0x7ffffff0;
	r = sc(NR_sendfile, out, fd, (long)&o32, 100, 0);
	printf("sendfile near 2G: %ld off %x\n", r, o32.off);
	printf("sendfile bad pointer: %ld\n", sc(NR_sendfile, out, fd, 16, 1, 0));
	printf("copied: %ld\n", (long)lseek(out, 0, SEEK_END));
	close(out);
	unlink("/tmp/abi32.out");
	close(fd);
	unlink("/tmp/abi32.dat");
}

static void ids(void)
{
	long u32 = sc(NR_getuid32, 0, 0, 0, 0, 0), u16 = sc(NR_getuid16, 0, 0, 0, 0, 0);
	long g32 = sc(NR_getgid32, 0, 0, 0, 0, 0), g16 = sc(NR_getgid16, 0, 0, 0, 0, 0);
	printf("getuid16 consistent %d, getgid16 consistent %d\n",
	       u16 == (u32 > 65535 ? 65534 : u32), g16 == (g32 > 65535 ? 65534 : g32));
	printf("setuid16(-1): %ld\n", sc(NR_setuid16, 0xffff, 0, 0, 0, 0));
	uint32_t r[2];
	sc(NR_getrlimit, 0 /* RLIMIT_CPU */, (long)r, 0, 0, 0);
	printf("old getrlimit(CPU): %#x %#x\n", r[0], r[1]);
	sc(NR_ugetrlimit, 0, (long)r, 0, 0, 0);
	printf("ugetrlimit(CPU): %#x %#x\n", r[0], r[1]);
	printf("getrlimit bad resource: %ld\n", sc(NR_getrlimit, 99, (long)r, 0, 0, 0));
	long n0 = sc(34, 0, 0, 0, 0, 0), n5 = sc(34, 5, 0, 0, 0, 0);	/* nice */
	long p5 = sc(96, 0, 0, 0, 0, 0);				/* getpriority(PRIO_PROCESS, 0) */
	long nm3 = sc(34, -3, 0, 0, 0, 0);
	printf("nice(0) %ld nice(5) %ld -> prio %ld, nice(-3) %ld -> prio %ld\n", n0, n5, p5, nm3,
	       sc(96, 0, 0, 0, 0, 0));
	char un[5 * 65];
	long ret = sc(NR_olduname, (long)un, 0, 0, 0, 0);
	printf("olduname: %ld sysname %s machine %s\n", ret, un, un + 4 * 65);
}

static int child_fn(void *arg) { return 0; }

static void procs(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(5);
	int st = 0;
	printf("waitpid: matches %d", sc(NR_waitpid, pid, (long)&st, 0, 0, 0) == pid);
	printf(" exited %d status %d\n", WIFEXITED(st), WEXITSTATUS(st));
	printf("waitpid no child: %ld\n", sc(NR_waitpid, -1, (long)&st, 0, 0, 0));

	/* clone(flags, stack, parent_tid, tls, child_tid): the i386 order */
	pid_t ptid = 0, ctid = 0;
	long r = syscall(NR_clone, SIGCHLD | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID, 0, &ptid, 0, &ctid);
	if (r == 0) {
		_exit(ctid == getpid() ? 6 : 7);
	}
	waitpid(r, &st, 0);
	printf("clone: parent_tid right %d, child saw its tid: %d\n", ptid == r, WEXITSTATUS(st) == 6);
	(void)child_fn;
}

static void tls(void)
{
	/* libc has taken one of the three entries for its own TLS */
	struct user_desc32 d = { (uint32_t)-1, 0x1000, 0xfffff, 0x51 };	/* 32bit, pages, useable */
	long r = sc(NR_set_thread_area, (long)&d, 0, 0, 0, 0);
	printf("set_thread_area(-1): %ld entry %u\n", r, d.entry);
	struct user_desc32 g = { d.entry, 0, 0, 0 };
	r = sc(NR_get_thread_area, (long)&g, 0, 0, 0, 0);
	printf("get_thread_area: %ld base %#x limit %#x flags %#x\n", r, g.base, g.limit, g.flags);
	d.entry = (uint32_t)-1;
	r = sc(NR_set_thread_area, (long)&d, 0, 0, 0, 0);
	printf("another: %ld entry %u\n", r, d.entry);
	d.entry = (uint32_t)-1;
	printf("none left: %ld\n", sc(NR_set_thread_area, (long)&d, 0, 0, 0, 0));
	struct user_desc32 e = { 13, 0, 0, 0x28 };	/* read_exec_only | seg_not_present: clear */
	printf("clear 13: %ld\n", sc(NR_set_thread_area, (long)&e, 0, 0, 0, 0));
	g.entry = 13;
	sc(NR_get_thread_area, (long)&g, 0, 0, 0, 0);
	printf("13 now: base %#x limit %#x flags %#x\n", g.base, g.limit, g.flags);
	struct user_desc32 bad16 = { 13, 0x2000, 0xff, 0x00 };		/* a 16-bit segment */
	struct user_desc32 code = { 13, 0x2000, 0xff, 0x05 };		/* contents 2: code */
	struct user_desc32 np = { 13, 0x2000, 0xff, 0x21 };		/* not present */
	struct user_desc32 low = { 5, 0x2000, 0xff, 0x01 };
	printf("16-bit: %ld code: %ld not-present: %ld entry 5: %ld\n",
	       sc(NR_set_thread_area, (long)&bad16, 0, 0, 0, 0),
	       sc(NR_set_thread_area, (long)&code, 0, 0, 0, 0),
	       sc(NR_set_thread_area, (long)&np, 0, 0, 0, 0),
	       sc(NR_set_thread_area, (long)&low, 0, 0, 0, 0));
	g.entry = 11;
	printf("get entry 11: %ld bad pointer: %ld\n", sc(NR_get_thread_area, (long)&g, 0, 0, 0, 0),
	       sc(NR_get_thread_area, 16, 0, 0, 0, 0));
	/* the new descriptor is usable through %fs */
	static uint32_t where[4] = { 0, 0x5eed, 0, 0 };
	struct user_desc32 f = { (uint32_t)-1, (uint32_t)where, 0xfffff, 0x51 };
	sc(NR_set_thread_area, (long)&e, 0, 0, 0, 0);	/* free 13 again */
	f.entry = 13;
	sc(NR_set_thread_area, (long)&f, 0, 0, 0, 0);
	uint32_t v;
	unsigned short sel = (13 << 3) | 3, oldfs;
	__asm__ volatile("mov %%fs, %0\n\tmov %2, %%fs\n\tmov %%fs:4, %1\n\tmov %0, %%fs"
			 : "=&r"(oldfs), "=r"(v) : "r"(sel));
	printf("%%fs:4 through entry 13: %#x\n", v);
}

static void multiplexers(void)
{
	printf("ipc bad call: %ld\n", sc(NR_ipc, 99, 0, 0, 0, 0));
	printf("socketcall 0: %ld, 21: %ld\n", sc(NR_socketcall, 0, 0, 0, 0, 0),
	       sc(NR_socketcall, 21, 0, 0, 0, 0));
	printf("socketcall bad args pointer: %ld\n", sc(NR_socketcall, 1, 16, 0, 0, 0));
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	old_signals();
	files();
	ids();
	procs();
	tls();
	multiplexers();
	return 0;
}
