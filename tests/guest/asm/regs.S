/*
 * regs.S - every general register, the flags and %xmm0 survive page faults.
 *
 * For each of 64 fresh .bss pages: load a known value into every register
 * (%rcx included: skas0 on x86_64 must restore it from the sigcontext),
 * set the carry flag, touch the page (a demand-zero fault), then compare
 * everything.  Exit status 0 and "regs ok" when all held; otherwise the
 * number of the first register found wrong (1 = rax, ...).
 */
	.bss
	.balign 4096
area:	.skip 4096 * 64

	.section .rodata
	.balign 16
xmmpat:	.quad 0x0123456789abcdef, 0xfedcba9876543210
ok_msg:	.ascii "regs ok\n"

	.text
	.globl _start

.macro setregs i
	movabs $(0x1010101010101010 + \i), %rax
	movabs $(0x2020202020202020 + \i), %rbx
	movabs $(0x3030303030303030 + \i), %rcx
	movabs $(0x4040404040404040 + \i), %rdx
	movabs $(0x5050505050505050 + \i), %rsi
	movabs $(0x6060606060606060 + \i), %rdi
	movabs $(0x7070707070707070 + \i), %rbp
	movabs $(0x0808080808080808 + \i), %r8
	movabs $(0x0909090909090909 + \i), %r9
	movabs $(0x0a0a0a0a0a0a0a0a + \i), %r10
	movabs $(0x0b0b0b0b0b0b0b0b + \i), %r11
	movabs $(0x0c0c0c0c0c0c0c0c + \i), %r12
	movabs $(0x0d0d0d0d0d0d0d0d + \i), %r13
	movabs $(0x0e0e0e0e0e0e0e0e + \i), %r14
	movabs $(0x0f0f0f0f0f0f0f0f + \i), %r15
.endm

/* compare reg with value; on mismatch exit with status n */
.macro want reg, val, n
	push	%rax
	movabs	$\val, %rax
	cmp	%rax, \reg
	pop	%rax
	je	1f
	mov	$\n, %edi
	jmp	fail
1:
.endm

.macro round i
	setregs \i
	stc
	movb	$1, area + \i * 4096 + 8(%rip)	/* the fault */
	jc	2f
	mov	$20, %edi
	jmp	fail
2:
	cmp	$(0x1010101010101010 + \i) & 0xffffffff, %eax	/* clobbers flags only */
	je	3f
	mov	$1, %edi
	jmp	fail
3:
	want	%rbx, (0x2020202020202020 + \i), 2
	want	%rcx, (0x3030303030303030 + \i), 3
	want	%rdx, (0x4040404040404040 + \i), 4
	want	%rsi, (0x5050505050505050 + \i), 5
	want	%rdi, (0x6060606060606060 + \i), 6
	want	%rbp, (0x7070707070707070 + \i), 7
	want	%r8, (0x0808080808080808 + \i), 8
	want	%r9, (0x0909090909090909 + \i), 9
	want	%r10, (0x0a0a0a0a0a0a0a0a + \i), 10
	want	%r11, (0x0b0b0b0b0b0b0b0b + \i), 11
	want	%r12, (0x0c0c0c0c0c0c0c0c + \i), 12
	want	%r13, (0x0d0d0d0d0d0d0d0d + \i), 13
	want	%r14, (0x0e0e0e0e0e0e0e0e + \i), 14
	want	%r15, (0x0f0f0f0f0f0f0f0f + \i), 15
	movdqa	xmmpat(%rip), %xmm1
	pcmpeqb	%xmm0, %xmm1
	pmovmskb %xmm1, %eax
	cmp	$0xffff, %eax
	je	4f
	mov	$16, %edi
	jmp	fail
4:
	cmpb	$1, area + \i * 4096 + 8(%rip)
	je	5f
	mov	$17, %edi
	jmp	fail
5:
.endm

_start:
	movdqa	xmmpat(%rip), %xmm0
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63
	round \i
	.endr

	mov	$1, %eax		/* write(1, ok_msg, 8) */
	mov	$1, %edi
	lea	ok_msg(%rip), %rsi
	mov	$8, %edx
	syscall
	xor	%edi, %edi
fail:
	mov	$231, %eax		/* exit_group(%edi) */
	syscall
	hlt
