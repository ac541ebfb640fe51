/*
 * tests/guest/ptrace_util.h - helpers for the ptrace guests.
 *
 * The ptrace_*.c programs trace their own children and print what they
 * see in words (stop kinds, signal names, register values relative to a
 * known start) so that the output is the same natively and under pyuml
 * and never shows a pid or an address.  64-bit and 32-bit builds share the
 * code through the REG_* names.
 */
#ifndef PTRACE_UTIL_H
#define PTRACE_UTIL_H
#include "procs.h"
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/uio.h>
#include <elf.h>
#include <stddef.h>
#include <sys/syscall.h>

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif
#ifndef PTRACE_SYSEMU
#define PTRACE_SYSEMU 31
#define PTRACE_SYSEMU_SINGLESTEP 32
#endif
#ifndef PTRACE_GET_SYSCALL_INFO
#define PTRACE_GET_SYSCALL_INFO 0x420e
#endif
#ifndef PTRACE_O_EXITKILL
#define PTRACE_O_EXITKILL 0x100000
#endif
#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif
#ifndef PTRACE_GETSIGMASK
#define PTRACE_GETSIGMASK 0x420a
#define PTRACE_SETSIGMASK 0x420b
#endif
#ifndef PTRACE_PEEKSIGINFO
#define PTRACE_PEEKSIGINFO 0x4209
#endif

#ifdef __x86_64__
#define REG_IP rip
#define REG_SP rsp
#define REG_AX rax
#define REG_ORIG orig_rax
#define REG_ARG0 rdi
#define BITS 64
#else
#define REG_IP eip
#define REG_SP esp
#define REG_AX eax
#define REG_ORIG orig_eax
#define REG_ARG0 ebx
#define BITS 32
#endif

/* a raw ptrace() that keeps errno as the kernel set it */
static long pt(int req, pid_t pid, void *addr, void *data)
{
	errno = 0;
	return ptrace(req, pid, addr, data);
}

/* a request resuming the tracee: the tracee may print before we do */
static int resumes(int req)
{
	return req == PTRACE_CONT || req == PTRACE_SYSCALL || req == PTRACE_SINGLESTEP ||
	       req == PTRACE_SYSEMU || req == PTRACE_SYSEMU_SINGLESTEP || req == PTRACE_DETACH ||
	       req == PTRACE_KILL || req == PTRACE_LISTEN;
}

/* a request, and its result; one that resumes the tracee prints only a
 * failure (after a success the tracee's own output races with ours) */
#define PT(req, pid, addr, data) do {					\
	fflush(stdout);							\
	long _r = pt(req, pid, (void *)(addr), (void *)(long)(data));	\
	if (_r < 0 && errno)						\
		printf("%s -> -1 (%s)\n", #req, strerror(errno));	\
	else if (!resumes(req))						\
		printf("%s -> 0\n", #req);				\
	fflush(stdout);							\
} while (0)

/* a mount of /proc for
 * pyuml's bare initramfs (natively it is there already) */
#include <sys/mount.h>
#include <sys/stat.h>
static __attribute__((unused)) void need_proc(void)
{
	if (access("/proc/self", F_OK) < 0) {
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
}

static const char *event_name(int ev)
{
	switch (ev) {
	case PTRACE_EVENT_FORK: return "FORK";
	case PTRACE_EVENT_VFORK: return "VFORK";
	case PTRACE_EVENT_CLONE: return "CLONE";
	case PTRACE_EVENT_EXEC: return "EXEC";
	case PTRACE_EVENT_VFORK_DONE: return "VFORK_DONE";
	case PTRACE_EVENT_EXIT: return "EXIT";
	case PTRACE_EVENT_STOP: return "STOP";
	}
	return "?";
}

/* one line for a wait status, ptrace stops included */
static void print_status(const char *who, int st)
{
	if (WIFSTOPPED(st)) {
		int sig = WSTOPSIG(st), ev = st >> 16;
		if (ev)
			printf("%s: event %s, %s\n", who, event_name(ev), strsignal(sig & 0x7f));
		else if (sig == (SIGTRAP | 0x80))
			printf("%s: syscall stop\n", who);
		else
			printf("%s: stopped, %s\n", who, strsignal(sig));
	} else {
		describe_status(who, st);
	}
	fflush(stdout);
}

/* waitpid with __WALL, retried over EINTR; prints and returns the status */
static int wait_show(const char *who, pid_t pid)
{
	int st;
	pid_t w;
	while ((w = waitpid(pid, &st, __WALL)) < 0 && errno == EINTR)
		;
	if (w != pid) {
		printf("%s: waitpid -> %d (%s)\n", who, (int)w, strerror(errno));
		return -1;
	}
	print_status(who, st);
	return st;
}

static __attribute__((unused)) int wait_quiet(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR)
		;
	return st;
}

static __attribute__((unused)) void get_regs(pid_t pid, struct user_regs_struct *r)
{
	if (ptrace(PTRACE_GETREGS, pid, 0, r) < 0)
		printf("GETREGS failed: %s\n", strerror(errno));
}

static __attribute__((unused)) const char *si_code_name(int code)
{
	static char buf[32];
	switch (code) {
	case SI_USER: return "SI_USER";
	case SI_KERNEL: return "SI_KERNEL";
	case SI_QUEUE: return "SI_QUEUE";
	case SI_TKILL: return "SI_TKILL";
	case 1: return "1 (TRAP_BRKPT)";
	case 2: return "2 (TRAP_TRACE)";
	}
	snprintf(buf, sizeof buf, "%#x", code);
	return buf;
}

#endif
