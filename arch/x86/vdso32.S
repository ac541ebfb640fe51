/*
 * arch/x86/vdso32.S - the i386 vDSO: a tiny shared object the kernel maps
 * into every 32-bit process and names in AT_SYSINFO_EHDR, as Linux does.
 * It holds the code a handler without SA_RESTORER returns through, and the
 * system call entry glibc calls through AT_SYSINFO.  glibc also decides by
 * its presence that it needs no SA_RESTORER of its own.
 */
	.text
	.globl __kernel_vsyscall
	.type __kernel_vsyscall, @function
__kernel_vsyscall:
	int	$0x80
	ret
	.size __kernel_vsyscall, . - __kernel_vsyscall

	.balign 16
	.globl __kernel_sigreturn
	.type __kernel_sigreturn, @function
__kernel_sigreturn:
	popl	%eax
	movl	$119, %eax		/* __NR_sigreturn */
	int	$0x80
	.size __kernel_sigreturn, . - __kernel_sigreturn

	.balign 16
	.globl __kernel_rt_sigreturn
	.type __kernel_rt_sigreturn, @function
__kernel_rt_sigreturn:
	movl	$173, %eax		/* __NR_rt_sigreturn */
	int	$0x80
	.size __kernel_rt_sigreturn, . - __kernel_rt_sigreturn

	.section .note.GNU-stack, "", @progbits
