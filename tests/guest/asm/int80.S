/*
 * int80.S - `int $0x80` executed by 64-bit code: Linux runs it as an i386
 * system call (i386 numbers, arguments in ebx ecx edx esi edi ebp, only
 * their low 32 bits) and returns a sign-extended result in rax.
 *
 * Prints one line per check and exits with the number of failures; the
 * differential test compares it all with the host.
 */
	.data
msg:	.ascii "int80 write\n"
msglen = . - msg
ok:	.ascii "ok "
bad:	.ascii "BAD"
nl:	.ascii "\n"
junk:	.quad 0

	.text
	.globl _start

/* report n: "ok " or "BAD" (by %r12) and the check number */
.macro report n
	mov	$\n, %r13
	call	say
.endm

say:	/* %r12: 1 = pass; %r13: check number */
	push	%r12
	lea	ok(%rip), %rsi
	test	%r12, %r12
	jnz	1f
	lea	bad(%rip), %rsi
	incq	fails(%rip)
1:	mov	$1, %eax
	mov	$1, %edi
	mov	$3, %edx
	syscall
	mov	%r13, %rax
	add	$'0', %al
	mov	%al, digit(%rip)
	mov	$1, %eax
	mov	$1, %edi
	lea	digit(%rip), %rsi
	mov	$2, %edx
	syscall
	pop	%r12
	ret

_start:
	/* 1: write(1, msg, len) with junk in the upper halves */
	movabs	$0xdead000000000004, %rax	/* __NR_write (i386) */
	movabs	$0xffffffff00000001, %rbx
	lea	msg(%rip), %rcx
	movabs	$0x1234567800000000, %rdx
	or	%rdx, %rcx
	movabs	$0xabcdef0000000000, %rdx
	or	$msglen, %rdx
	movabs	$0x0808080808080808, %r8
	movabs	$0x0909090909090909, %r9
	movabs	$0x0a0a0a0a0a0a0a0a, %r10
	movabs	$0x0b0b0b0b0b0b0b0b, %r11
	int	$0x80
	mov	%rax, %r14
	/* 2: r8-r11 survive int $0x80 (checked before anything else runs) */
	xor	%r15, %r15
	movabs	$0x0808080808080808, %rax
	cmp	%rax, %r8
	jne	2f
	movabs	$0x0909090909090909, %rax
	cmp	%rax, %r9
	jne	2f
	movabs	$0x0a0a0a0a0a0a0a0a, %rax
	cmp	%rax, %r10
	jne	2f
	movabs	$0x0b0b0b0b0b0b0b0b, %rax
	cmp	%rax, %r11
	jne	2f
	inc	%r15
2:	xor	%r12, %r12
	cmp	$msglen, %r14
	sete	%r12b
	report	1
	mov	%r15, %r12
	report	2

	/* 3: getpid through both gates agrees (i386 20, x86_64 39) */
	mov	$20, %eax
	int	$0x80
	mov	%rax, %r14
	mov	$39, %eax
	syscall
	xor	%r12, %r12
	cmp	%rax, %r14
	sete	%r12b
	report	3

	/* 4: an error is sign-extended to 64 bits: close(-1) is -EBADF */
	mov	$6, %eax
	mov	$-1, %ebx
	int	$0x80
	xor	%r12, %r12
	cmp	$-9, %rax
	sete	%r12b
	report	4

	/* 5: a buffer above 4 GiB is cut to its low 32 bits: EFAULT here */
	mov	$4, %eax
	mov	$1, %ebx
	movabs	$0x100000000, %rcx
	mov	$4, %edx
	int	$0x80
	xor	%r12, %r12
	cmp	$-14, %rax
	sete	%r12b
	report	5

	/* 6: an i386-only call: _llseek(0 ... ) on a bad fd is EBADF */
	mov	$140, %eax
	mov	$-1, %ebx
	xor	%ecx, %ecx
	xor	%edx, %edx
	lea	junk(%rip), %rsi
	xor	%edi, %edi
	int	$0x80
	xor	%r12, %r12
	cmp	$-9, %rax
	sete	%r12b
	report	6

	/* 7: an i386 number that x86_64 does not have: ENOSYS for 0x7fff */
	mov	$0x7fff, %eax
	int	$0x80
	xor	%r12, %r12
	cmp	$-38, %rax
	sete	%r12b
	report	7

	/* exit(fails) through the i386 exit (1) */
	mov	$1, %eax
	mov	fails(%rip), %rbx
	int	$0x80
	hlt

	.data
fails:	.quad 0
digit:	.ascii "0\n"
