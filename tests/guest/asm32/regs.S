/*
 * asm32/regs.S - every i386 register survives page faults.
 *
 * For each of 64 fresh .bss pages: load a known value into eax ebx ecx edx
 * esi edi ebp, set the carry and direction flags, keep known values in
 * %xmm0 and the x87 top of stack, touch the page (a demand-zero fault, which
 * goes through the 32-bit stub's SIGSEGV handler and rt_sigreturn), then
 * compare everything, %esp included.  Exit status 0 and "regs ok" when all
 * held; otherwise the number of the first register found wrong.
 */
	.bss
	.balign 4096
area:	.skip 4096 * 64
saved_esp:	.skip 4
tmp:	.skip 16

	.section .rodata
	.balign 16
xmmpat:	.quad 0x0123456789abcdef, 0xfedcba9876543210
fpval:	.double 2.718281828459045
ok_msg:	.ascii "regs ok\n"

	.text
	.globl _start

.macro setregs i
	mov	$(0x10101010 + \i), %eax
	mov	$(0x20202020 + \i), %ebx
	mov	$(0x30303030 + \i), %ecx
	mov	$(0x40404040 + \i), %edx
	mov	$(0x50505050 + \i), %esi
	mov	$(0x60606060 + \i), %edi
	mov	$(0x70707070 + \i), %ebp
.endm

/* compare reg with value; on mismatch exit with status n (flags clobbered) */
.macro want reg, val, n
	cmp	$\val, \reg
	je	1f
	mov	$\n, %ebx
	jmp	fail
1:
.endm

.macro round i
	mov	%esp, saved_esp
	setregs \i
	std
	stc
	movb	$1, area + \i * 4096 + 8	/* the fault */
	pushf				/* CF and DF, before anything clobbers them */
	cld
	want	%eax, (0x10101010 + \i), 1
	want	%ebx, (0x20202020 + \i), 2
	want	%ecx, (0x30303030 + \i), 3
	want	%edx, (0x40404040 + \i), 4
	want	%esi, (0x50505050 + \i), 5
	want	%edi, (0x60606060 + \i), 6
	want	%ebp, (0x70707070 + \i), 7
	pop	%eax
	and	$0x401, %eax		/* DF | CF */
	want	%eax, 0x401, 8
	cmp	saved_esp, %esp
	je	2f
	mov	$9, %ebx
	jmp	fail
2:
	movdqa	xmmpat, %xmm1
	pcmpeqb	%xmm0, %xmm1
	pmovmskb %xmm1, %eax
	want	%eax, 0xffff, 10
	fstl	tmp			/* st(0) stays on the stack */
	mov	tmp, %eax
	cmp	fpval, %eax
	jne	3f
	mov	tmp + 4, %eax
	cmp	fpval + 4, %eax
	je	4f
3:	mov	$11, %ebx
	jmp	fail
4:
	cmpb	$1, area + \i * 4096 + 8
	je	5f
	mov	$12, %ebx
	jmp	fail
5:
.endm

_start:
	movdqa	xmmpat, %xmm0
	fldl	fpval
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63
	round \i
	.endr

	mov	$4, %eax		/* write(1, ok_msg, 8) */
	mov	$1, %ebx
	mov	$ok_msg, %ecx
	mov	$8, %edx
	int	$0x80
	xor	%ebx, %ebx
fail:
	mov	$252, %eax		/* exit_group(%ebx) */
	int	$0x80
	hlt
