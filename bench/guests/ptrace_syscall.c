/* ptrace_syscall: the cost of a traced system call - a child's getpid
 * under PTRACE_SYSCALL, its entry and exit stops each waited for and
 * resumed by the tracer (what strace costs per call).  Timed by the tracer
 * from the first resume to the exit_group entry stop.  Per getpid the
 * machine runs 5 guest system calls (the tracee's getpid, the tracer's two
 * PTRACE_SYSCALLs and two wait4s); under pyuml that is 5 host ptrace stops,
 * which bench/run.py's stops/op column shows.
 *
 * The tracer checks what it saw: every stop a syscall-stop
 * (SIGTRAP|0x80 with TRACESYSGOOD), exactly 2n + 1 of them, then the
 * child's exit 0; otherwise it prints no figure and exits 1, so a broken
 * ptrace does not pass as a fast one. */
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		kill(getpid(), SIGSTOP);       /* no libc wrapper calls after it */
		for (long i = 0; i < n; i++)
			syscall(SYS_getpid);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);                   /* the SIGSTOP */
	if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGSTOP ||
	    ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) {
		fprintf(stderr, "ptrace_syscall: no SIGSTOP stop (status %#x)\n", st);
		return 1;
	}
	/* n getpids (2n stops), then exit_group's entry stop */
	double t0 = now_ns(), dt = 0;
	long stops = 0, odd = 0;
	for (;;) {
		ptrace(PTRACE_SYSCALL, pid, 0, 0);
		waitpid(pid, &st, 0);
		if (!WIFSTOPPED(st))
			break;
		if (WSTOPSIG(st) != (SIGTRAP | 0x80))
			odd++;
		if (++stops == 2 * n + 1)
			dt = now_ns() - t0;
	}
	if (stops != 2 * n + 1 || odd || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "ptrace_syscall: %ld stops (%ld not syscall-stops), "
			"want %ld; status %#x\n", stops, odd, 2 * n + 1, st);
		return 1;
	}
	printf("ns_per_op=%.1f\n", n ? dt / n : 0.0);
	return 0;
}
