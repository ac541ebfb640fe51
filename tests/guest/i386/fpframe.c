/*
 * fpframe: the FP part of a 32-bit signal frame, in both directions.
 *
 *   fpframe ymm     %ymm0's upper half survives a handler that zeroes all
 *                   vector registers (the full xsave image round trip)
 *   fpframe x87cw   a handler's edit of the legacy header's control word
 *                   takes effect (the header is folded back on sigreturn)
 *   fpframe xmm     a handler's edit of %xmm1 in the fxsave image takes effect
 *   fpframe mxcsr   reserved MXCSR bits in the frame: SIGSEGV at sigreturn
 *   fpframe xheader reserved bits in the xsave header: SIGSEGV at sigreturn
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static const char *mode;

static int is(const char *m) { return strcmp(mode, m) == 0; }

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	unsigned char *hdr = (unsigned char *)uc->uc_mcontext.fpregs;	/* legacy header */
	unsigned char *fx = hdr + 112;					/* fxsave image */
	if (is("ymm"))
		__asm__ volatile("vzeroall");
	else if (is("x87cw"))
		*(uint32_t *)hdr = 0xffff0c7f;		/* cw: round toward zero, all masked */
	else if (is("xmm"))
		memset(fx + 160 + 16, 0x5a, 16);	/* %xmm1 */
	else if (is("mxcsr"))
		memset(fx + 24, 0xff, 4);
	else if (is("xheader"))
		memset(fx + 512 + 16, 0xff, 8);		/* xsave header reserved word */
	(void)sig; (void)si;
}

int main(int argc, char **argv)
{
	mode = argc > 1 ? argv[1] : "ymm";
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, 0);
	static uint32_t pat[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, out[8];
	uint16_t cw;
	__asm__ volatile("vmovdqu %0, %%ymm0" : : "m"(pat));
	__asm__ volatile("pxor %%xmm1, %%xmm1" : : );
	raise(SIGUSR1);
	__asm__ volatile("vmovdqu %%ymm0, %0" : "=m"(out));
	uint32_t x1[4];
	__asm__ volatile("movdqu %%xmm1, %0" : "=m"(x1));
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	if (is("ymm"))
		printf("ymm0 %u %u %u %u %u %u %u %u\n", out[0], out[1], out[2], out[3],
		       out[4], out[5], out[6], out[7]);
	else if (is("x87cw"))
		printf("x87 cw %#x\n", cw);
	else if (is("xmm"))
		printf("xmm1 %#x %#x\n", x1[0], x1[3]);
	else
		printf("survived\n");
	return 0;
}
