/* hello: stdio, argv, environment, exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	printf("hello, world\n");
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = %s\n", i, argv[i]);
	const char *g = getenv("GUEST_VAR");
	printf("GUEST_VAR=%s\n", g ? g : "(unset)");
	return argc == 1 ? 0 : atoi(argv[1]);
}
