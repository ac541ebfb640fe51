/* tests/guest/debug/gdbprog.c - a small program for gdb to debug (built
 * with -g): under a guest gdb, and through the kernel's GDB stub. */
#include <stdio.h>

int counter = 41;
static const char *greeting = "hello";

int add(int a, int b)
{
	int sum = a + b;
	return sum;
}

int main(void)
{
	counter = add(counter, 1);
	printf("%s, counter %d\n", greeting, counter);
	return 0;
}
