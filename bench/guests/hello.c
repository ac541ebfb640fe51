/* hello: a whole (tiny) program; bench/run.py times it start to exit. */
#include <stdio.h>

int main(void)
{
	printf("hello, world\n");
	return 0;
}
