/*
 * tests/guest/ptrace_syscall.c - syscall stops: PTRACE_SYSCALL, PTRACE_SYSEMU,
 * PTRACE_GET_SYSCALL_INFO, a tracer changing a call (its number, its
 * arguments, its result), and a 64-bit tracer of i386 code (a 32-bit
 * program, and int $0x80 in a 64-bit one).  "ptrace_syscall SCENARIO".
 */
#include "ptrace_util.h"

struct syscall_info {
	uint8_t op, pad0;
	uint16_t pad1;
	uint32_t arch;
	uint64_t ip, sp;
	union {
		struct { uint64_t nr, args[6]; } entry;
		struct { int64_t rval; uint8_t is_error; } exit;
		struct { uint64_t nr, args[6]; uint32_t ret_data; } seccomp;
	};
};

static const char *op_name[] = {"NONE", "ENTRY", "EXIT", "SECCOMP"};

static const char *nr_name(long nr, int is32)
{
	static char buf[32];
	if (is32) {
		switch (nr) {
		case 1: return "exit";
		case 4: return "write";
		case 20: return "getpid";
		case 24: return "getuid";
		case 64: return "getppid";
		case 252: return "exit_group";
		}
	} else {
		switch (nr) {
		case SYS_getpid: return "getpid";
		case SYS_getppid: return "getppid";
		case SYS_getuid: return "getuid";
		case SYS_write: return "write";
		case SYS_exit_group: return "exit_group";
		case SYS_exit: return "exit";
		}
	}
	snprintf(buf, sizeof buf, "#%ld", nr);
	return buf;
}

/* describe the current stop through GET_SYSCALL_INFO */
static struct syscall_info show_info(pid_t pid)
{
	struct syscall_info si;
	memset(&si, 0, sizeof si);
	long n = ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof si, &si);
	int is32 = si.arch == 0x40000003;
	printf("  info %s size %ld arch %s", si.op < 4 ? op_name[si.op] : "?", n,
	       is32 ? "i386" : si.arch == 0xc000003e ? "x86_64" : "?");
	if (si.op == 1) {
		const char *name = nr_name(si.entry.nr, is32);
		/* the arguments a call does not take hold whatever was there */
		if (!strcmp(name, "write") || !strcmp(name, "exit_group"))
			printf(" %s(%ld, ...)", name, (long)(int)si.entry.args[0]);
		else
			printf(" %s()", name);
	}
	else if (si.op == 2)
		printf(" rval %s%lld", si.exit.is_error ? "error " : "",
		       si.exit.is_error ? (long long)si.exit.rval : si.exit.rval > 0);
	else if (si.op == 3)
		printf(" %s() ret_data %#x", nr_name(si.entry.nr, is32),
		       *(uint32_t *)((char *)&si + 80));
	printf("\n");
	return si;
}

static pid_t traced_child(void (*then)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		kill(getpid(), SIGSTOP);
		then();
		_exit(0);
	}
	return pid;
}

/* -- a fixed sequence of calls, each seen at entry and exit -------------------------- */

static void calls(void)
{
	syscall(SYS_getppid);
	syscall(SYS_write, -1, "x", 1);
	syscall(SYS_getuid);
	syscall(SYS_exit_group, 5);
}

static void scenario_stops(void)
{
	pid_t pid = traced_child(calls);
	wait_show("tracer", pid);
	show_info(pid);                                 /* a signal stop: NONE */
	PT(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD);
	for (int i = 0; i < 12; i++) {
		PT(PTRACE_SYSCALL, pid, 0, 0);
		int st = wait_show("tracer", pid);
		if (!WIFSTOPPED(st))
			break;
		unsigned long msg = 0;
		siginfo_t si;
		ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg);
		ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
		printf("  eventmsg %lu si_code %#x\n", msg, si.si_code);
		show_info(pid);
	}
	/* a short buffer: the whole size is returned, only the start copied */
}

/* -- without PTRACE_O_TRACESYSGOOD the stops are plain SIGTRAPs ------------------- */

static void scenario_nosysgood(void)
{
	pid_t pid = traced_child(calls);
	wait_show("tracer", pid);
	for (int i = 0; i < 3; i++) {
		PT(PTRACE_SYSCALL, pid, 0, 0);
		wait_show("tracer", pid);
		show_info(pid);                         /* NONE: not told apart */
	}
	struct user_regs_struct r;
	get_regs(pid, &r);
	printf("orig is getppid %d\n", (long)r.REG_ORIG == SYS_getppid);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracer", pid);
}

/* -- PTRACE_SYSEMU: the tracer does the calls -------------------------------------- */

static void emulated(void)
{
	for (int i = 0; i < 3; i++)
		printf("child: getpid -> %ld\n", syscall(SYS_getpid));
	errno = 0;
	long r = syscall(SYS_getppid);                  /* "let go" */
	printf("child: getppid -> %ld (%s)\n", r, strerror(errno));
	fflush(stdout);
}

static void scenario_sysemu(void)
{
	sigset_t set;
	pid_t pid = traced_child(emulated);
	(void)set;
	wait_show("tracer", pid);
	PT(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD);
	int k = 0;
	for (;;) {
		PT(PTRACE_SYSEMU, pid, 0, 0);
		int st = wait_quiet(pid);
		if (!WIFSTOPPED(st)) {
			print_status("tracer", st);
			return;
		}
		struct user_regs_struct r;
		get_regs(pid, &r);
		struct syscall_info si;
		memset(&si, 0, sizeof si);
		ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof si, &si);
		if ((long)r.REG_ORIG == SYS_getpid) {
			printf("tracer: emulating getpid (op %s)\n", op_name[si.op]);
			r.REG_AX = 1000 + k++;
			PT(PTRACE_SETREGS, pid, 0, &r);
			continue;
		}
		if ((long)r.REG_ORIG == SYS_getppid) {
			printf("tracer: getppid, letting go\n");
			break;
		}
		/* anything else the child does in between (musl/glibc buffering) */
		r.REG_AX = -ENOSYS;
		ptrace(PTRACE_SETREGS, pid, 0, &r);
	}
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracer", pid);
}

/* -- changing a call: its number, its arguments, skipping it --------------------- */

static void changed(void)
{
	pid_t me = getpid(), parent = getppid();
	long r = syscall(SYS_getpid);
	printf("child: getpid gave the parent %d, itself %d\n", r == parent, r == me);
	errno = 0;
	r = syscall(SYS_getpid);
	printf("child: skipped call -> %ld (%s)\n", r, strerror(errno));
	r = syscall(SYS_getpid);
	printf("child: skipped call with a result -> %ld\n", r);
	fflush(stdout);
	syscall(SYS_write, 1, "hello\n", 6);
	r = syscall(SYS_getpid);
	printf("\nchild: result changed at exit -> %ld\n", r);
	fflush(stdout);
}

static int next_syscall(pid_t pid, struct user_regs_struct *r)
{
	PT(PTRACE_SYSCALL, pid, 0, 0);
	int st = wait_quiet(pid);
	if (!WIFSTOPPED(st)) {
		print_status("tracer", st);
		return 0;
	}
	get_regs(pid, r);
	return 1;
}

static void scenario_modify(void)
{
	pid_t pid = traced_child(changed);
	struct user_regs_struct r;
	int getpids = 0, writes = 0;
	wait_show("tracer", pid);
	PT(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD);
	while (next_syscall(pid, &r)) {                 /* an entry */
		long nr = r.REG_ORIG;
		if (nr == SYS_getpid) {
			getpids++;
			if (getpids == 2) {         /* getpid -> getppid */
				r.REG_ORIG = SYS_getppid;
				PT(PTRACE_SETREGS, pid, 0, &r);
			} else if (getpids == 3) {  /* skipped: -ENOSYS stays */
				r.REG_ORIG = -1;
				PT(PTRACE_SETREGS, pid, 0, &r);
			} else if (getpids == 4) {  /* skipped, with a result */
				r.REG_ORIG = -1;
				r.REG_AX = 77;
				PT(PTRACE_SETREGS, pid, 0, &r);
			}
		} else if (nr == SYS_write && (long)(int)r.REG_ARG0 == 1 && writes++ == 1) {
#ifdef __x86_64__
			r.rdx = 3;                  /* "hel" */
#else
			r.edx = 3;
#endif
			PT(PTRACE_SETREGS, pid, 0, &r);
		}
		if (!next_syscall(pid, &r))         /* its exit */
			break;
		if (nr == SYS_getpid && getpids == 5) {
			r.REG_AX = 12345;
			PT(PTRACE_SETREGS, pid, 0, &r);
		}
	}
}

/* -- a 64-bit tracer of i386 code ------------------------------------------------------ */

static void scenario_cross(const char *prog32)
{
#ifdef __x86_64__
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execl(prog32, prog32, (char *)0);
		_exit(99);
	}
	wait_show("tracer", pid);                       /* exec's SIGTRAP */
	struct user_regs_struct r;
	get_regs(pid, &r);
	printf("cs %#llx ip below 4G %d\n", (unsigned long long)r.cs, r.rip < 0x100000000ULL);
	errno = 0;
	long cs = ptrace(PTRACE_PEEKUSER, pid, (void *)offsetof(struct user_regs_struct, cs), 0);
	printf("PEEKUSER cs %#lx\n", cs);
	char buf[512];
	struct iovec iov = {buf, sizeof buf};
	PT(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov);
	printf("NT_PRSTATUS of the i386 tracee: %zu bytes, eip matches %d\n", iov.iov_len,
	       *(uint32_t *)(buf + 48) == (uint32_t)r.rip);
	iov.iov_len = sizeof buf;
	PT(PTRACE_GETREGSET, pid, NT_PRFPREG, &iov);
	printf("NT_PRFPREG of the i386 tracee: %zu bytes\n", iov.iov_len);
	PT(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD);
	for (int i = 0; i < 8; i++) {
		PT(PTRACE_SYSCALL, pid, 0, 0);
		int st = wait_show("tracer", pid);
		if (!WIFSTOPPED(st))
			break;
		get_regs(pid, &r);
		struct syscall_info si = show_info(pid);
		if (si.op == 1)
			printf("  orig_rax %lld (%s)\n", (long long)r.orig_rax, nr_name(r.orig_rax, 1));
	}
#endif
}

static void int80_child(void)
{
#ifdef __x86_64__
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");     /* getpid */
	printf("child: int $0x80 getpid is mine %d\n", ret == getpid());
	fflush(stdout);
#endif
}

static void scenario_int80(void)
{
	pid_t pid = traced_child(int80_child);
	struct user_regs_struct r;
	wait_show("tracer", pid);
	PT(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD);
	PT(PTRACE_SYSCALL, pid, 0, 0);
	wait_show("tracer", pid);
	get_regs(pid, &r);
	printf("orig %ld\n", (long)r.REG_ORIG);
	show_info(pid);
	PT(PTRACE_SYSCALL, pid, 0, 0);
	wait_show("tracer", pid);
	show_info(pid);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracer", pid);
}

/* -- SECCOMP_RET_TRACE: the tracer sees the filtered call first ----------------------- */

#include <sys/prctl.h>
struct sock_filter_ { uint16_t code; uint8_t jt, jf; uint32_t k; };
struct sock_fprog_ { unsigned short len; struct sock_filter_ *filter; };
#define RET_TRACE 0x7ff00000U
#define RET_ALLOW 0x7fff0000U
#define RET_ERRNO 0x00050000U
#ifndef PTRACE_O_TRACESECCOMP
#define PTRACE_O_TRACESECCOMP 0x80
#endif
#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#define PTRACE_SECCOMP_GET_METADATA 0x420d
#endif
#define PTRACE_EVENT_SECCOMP_ 7

static void filtered(void)
{
	struct sock_filter_ insns[] = {
		{0x20, 0, 0, 0},                        /* ld [0]: nr */
		{0x15, 0, 1, SYS_getppid},              /* jeq getppid */
		{0x06, 0, 0, RET_TRACE | 0x42},
		{0x15, 0, 1, SYS_getuid},               /* jeq getuid */
		{0x06, 0, 0, RET_ERRNO | EACCES},
		{0x06, 0, 0, RET_ALLOW},
	};
	struct sock_fprog_ prog = {6, insns};
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (syscall(SYS_seccomp, 1, 0, &prog) < 0)     /* SECCOMP_SET_MODE_FILTER */
		printf("child: seccomp: %s\n", strerror(errno));
	kill(getpid(), SIGSTOP);                        /* the tracer looks at the filter */
	pid_t me = getpid();
	long r = syscall(SYS_getppid);
	printf("child: getppid became getpid %d\n", r == me);
	errno = 0;
	r = syscall(SYS_getppid);
	printf("child: became getuid, which the filter refuses -> %ld (%s)\n", r, strerror(errno));
	errno = 0;
	r = syscall(SYS_getppid);
	printf("child: skipped by the tracer -> %ld (%s)\n", r, strerror(errno));
	errno = 0;
	r = syscall(SYS_getppid);
	printf("child: no tracer wanting it -> %ld (%s)\n", r, strerror(errno));
	fflush(stdout);
}

static void scenario_seccomp(void)
{
	pid_t pid = traced_child(filtered);
	struct user_regs_struct r;
	wait_show("tracer", pid);                       /* TRACEME's SIGSTOP */
	PT(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESECCOMP);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracer", pid);                       /* the filter is on */
	struct sock_filter_ got[8];
	errno = 0;
	long n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, 0, got);
	printf("GET_FILTER: %ld insns, third returns %#x\n", n, n > 2 ? got[2].k : 0);
	errno = 0;
	n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)1, got);
	printf("GET_FILTER 1: %ld (%s)\n", n, strerror(errno));
	uint64_t meta[2] = {0, 99};
	n = ptrace(PTRACE_SECCOMP_GET_METADATA, pid, (void *)sizeof meta, meta);
	printf("GET_METADATA: %ld, flags %llu\n", n, (unsigned long long)meta[1]);
	PT(PTRACE_CONT, pid, 0, 0);
	for (int i = 0; i < 3; i++) {
		int st = wait_show("tracer", pid);      /* the seccomp stop */
		if (!WIFSTOPPED(st))
			return;
		printf("  event SECCOMP %d, msg %#lx\n", (st >> 16) == PTRACE_EVENT_SECCOMP_,
		       (unsigned long)({ unsigned long m = 0; ptrace(PTRACE_GETEVENTMSG, pid, 0, &m); m; }));
		show_info(pid);
		get_regs(pid, &r);
		if (i == 0) {
			r.REG_ORIG = SYS_getpid;
		} else if (i == 1) {
			r.REG_ORIG = SYS_getuid;        /* the filters see it again */
		} else {
			r.REG_ORIG = -1;
			r.REG_AX = -EPERM;
		}
		PT(PTRACE_SETREGS, pid, 0, &r);
		if (i == 2)
			PT(PTRACE_SETOPTIONS, pid, 0, 0);
		PT(PTRACE_CONT, pid, 0, 0);
	}
	wait_show("tracer", pid);
}

/* -- PTRACE_O_SUSPEND_SECCOMP: a checkpointer's tracee runs unfiltered -------------- */

#ifndef PTRACE_O_SUSPEND_SECCOMP
#define PTRACE_O_SUSPEND_SECCOMP 0x200000
#endif

static void refuse_getuid(void)
{
	struct sock_filter_ insns[] = {
		{0x20, 0, 0, 0},                        /* ld [0]: nr */
		{0x15, 0, 1, SYS_getuid},               /* jeq getuid */
		{0x06, 0, 0, RET_ERRNO | EACCES},
		{0x06, 0, 0, RET_ALLOW},
	};
	struct sock_fprog_ prog = {4, insns};
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (syscall(SYS_seccomp, 1, 0, &prog) < 0)     /* SECCOMP_SET_MODE_FILTER */
		printf("seccomp: %s\n", strerror(errno));
}

static void try_getuid(const char *when)
{
	errno = 0;
	long r = syscall(SYS_getuid);
	printf("child: getuid %s -> %s\n", when, r < 0 ? strerror(errno) : "allowed");
	fflush(stdout);
}

static void suspend_child(void)
{
	refuse_getuid();
	try_getuid("filtered");
	kill(getpid(), SIGSTOP);                        /* the tracer suspends the filter */
	try_getuid("suspended");
	kill(getpid(), SIGSTOP);                        /* the tracer clears the option */
	try_getuid("option cleared");
	kill(getpid(), SIGSTOP);                        /* set again, then detached */
	try_getuid("after the detach");
	ptrace(PTRACE_TRACEME, 0, 0, 0);                /* a new tracer: no options */
	kill(getpid(), SIGSTOP);
	try_getuid("traced again");
}

static void strict_child(void)
{
	static const char msg[] = "child: getppid in strict mode ran\n";
	prctl(PR_SET_SECCOMP, 1);                       /* SECCOMP_MODE_STRICT */
	syscall(SYS_getppid);                           /* SIGKILL unless suspended */
	syscall(SYS_write, 1, msg, sizeof msg - 1);
	syscall(SYS_exit, 0);
}

static void nothing(void)
{
}

/* who may not suspend a tracee's filters: a tracer under seccomp itself,
 * a tracer without CAP_SYS_ADMIN */
static void confined_tracer(int as_nobody)
{
	fflush(stdout);
	pid_t helper = fork();
	if (helper == 0) {
		if (as_nobody) {
			if (setuid(65534) < 0)
				printf("setuid: %s\n", strerror(errno));
		} else {
			refuse_getuid();
		}
		pid_t pid = traced_child(nothing);
		wait_quiet(pid);
		printf("%s tracer: ", as_nobody ? "an unprivileged" : "a filtered");
		PT(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_SUSPEND_SECCOMP);
		PT(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD);
		PT(PTRACE_CONT, pid, 0, 0);
		wait_quiet(pid);
		fflush(stdout);
		_exit(0);
	}
	wait_quiet(helper);
}

static void scenario_suspend(void)
{
	pid_t pid = traced_child(suspend_child);
	wait_show("tracer", pid);                       /* TRACEME's SIGSTOP */
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracer", pid);
	PT(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_SUSPEND_SECCOMP);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracer", pid);
	PT(PTRACE_SETOPTIONS, pid, 0, 0);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracer", pid);
	PT(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_SUSPEND_SECCOMP | PTRACE_O_TRACESYSGOOD);
	PT(PTRACE_DETACH, pid, 0, 0);
	wait_show("tracer", pid);                       /* traced again */
	PT(PTRACE_SYSCALL, pid, 0, 0);                  /* a plain SIGTRAP: no TRACESYSGOOD */
	wait_show("tracer", pid);
	PT(PTRACE_CONT, pid, 0, 0);
	wait_show("tracer", pid);
	for (int suspend = 1; suspend >= 0; suspend--) {
		pid = traced_child(strict_child);
		wait_show("tracer", pid);
		PT(PTRACE_SETOPTIONS, pid, 0, suspend ? PTRACE_O_SUSPEND_SECCOMP : 0);
		PT(PTRACE_CONT, pid, 0, 0);
		wait_show("tracer", pid);
	}
	confined_tracer(0);
	confined_tracer(1);
}

int main(int argc, char **argv)
{
	test_as_child();
	const char *what = argc > 1 ? argv[1] : "";
	if (!strcmp(what, "stops"))
		scenario_stops();
	else if (!strcmp(what, "nosysgood"))
		scenario_nosysgood();
	else if (!strcmp(what, "sysemu"))
		scenario_sysemu();
	else if (!strcmp(what, "modify"))
		scenario_modify();
	else if (!strcmp(what, "cross") && argc > 2)
		scenario_cross(argv[2]);
	else if (!strcmp(what, "int80"))
		scenario_int80();
	else if (!strcmp(what, "seccomp"))
		scenario_seccomp();
	else if (!strcmp(what, "suspend"))
		scenario_suspend();
	else
		printf("usage: ptrace_syscall SCENARIO\n");
	fflush(stdout);
	return 0;
}
