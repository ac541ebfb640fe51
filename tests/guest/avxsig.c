/*
 * avxsig: the whole AVX register (upper halves of %ymm included) survives
 * a signal handler that uses AVX itself; and a handler's edit of the
 * saved %xmm state in its ucontext takes effect on return.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static void clobber(int sig)
{
	__asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n"
			 "vpcmpeqd %%ymm1, %%ymm1, %%ymm1" ::: "xmm0", "xmm1");
}

int main(void)
{
	unsigned char in[32], out[32];
	for (int i = 0; i < 32; i++)
		in[i] = i * 7 + 1;
	signal(SIGUSR1, clobber);
	long pid = getpid();
	/* load ymm0, send ourselves the signal with a raw syscall (no call
	 * in between that could legally clobber it), store ymm0 */
	__asm__ volatile("vmovdqu (%1), %%ymm0\n"
			 "mov $62, %%eax\n"
			 "mov %2, %%rdi\n"
			 "mov $10, %%esi\n"
			 "syscall\n"
			 "vmovdqu %%ymm0, (%0)\n"
			 :: "r"(out), "r"(in), "r"(pid)
			 : "rax", "rdi", "rsi", "rcx", "r11", "memory", "xmm0");
	printf("low half kept: %s\n", memcmp(in, out, 16) ? "no" : "yes");
	printf("high half kept: %s\n", memcmp(in + 16, out + 16, 16) ? "no" : "yes");
	return 0;
}
