/*
 * arch/x86/stub.S - the skas0 stub of a 32-bit (i386) guest address space.
 *
 * Assembled --32.  The same contract as arch/x86_64/stub.S (the kernel reads
 * both through their ELF symbol tables, skas/stub.py); what differs is what
 * i386 forces on us:
 *
 *  - Seven registers carry a system call (eax, then ebx ecx edx esi edi ebp
 *    for the arguments), which is every general register but %esp.  So
 *    stub_init gets only the data pages' physmem page offset in a register
 *    (%ebp, exactly where mmap2 wants it), maps them, and reads the rest of
 *    its arguments from them (the kernel wrote them there through physmem
 *    beforehand).  Its step counter lives in %esp, the one register left.
 *  - The batch runner walks the records with %esp as its pointer, as the
 *    original i386 skas0 stub did, and saves the real stack pointer in the
 *    data page meanwhile.  Records keep the 64-bit layout (8 quadwords); the
 *    stub uses the low half of each and writes its 32-bit result
 *    zero-extended.  mmap2 takes its offset in pages (skas/mem.py).
 *  - The SIGSEGV handler reads cr2, the error code and the trap number from
 *    the 32-bit sigcontext (struct sigcontext_32 inside ucontext_ia32).
 *  - The seccomp filter is the 64-bit stub's (the instruction pointer of a
 *    32-bit process has a zero upper half); a 32-bit process has no
 *    [vsyscall] page, so nothing legitimate ever trips it.
 *
 * arch_finish_segv: the seed's i386 stub has none (the registers are simply
 * restored, and on i386 that is exact).  We keep the x86_64 stub's
 * return-signal trick instead: the handler runs the queued batch, sends
 * itself SIGUSR1 (blocked while the handler runs) and calls rt_sigreturn,
 * which restores every register from the sigcontext and unblocks SIGUSR1,
 * so the process stops right after, at the guest's faulting instruction.
 * One path in skas/userspace.py serves both subarchs, and SIGSEGV is never
 * left blocked by an abandoned handler frame (PLATFORM.md).  The guest test
 * tests/guest/asm32/regs.S checks that every register survives a fault.
 */

#define __NR_fork		2
#define __NR_kill		37
#define __NR_munmap		91
#define __NR_setitimer		104
#define __NR_rt_sigreturn	173
#define __NR_rt_sigaction	174
#define __NR_sigaltstack	186
#define __NR_mmap2		192
#define __NR_prctl		172
#define __NR_seccomp		354
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

/* the user range of a 32-bit process on an x86_64 host (IA32_PAGE_OFFSET) */
#define HOST_TASK_SIZE	0xffffe000

/* ---- the contract with the kernel: absolute symbols ---- */
	.globl stub_physmem_fd, stub_return_signal, stub_record_size
	.globl stub_tick_usec
	.set stub_physmem_fd, 3
	.set stub_return_signal, SIGUSR1
	.set stub_record_size, 64	/* nr, 6 args, result: 8 quadwords */
	.set stub_tick_usec, 10000

/* offsets into struct ucontext_ia32: flags 4, link 4, stack_t 12, then
 * struct sigcontext_32 (gs fs es ds edi esi ebp esp ebx edx ecx eax trapno
 * err eip cs eflags esp_at_signal ss fpstate oldmask cr2, 4 bytes each) */
#define UC_MCONTEXT	20
#define UC_TRAPNO	(UC_MCONTEXT + 12 * 4)
#define UC_ERR		(UC_MCONTEXT + 13 * 4)
#define UC_CR2		(UC_MCONTEXT + 21 * 4)

/* ---- the data page(s): one set of physmem frames per mm ---- */
	.section .stub_data, "aw", @nobits
	.globl stub_host_pid, stub_faultinfo, stub_fault_cr2
	.globl stub_fault_error_code, stub_fault_trap_no, stub_fault_uc
	.globl stub_init_stack_pgoff, stub_init_code_pgoff, stub_init_exec
	.globl stub_batch
stub_host_pid:		.skip 8		/* written by the kernel */
stub_faultinfo:
stub_fault_cr2:		.skip 8		/* each field a zero-extended quadword */
stub_fault_error_code:	.skip 8
stub_fault_trap_no:	.skip 8
stub_fault_uc:		.skip 8
/* stub_init's arguments beyond the first, written by the kernel */
stub_init_stack_pgoff:	.skip 8
stub_init_code_pgoff:	.skip 8
stub_init_exec:		.skip 8		/* 1: exec'd (the template), 0: forked */
stub_batch_sp:		.skip 8		/* %esp while the batch runner borrows it */
	.balign 64
stub_batch:				/* records up to the end of the data pages */

	.text

	.globl stub_entry
stub_entry:
	ud2

/*
 * stub_init(%ebp = physmem page offset of the data pages; the other
 *           arguments in the data pages themselves: stub_init_*)
 *
 * Touches no stack.  On failure it stops with %esi = step, %eax = -errno;
 * on success %esi = 0.
 */
	.globl stub_init
stub_init:
	mov	$1, %esp
	mov	$__NR_mmap2, %eax
	mov	$stub_data, %ebx
	mov	$stub_data_size, %ecx
	mov	$PROT_READ_WRITE, %edx
	mov	$MAP_SHARED_FIXED, %esi
	mov	$stub_physmem_fd, %edi
	int	$0x80			/* %ebp: the page offset we were given */
	cmp	$-4095, %eax
	jae	9f

	mov	$2, %esp
	mov	$__NR_mmap2, %eax
	mov	$stub_stack, %ebx
	mov	$stub_stack_size, %ecx
	mov	$PROT_READ_WRITE, %edx
	mov	$MAP_SHARED_FIXED, %esi
	mov	$stub_physmem_fd, %edi
	mov	stub_init_stack_pgoff, %ebp
	int	$0x80
	cmp	$-4095, %eax
	jae	9f

	testl	$1, stub_init_exec
	jz	2f

	/* exec'd: our code pages become the same bytes from physmem, so every
	 * page of the stub is a physmem frame with a real pte */
	mov	$10, %esp
	mov	$__NR_mmap2, %eax
	mov	$stub_start, %ebx
	mov	$stub_code_size, %ecx
	mov	$PROT_READ_EXEC, %edx
	mov	$MAP_SHARED_FIXED, %esi
	mov	$stub_physmem_fd, %edi
	mov	stub_init_code_pgoff, %ebp
	int	$0x80
	cmp	$-4095, %eax
	jae	9f

	/* empty the guest range (vdso, vvar) and everything above the stub
	 * (the host's stack) */
	mov	$3, %esp
	mov	$__NR_munmap, %eax
	xor	%ebx, %ebx
	mov	$stub_start, %ecx
	int	$0x80
	cmp	$-4095, %eax
	jae	9f

	mov	$4, %esp
	mov	$__NR_munmap, %eax
	mov	$stub_end, %ebx
	mov	$HOST_TASK_SIZE, %ecx
	sub	%ebx, %ecx
	int	$0x80
	cmp	$-4095, %eax
	jae	9f

	mov	$5, %esp
	mov	$__NR_sigaltstack, %eax
	mov	$stub_altstack, %ebx
	xor	%ecx, %ecx
	int	$0x80
	cmp	$-4095, %eax
	jae	9f

	mov	$6, %esp
	mov	$__NR_rt_sigaction, %eax
	mov	$SIGSEGV, %ebx
	mov	$stub_segv_action, %ecx
	xor	%edx, %edx
	mov	$8, %esi
	int	$0x80
	cmp	$-4095, %eax
	jae	9f

	/* SIG_IGN for SIGCHLD: host children of a stub reap themselves */
	mov	$7, %esp
	mov	$__NR_rt_sigaction, %eax
	mov	$SIGCHLD, %ebx
	mov	$stub_ignore_action, %ecx
	xor	%edx, %edx
	mov	$8, %esi
	int	$0x80
	cmp	$-4095, %eax
	jae	9f

	/*
	 * The seccomp filter of arch/x86_64/stub.S: only system calls made
	 * from the stub's own code reach the host.  Guest code runs under
	 * PTRACE_SYSEMU, whose stops come first; this is the second lock.
	 * Inherited by every forked stub.
	 */
	mov	$9, %esp
	mov	$__NR_prctl, %eax
	mov	$PR_SET_NO_NEW_PRIVS, %ebx
	mov	$1, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	int	$0x80
	cmp	$-4095, %eax
	jae	9f

	mov	$11, %esp
	mov	$__NR_seccomp, %eax
	mov	$SECCOMP_SET_MODE_FILTER, %ebx
	xor	%ecx, %ecx
	mov	$stub_seccomp_prog, %edx
	int	$0x80
	cmp	$-4095, %eax
	jae	9f

2:	/* interval timers are not inherited across fork: arm it every time */
	mov	$8, %esp
	mov	$__NR_setitimer, %eax
	mov	$ITIMER_VIRTUAL, %ebx
	mov	$stub_tick, %ecx
	xor	%edx, %edx
	int	$0x80
	cmp	$-4095, %eax
	jae	9f

	xor	%esp, %esp
9:	mov	%esp, %esi
	mov	$stub_stack_top, %esp
	int3
	ud2

/*
 * stub_run_batch: run the records at stub_batch until one with nr == 0 or
 * until a call fails; each result goes into its record's last quadword.
 * %esp walks the records (the arguments need every other register).
 */
stub_run_batch:
	mov	%esp, stub_batch_sp
	mov	$stub_batch, %esp
1:	mov	0(%esp), %eax
	test	%eax, %eax
	jz	2f
	mov	8(%esp), %ebx
	mov	16(%esp), %ecx
	mov	24(%esp), %edx
	mov	32(%esp), %esi
	mov	40(%esp), %edi
	mov	48(%esp), %ebp
	int	$0x80
	mov	%eax, 56(%esp)
	movl	$0, 60(%esp)
	add	$stub_record_size, %esp
	cmp	$-4095, %eax
	jb	1b
2:	mov	stub_batch_sp, %esp
	ret

/* stub_syscall_handler: the kernel's direct entry to run one batch. */
	.globl stub_syscall_handler
stub_syscall_handler:
	mov	$stub_stack_top, %esp
	call	stub_run_batch
	int3
	ud2

/*
 * stub_segv_handler(sig, siginfo, ucontext) on the stub's altstack, i386
 * style: (%esp) holds the restorer address, the arguments follow it.
 */
	.globl stub_segv_handler
stub_segv_handler:
	mov	12(%esp), %edx		/* the ucontext */
	mov	UC_CR2(%edx), %eax
	mov	%eax, stub_fault_cr2
	movl	$0, stub_fault_cr2 + 4
	mov	UC_ERR(%edx), %eax
	mov	%eax, stub_fault_error_code
	movl	$0, stub_fault_error_code + 4
	mov	UC_TRAPNO(%edx), %eax
	mov	%eax, stub_fault_trap_no
	movl	$0, stub_fault_trap_no + 4
	mov	%edx, stub_fault_uc
	movl	$0, stub_fault_uc + 4
	.globl stub_segv_stop
stub_segv_stop:
	int3			/* the kernel handles the fault here */
	call	stub_run_batch
	mov	$__NR_kill, %eax
	mov	stub_host_pid, %ebx
	mov	$SIGUSR1, %ecx	/* blocked until rt_sigreturn restores the mask */
	int	$0x80
	add	$4, %esp	/* drop the restorer slot: rt_sigreturn finds the
				 * frame at %esp - 4 */
	.globl stub_rt_sigreturn
stub_rt_sigreturn:
	mov	$__NR_rt_sigreturn, %eax
	int	$0x80
	ud2

	.section .rodata
	.balign 4
/* struct sigaction32 for rt_sigaction: handler, flags, restorer, mask */
stub_segv_action:
	.long	stub_segv_handler
	.long	SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTORER
	.long	stub_rt_sigreturn
	.long	1 << (SIGUSR1 - 1), 0
stub_ignore_action:
	.long	1		/* SIG_IGN */
	.long	SA_RESTORER
	.long	stub_rt_sigreturn
	.long	0, 0
/* stack_t: ss_sp, ss_flags, ss_size */
stub_altstack:
	.long	stub_stack
	.long	0
	.long	stub_stack_size
/* struct sock_fprog (32-bit) and its filter: allow iff
 * stub_start <= ip < stub_code_end (struct seccomp_data: ip at offset 8) */
stub_seccomp_prog:
	.short	7
	.skip	2
	.long	stub_seccomp_filter
stub_seccomp_filter:
	/* code, jt, jf, k */
	.short	0x20; .byte 0, 0; .long 12			/* ld ip[63:32] */
	.short	0x15; .byte 0, 3; .long stub_start_hi		/* jeq hi? */
	.short	0x20; .byte 0, 0; .long 8			/* ld ip[31:0] */
	.short	0x35; .byte 0, 1; .long stub_start_lo		/* jge start? */
	.short	0x35; .byte 0, 1; .long stub_code_end_lo	/* jge end? */
	.short	0x06; .byte 0, 0; .long 0x00030000		/* SECCOMP_RET_TRAP */
	.short	0x06; .byte 0, 0; .long 0x7fff0000		/* SECCOMP_RET_ALLOW */
/* struct itimerval (32-bit): interval, value (each tv_sec, tv_usec) */
stub_tick:
	.long	0, stub_tick_usec
	.long	0, stub_tick_usec

	.section .note.GNU-stack, "", @progbits
