/* tests/guest/ptrace_victim.c - a fixed mix of system calls, some failing,
 * for strace -c to count (the same counts natively and under pyuml). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	struct stat st;
	for (int i = 0; i < 3; i++)
		getpid();
	for (int i = 0; i < 2; i++)
		open("/nonexistent/file", O_RDONLY);     /* ENOENT */
	int fd = open("/dev/null", O_WRONLY);
	for (int i = 0; i < 4; i++)
		write(fd, "x", 1);
	fstat(fd, &st);
	close(fd);
	close(fd);                                      /* EBADF */
	stat("/", &st);
	return 0;
}
