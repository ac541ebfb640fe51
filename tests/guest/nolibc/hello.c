/* The smallest guest: argv, envp and exit status through raw syscalls. */
#include "nolibc.h"

int main(int argc, char **argv, char **envp)
{
	puts_("hello from nolibc, argc=");
	putnum(argc);
	puts_("\n");
	for (int i = 1; i < argc; i++) {
		puts_("arg: ");
		puts_(argv[i]);
		puts_("\n");
	}
	for (char **e = envp; *e; e++)
		if (e[0][0] == 'G' && e[0][1] == 'U' && e[0][2] == 'E')
			{ puts_("env: "); puts_(*e); puts_("\n"); }
	return argc + 40;
}
