/* openread: open + read + close of a small file (the VFS path walk, an
 * fd, a page-cache read). */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bench.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000;
	const char *path = "/tmp/pyuml-bench-openread";
	char buf[256];
	mkdir("/tmp", 01777);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	for (int i = 0; i < 100; i++)
		write(fd, "0123456789\n", 11);
	close(fd);
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		fd = open(path, O_RDONLY);
		read(fd, buf, sizeof buf);
		close(fd);
	}
	report(t0, n);
	unlink(path);
	return 0;
}
