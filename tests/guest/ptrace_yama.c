/*
 * ptrace_yama: Yama's ptrace scope (/proc/sys/kernel/yama/ptrace_scope)
 * and prctl(PR_SET_PTRACER): who may attach to whom at each scope, as
 * Linux's security/yama rules say.  Run as root, under pyuml only: this
 * host has no Yama, and raising a host's scope to 3 cannot be undone.
 *
 * The target T is a process of uid 1000 that does what it is told over a
 * pipe (name a tracer, attach to a child of its own, have a child ask
 * PTRACE_TRACEME); would-be tracers are fresh processes of uid 1000 or 0.
 */
#define _GNU_SOURCE
#include "ptrace_util.h"
#include <fcntl.h>
#include <sys/prctl.h>

#ifndef PR_SET_PTRACER
#define PR_SET_PTRACER 0x59616d61
#endif
#ifndef PR_SET_PTRACER_ANY
#define PR_SET_PTRACER_ANY ((unsigned long)-1)
#endif

#define SCOPE "/proc/sys/kernel/yama/ptrace_scope"

static int cmd[2], reply[2];
static pid_t target;

static const char *err(int e)
{
	return e ? strerror(e) : "ok";
}

static void show_scope(void)
{
	char buf[16] = "";
	int fd = open(SCOPE, O_RDONLY);
	read(fd, buf, sizeof buf - 1);
	close(fd);
	printf("ptrace_scope: %s", buf);
}

static int write_scope(const char *v)
{
	int fd = open(SCOPE, O_WRONLY);
	if (fd < 0)
		return errno;
	int e = write(fd, v, strlen(v)) < 0 ? errno : 0;
	close(fd);
	return e;
}

static void set_scope(const char *v)
{
	char line[16];
	snprintf(line, sizeof line, "%s\n", v);
	printf("write %s -> %s\n", v, err(write_scope(line)));
}

static void become(uid_t uid)
{
	if (uid && (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0))
		_exit(97);
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

/* -- the target's side --------------------------------------------------------------------- */

static int child_traceme(void)
{
	pid_t c = fork();
	if (c == 0)
		_exit(ptrace(PTRACE_TRACEME, 0, 0, 0) < 0 ? errno : 0);
	int st = wait_quiet(c);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 99;
}

static int attach_own_child(void)
{
	pid_t c = fork();
	if (c == 0)
		for (;;)
			pause();
	int e = ptrace(PTRACE_SEIZE, c, 0, 0) < 0 ? errno : 0;
	kill(c, SIGKILL);
	wait_quiet(c);
	return e;
}

static void serve(void)
{
	struct { char op; unsigned long arg; } m;
	become(1000);
	close(cmd[1]);
	close(reply[0]);
	write(reply[1], &(int){0}, sizeof(int));         /* ready */
	while (read(cmd[0], &m, sizeof m) == sizeof m) {
		int e = 0;
		if (m.op == 'p')
			e = prctl(PR_SET_PTRACER, m.arg, 0, 0, 0) < 0 ? errno : 0;
		else if (m.op == 'c')
			e = attach_own_child();
		else if (m.op == 't')
			e = child_traceme();
		write(reply[1], &e, sizeof e);
	}
	_exit(0);
}

static int ask(char op, unsigned long arg)
{
	struct { char op; unsigned long arg; } m = {op, arg};
	int e;
	write(cmd[1], &m, sizeof m);
	read(reply[0], &e, sizeof e);
	return e;
}

/* -- would-be tracers ---------------------------------------------------------------------- */

/* a process of uid that waits for a byte on its pipe, then seizes the target */
static pid_t tracer_waiting(uid_t uid, int *go)
{
	int p[2];
	pipe(p);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		become(uid);
		read(p[0], &c, 1);
		_exit(ptrace(PTRACE_SEIZE, target, 0, 0) < 0 ? errno : 0);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static int run_tracer(pid_t pid, int go)
{
	write(go, "g", 1);
	close(go);
	int st = wait_quiet(pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 99;
}

static void try_attach(const char *who, uid_t uid)
{
	int go;
	pid_t pid = tracer_waiting(uid, &go);
	printf("  %s seizes T -> %s\n", who, err(run_tracer(pid, go)));
}

/* what else an attach check guards: /proc/PID/mem and process_vm_readv */
static void try_mem(const char *who, uid_t uid)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char path[64], b;
		become(uid);
		snprintf(path, sizeof path, "/proc/%d/mem", target);
		int fd = open(path, O_RDONLY);
		int e1 = fd < 0 ? errno : 0;
		struct iovec l = {&b, 1}, r = {(void *)&target, 1};
		int e2 = syscall(SYS_process_vm_readv, target, &l, 1, &r, 1, 0) < 0 ? errno : 0;
		printf("  %s: open T's /proc mem -> %s, process_vm_readv -> %s\n", who, err(e1),
		       err(e2));
		fflush(stdout);
		_exit(0);
	}
	wait_quiet(pid);
}

static void root_child_traceme(void)
{
	printf("  a child of root asks TRACEME -> %s\n", err(child_traceme()));
}

int main(void)
{
	need_proc();
	if (access(SCOPE, F_OK) < 0) {
		printf("no %s\n", SCOPE);
		return 1;
	}
	pipe(cmd);
	pipe(reply);
	fflush(stdout);
	target = fork();
	if (target == 0)
		serve();
	close(cmd[0]);
	close(reply[1]);
	int e;
	read(reply[0], &e, sizeof e);

	show_scope();
	try_attach("a sibling of uid 1000", 1000);
	printf("  T's child asks TRACEME -> %s\n", err(ask('t', 0)));

	set_scope("1");
	show_scope();
	try_attach("a sibling of uid 1000", 1000);
	try_attach("root", 0);
	printf("  T seizes its own child -> %s\n", err(ask('c', 0)));
	printf("  T's child asks TRACEME -> %s\n", err(ask('t', 0)));
	try_mem("a sibling of uid 1000", 1000);
	try_mem("root", 0);
	int go;
	pid_t named = tracer_waiting(1000, &go);
	printf("  T names that sibling: PR_SET_PTRACER -> %s\n", err(ask('p', named)));
	printf("  the sibling it named seizes T -> %s\n", err(run_tracer(named, go)));
	printf("  T names any: PR_SET_PTRACER_ANY -> %s\n", err(ask('p', PR_SET_PTRACER_ANY)));
	try_attach("a sibling of uid 1000", 1000);
	printf("  T names its parent -> %s\n", err(ask('p', getpid())));
	try_attach("a sibling (the parent's descendant)", 1000);
	printf("  T names nobody: PR_SET_PTRACER 0 -> %s\n", err(ask('p', 0)));
	try_attach("a sibling of uid 1000", 1000);
	printf("  T names a pid that does not exist -> %s\n", err(ask('p', 0x3fffff)));
	printf("  T names (int)-1 -> %s\n", err(ask('p', 0xffffffffUL)));
	try_attach("a sibling of uid 1000", 1000);
	ask('p', 0);
	set_scope("4");
	set_scope("-1");
	set_scope("x");
	fflush(stdout);
	pid_t u = fork();
	if (u == 0) {
		become(1000);
		printf("  uid 1000 writes 0 -> %s\n", err(write_scope("0\n")));
		fflush(stdout);
		_exit(0);
	}
	wait_quiet(u);

	set_scope("2");
	show_scope();
	try_attach("a sibling of uid 1000", 1000);
	try_attach("root", 0);
	printf("  T seizes its own child -> %s\n", err(ask('c', 0)));
	printf("  T's child asks TRACEME -> %s\n", err(ask('t', 0)));
	root_child_traceme();

	set_scope("3");
	show_scope();
	try_attach("root", 0);
	root_child_traceme();
	try_mem("root", 0);
	set_scope("0");
	set_scope("3");
	show_scope();

	close(cmd[1]);
	wait_quiet(target);
	fflush(stdout);
	return 0;
}
