/*
 * arch/x86_64/stub.S - the skas0 stub: the only host code in a guest's
 * address space.
 *
 * The kernel (a Python process) traces one host process per guest mm.  That
 * process holds the guest's pages below TASK_SIZE and, just above it, these
 * pages (see linker/stub.lds):
 *
 *  - stub_init: run once when the host process is created.  Maps the per-mm
 *    data and stack pages from physmem, drops every host mapping (stack;
 *    the host's vdso is moved out of the way, above the stub) so the guest
 *    range is empty, installs the SIGSEGV handler and the preemption tick,
 *    then stops.
 *  - stub_syscall_handler: runs the batch of host syscalls (mmap, munmap,
 *    mprotect, fork) that the kernel wrote into the data page, then stops.
 *  - stub_segv_handler: a guest page fault arrives here as a host SIGSEGV.
 *    It copies cr2, the error code and the trap number into faultinfo and
 *    stops; the kernel resolves the fault and queues the new mappings; the
 *    handler runs that batch, raises the (blocked) return signal and does
 *    rt_sigreturn.  Every guest register, %rcx included, comes back from the
 *    sigcontext, and the return signal stops the process just after it.
 *
 * The kernel finds all of this through the ELF symbol table (skas/stub.py);
 * the absolute symbols below are the one definition of the shared layout.
 */

#define __NR_mmap		9
#define __NR_munmap		11
#define __NR_rt_sigaction	13
#define __NR_rt_sigreturn	15
#define __NR_setitimer		38
#define __NR_kill		62
#define __NR_sigaltstack	131
#define __NR_prctl		157
#define __NR_seccomp		317
#define PR_SET_NO_NEW_PRIVS	38
#define SECCOMP_SET_MODE_FILTER	1

#define SIGUSR1		10
#define SIGSEGV		11
#define SIGCHLD		17

#define PROT_READ_WRITE	3
#define PROT_READ_EXEC	5
#define MAP_SHARED_FIXED 0x11
#define SA_SIGINFO	0x00000004
#define SA_RESTORER	0x04000000
#define SA_ONSTACK	0x08000000
#define SA_NODEFER	0x40000000
#define ITIMER_VIRTUAL	1

/* the user range a 47-bit host process can map */
#define HOST_TASK_SIZE	0x7ffffffff000

/* ---- the contract with the kernel: absolute symbols ---- */
	.globl stub_physmem_fd, stub_return_signal, stub_record_size
	.globl stub_tick_usec
	.set stub_physmem_fd, 3		/* physmem memfd's fd number in the stub */
	.set stub_return_signal, SIGUSR1
	.set stub_record_size, 64	/* nr, 6 args, result: 8 quadwords */
	.set stub_tick_usec, 10000	/* preemption tick: 10 ms of guest CPU */

/* offsets into struct ucontext (uc_mcontext starts at 40) */
#define UC_ERR		(40 + 19 * 8)
#define UC_TRAPNO	(40 + 20 * 8)
#define UC_CR2		(40 + 22 * 8)

/* ---- the data page(s): one set of physmem frames per mm ---- */
	.section .stub_data, "aw", @nobits
	.globl stub_host_pid, stub_faultinfo, stub_fault_cr2
	.globl stub_fault_error_code, stub_fault_trap_no, stub_fault_uc
	.globl stub_batch
stub_host_pid:		.skip 8		/* written by the kernel */
stub_faultinfo:
stub_fault_cr2:		.skip 8
stub_fault_error_code:	.skip 8
stub_fault_trap_no:	.skip 8
stub_fault_uc:		.skip 8		/* where the host put the ucontext */
	.balign 64
stub_batch:				/* records up to the end of the data pages */

	.text

/*
 * stub_entry: the ELF entry point.  The kernel stops the freshly exec'd stub
 * at its first instruction and points %rip at stub_init; this is never run.
 */
	.globl stub_entry
stub_entry:
	ud2

/*
 * stub_init(%r12 = physmem offset of the data pages,
 *           %r13 = physmem offset of the stack pages,
 *           %r14 = 1 when this process was exec'd, 0 when it was forked,
 *           %rbx = physmem offset of the code pages, when exec'd)
 *
 * Touches no stack: a forked child still shares its parent's stack frames
 * until the second mmap below.  On failure it stops with %r15 = step, %rax =
 * -errno; on success %r15 = 0.
 */
	.globl stub_init
stub_init:
	test	$1, %r14
	jz	1f
	/* exec'd: replace our code pages with the same bytes from physmem, so
	 * that every page of the stub is a physmem frame with a real pte */
	mov	$10, %r15
	mov	$__NR_mmap, %eax
	lea	stub_start(%rip), %rdi
	mov	$stub_code_size, %esi
	mov	$PROT_READ_EXEC, %edx
	mov	$MAP_SHARED_FIXED, %r10d
	mov	$stub_physmem_fd, %r8d
	mov	%rbx, %r9
	syscall
	cmp	$-4095, %rax
	jae	9f

1:	mov	$1, %r15
	mov	$__NR_mmap, %eax
	lea	stub_data(%rip), %rdi
	mov	$stub_data_size, %esi
	mov	$PROT_READ_WRITE, %edx
	mov	$MAP_SHARED_FIXED, %r10d
	mov	$stub_physmem_fd, %r8d
	mov	%r12, %r9
	syscall
	cmp	$-4095, %rax
	jae	9f

	mov	$2, %r15
	mov	$__NR_mmap, %eax
	lea	stub_stack(%rip), %rdi
	mov	$stub_stack_size, %esi
	mov	$PROT_READ_WRITE, %edx
	mov	$MAP_SHARED_FIXED, %r10d
	mov	$stub_physmem_fd, %r8d
	mov	%r13, %r9
	syscall
	cmp	$-4095, %rax
	jae	9f

	test	$1, %r14
	jz	2f

	/* exec'd: first move the host's vDSO and vvar pages, wherever the
	 * host put them, into the window after stub_end, by the mremap
	 * records the kernel wrote into the batch (skas/host_vdso.py; it reads
	 * their results).  Still on the host's stack, which is gone below. */
	mov	$12, %r15
	call	stub_run_batch

	/* then empty the guest range and everything above the stub */
	mov	$3, %r15
	mov	$__NR_munmap, %eax
	xor	%edi, %edi
	lea	stub_start(%rip), %rsi
	syscall
	cmp	$-4095, %rax
	jae	9f

	mov	$4, %r15
	mov	$__NR_munmap, %eax
	lea	stub_host_vdso_end(%rip), %rdi
	mov	$HOST_TASK_SIZE, %rsi
	sub	%rdi, %rsi
	syscall
	cmp	$-4095, %rax
	jae	9f

	mov	$5, %r15
	mov	$__NR_sigaltstack, %eax
	lea	stub_altstack(%rip), %rdi
	xor	%esi, %esi
	syscall
	cmp	$-4095, %rax
	jae	9f

	mov	$6, %r15
	mov	$__NR_rt_sigaction, %eax
	mov	$SIGSEGV, %edi
	lea	stub_segv_action(%rip), %rsi
	xor	%edx, %edx
	mov	$8, %r10d
	syscall
	cmp	$-4095, %rax
	jae	9f

	/* SIG_IGN for SIGCHLD: host children of a stub reap themselves */
	mov	$7, %r15
	mov	$__NR_rt_sigaction, %eax
	mov	$SIGCHLD, %edi
	lea	stub_ignore_action(%rip), %rsi
	xor	%edx, %edx
	mov	$8, %r10d
	syscall
	cmp	$-4095, %rax
	jae	9f

	/*
	 * A seccomp filter: only system calls made from the stub's own code
	 * reach the host.  Guest code never runs outside PTRACE_SYSEMU, whose
	 * stops come before seccomp; this is the second lock on that door, and
	 * it also catches the one guest "call" SYSEMU cannot see: a jump into
	 * the host's [vsyscall] page, which the host would otherwise answer
	 * behind our back.  It becomes a SIGSYS the kernel emulates.
	 * Inherited by every forked stub.
	 */
	mov	$9, %r15
	mov	$__NR_prctl, %eax
	mov	$PR_SET_NO_NEW_PRIVS, %edi
	mov	$1, %esi
	xor	%edx, %edx
	xor	%r10d, %r10d
	xor	%r8d, %r8d
	syscall
	cmp	$-4095, %rax
	jae	9f

	mov	$11, %r15
	mov	$__NR_seccomp, %eax
	mov	$SECCOMP_SET_MODE_FILTER, %edi
	xor	%esi, %esi
	lea	stub_seccomp_prog(%rip), %rdx
	syscall
	cmp	$-4095, %rax
	jae	9f

2:	/* interval timers are not inherited across fork: arm it every time */
	mov	$8, %r15
	mov	$__NR_setitimer, %eax
	mov	$ITIMER_VIRTUAL, %edi
	lea	stub_tick(%rip), %rsi
	xor	%edx, %edx
	syscall
	cmp	$-4095, %rax
	jae	9f

	xor	%r15, %r15
	lea	stub_stack_top(%rip), %rsp
9:	int3
	ud2

/*
 * stub_run_batch: run the records at stub_batch until one with nr == 0 or
 * until a call fails; each result goes into its record's last quadword.
 */
stub_run_batch:
	lea	stub_batch(%rip), %rbx
1:	mov	0(%rbx), %rax
	test	%rax, %rax
	jz	2f
	mov	8(%rbx), %rdi
	mov	16(%rbx), %rsi
	mov	24(%rbx), %rdx
	mov	32(%rbx), %r10
	mov	40(%rbx), %r8
	mov	48(%rbx), %r9
	syscall
	mov	%rax, 56(%rbx)
	add	$stub_record_size, %rbx
	cmp	$-4095, %rax
	jb	1b
2:	ret

/* stub_syscall_handler: the kernel's direct entry to run one batch. */
	.globl stub_syscall_handler
stub_syscall_handler:
	lea	stub_stack_top(%rip), %rsp
	call	stub_run_batch
	int3
	ud2

/*
 * stub_segv_handler(sig, siginfo, ucontext) on the stub's altstack.
 * On entry (%rsp) holds the restorer address; the ucontext follows it.
 */
	.globl stub_segv_handler
stub_segv_handler:
	mov	UC_CR2(%rdx), %rax
	mov	%rax, stub_fault_cr2(%rip)
	mov	UC_ERR(%rdx), %rax
	mov	%rax, stub_fault_error_code(%rip)
	mov	UC_TRAPNO(%rdx), %rax
	mov	%rax, stub_fault_trap_no(%rip)
	mov	%rdx, stub_fault_uc(%rip)
	.globl stub_segv_stop
stub_segv_stop:
	int3			/* the kernel handles the fault here */
	call	stub_run_batch
	mov	$__NR_kill, %eax
	mov	stub_host_pid(%rip), %rdi
	mov	$SIGUSR1, %esi	/* blocked until rt_sigreturn restores the mask */
	syscall
	add	$8, %rsp	/* drop the restorer slot: %rsp = &ucontext */
	.globl stub_rt_sigreturn
stub_rt_sigreturn:
	mov	$__NR_rt_sigreturn, %eax
	syscall
	ud2

	.section .rodata
	.balign 8
/* struct kernel_sigaction: handler, flags, restorer, mask */
stub_segv_action:
	.quad	stub_segv_handler
	.quad	SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTORER
	.quad	stub_rt_sigreturn
	.quad	1 << (SIGUSR1 - 1)
stub_ignore_action:
	.quad	1		/* SIG_IGN */
	.quad	SA_RESTORER
	.quad	stub_rt_sigreturn
	.quad	0
/* stack_t: ss_sp, ss_flags, ss_size */
stub_altstack:
	.quad	stub_stack
	.quad	0
	.quad	stub_stack_size
/* struct sock_fprog and its filter: allow iff stub_start <= ip < stub_code_end */
stub_seccomp_prog:
	.short	7
	.skip	6
	.quad	stub_seccomp_filter
stub_seccomp_filter:
	/* code, jt, jf, k */
	.short	0x20; .byte 0, 0; .long 12			/* ld ip[63:32] */
	.short	0x15; .byte 0, 3; .long stub_start_hi		/* jeq hi? */
	.short	0x20; .byte 0, 0; .long 8			/* ld ip[31:0] */
	.short	0x35; .byte 0, 1; .long stub_start_lo		/* jge start? */
	.short	0x35; .byte 0, 1; .long stub_code_end_lo	/* jge end? */
	.short	0x06; .byte 0, 0; .long 0x00030000		/* SECCOMP_RET_TRAP */
	.short	0x06; .byte 0, 0; .long 0x7fff0000		/* SECCOMP_RET_ALLOW */
/* struct itimerval: interval, value (each tv_sec, tv_usec) */
stub_tick:
	.quad	0, stub_tick_usec
	.quad	0, stub_tick_usec

	.section .note.GNU-stack, "", @progbits
