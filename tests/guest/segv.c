/* segv: a NULL dereference must kill only this guest, with SIGSEGV. */
#include <stdio.h>

int main(void)
{
	printf("about to fault\n");
	fflush(stdout);
	volatile int *p = (int *)0;
	*p = 1;
	printf("not reached\n");
	return 0;
}
