/*
 * arch/x86_64/vdso.S - the x86_64 vDSO: a one-page shared object the kernel
 * maps into every 64-bit process and names in AT_SYSINFO_EHDR, as Linux
 * does.  glibc and musl look up its clock functions and call them instead
 * of making system calls.
 *
 * A clock read that is a system call costs a ptrace round trip here (~8 us).
 * Guest clocks are the host's (kernel/time.py), and every x86_64 host
 * process keeps the host's own vDSO in a window above the stub
 * (skas/host_vdso.py), so these functions jump to the host's: reading the
 * time costs what it costs natively.  The kernel writes the host functions'
 * addresses into the table below when it loads this image (a zero: no
 * host vDSO, make the system call).  vdso_host_clocks says which clocks
 * are read from the host's: a process in a time namespace gets an image
 * whose monotonic clocks are system calls, which add its offsets
 * (arch/x86_64/vdso.py).
 *
 * getcpu answers 0 itself: the guest machine has one CPU, whichever host
 * CPU the process happens to run on.
 */
#define __NR_gettimeofday	96
#define __NR_time		201
#define __NR_clock_gettime	228
#define __NR_clock_getres	229
#define __NR_getcpu		309

	.text
	.balign 8
	.globl vdso_host_clock_gettime, vdso_host_gettimeofday, vdso_host_time
vdso_host_clock_gettime:	.quad 0
vdso_host_gettimeofday:		.quad 0
vdso_host_time:			.quad 0
	.globl vdso_host_clocks
/* the clocks that are the host's own: REALTIME, MONOTONIC and their COARSE
 * forms (bits 0, 1, 5, 6); the others are the kernel's (CPU-time clocks) */
vdso_host_clocks:		.long 0x63

	.globl __vdso_clock_gettime
	.type __vdso_clock_gettime, @function
__vdso_clock_gettime:			/* (clockid_t %edi, struct timespec *%rsi) */
	cmp	$6, %edi
	ja	1f			/* also every negative (CPU-clock) id */
	mov	vdso_host_clocks(%rip), %eax
	bt	%edi, %eax
	jnc	1f
	mov	vdso_host_clock_gettime(%rip), %rax
	test	%rax, %rax
	jz	1f
	jmp	*%rax			/* the host's returns to our caller */
1:	mov	$__NR_clock_gettime, %eax
	syscall
	ret
	.size __vdso_clock_gettime, . - __vdso_clock_gettime

	.globl __vdso_gettimeofday
	.type __vdso_gettimeofday, @function
__vdso_gettimeofday:			/* (struct timeval *, struct timezone *) */
	mov	vdso_host_gettimeofday(%rip), %rax
	test	%rax, %rax
	jz	1f
	jmp	*%rax
1:	mov	$__NR_gettimeofday, %eax
	syscall
	ret
	.size __vdso_gettimeofday, . - __vdso_gettimeofday

	.globl __vdso_time
	.type __vdso_time, @function
__vdso_time:				/* (time_t *) */
	mov	vdso_host_time(%rip), %rax
	test	%rax, %rax
	jz	1f
	jmp	*%rax
1:	mov	$__NR_time, %eax
	syscall
	ret
	.size __vdso_time, . - __vdso_time

	.globl __vdso_clock_getres
	.type __vdso_clock_getres, @function
__vdso_clock_getres:
	mov	$__NR_clock_getres, %eax
	syscall
	ret
	.size __vdso_clock_getres, . - __vdso_clock_getres

	.globl __vdso_getcpu
	.type __vdso_getcpu, @function
__vdso_getcpu:				/* (unsigned *cpu, unsigned *node, cache) */
	test	%rdi, %rdi
	jz	1f
	movl	$0, (%rdi)
1:	test	%rsi, %rsi
	jz	2f
	movl	$0, (%rsi)
2:	xor	%eax, %eax
	ret
	.size __vdso_getcpu, . - __vdso_getcpu

	/* the plain names, as Linux's vDSO has them too */
	.weak clock_gettime, gettimeofday, time, clock_getres, getcpu
	.set clock_gettime, __vdso_clock_gettime
	.set gettimeofday, __vdso_gettimeofday
	.set time, __vdso_time
	.set clock_getres, __vdso_clock_getres
	.set getcpu, __vdso_getcpu

	.section .note.GNU-stack, "", @progbits
