/*
 * bench/ptrace_floor.c - the floor for an emulated system call: a C tracer
 * doing what pyuml does for getpid (PTRACE_SYSEMU, wait, GETREGS, set rax,
 * SETREGS), on the same CPU as its tracee, as pyuml pins itself.  bench/run.py
 * prints pyuml's getpid time as a ratio to this.
 *
 * usage: ptrace_floor N   -> prints ns_per_op=<x>
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PTRACE_SYSEMU
#define PTRACE_SYSEMU 31
#endif

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	sched_setaffinity(0, sizeof one, &one);
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		for (long i = 0; i < n; i++) {
			long r;
			__asm__ volatile("syscall" : "=a"(r) : "a"(39) : "rcx", "r11", "memory");
		}
		__asm__ volatile("syscall" :: "a"(60), "D"(0));
		for (;;);
	}
	int st;
	waitpid(pid, &st, 0);
	ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);
	struct user_regs_struct regs;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	long done = 0;
	for (;;) {
		ptrace(PTRACE_SYSEMU, pid, 0, 0);
		waitpid(pid, &st, 0);
		ptrace(PTRACE_GETREGS, pid, 0, &regs);
		if (regs.orig_rax == 60)
			break;
		regs.rax = pid;
		ptrace(PTRACE_SETREGS, pid, 0, &regs);
		done++;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	printf("ns_per_op=%.1f\n", ns / done);
	return 0;
}
