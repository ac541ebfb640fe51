/* bigread.c - read a file several times the size of memory, twice: on a
 * file system whose pages can be read again (hostfs, a disk), the page
 * cache must give clean pages back rather than run out of memory. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MB (1 << 20)

int main(int argc, char **argv)
{
	int mbs = atoi(argv[2]);
	int fd = open(argv[1], O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	for (int i = 0; i < mbs; i++) {     /* sparse, one marked byte per MB */
		char c = (char)(i + 1);
		if (pwrite(fd, &c, 1, (off_t)i * MB + 4095) != 1) {
			perror("pwrite");
			return 1;
		}
	}
	static char buf[MB];
	for (int pass = 0; pass < 2; pass++) {
		long long total = 0, sum = 0;
		ssize_t n;
		lseek(fd, 0, SEEK_SET);
		while ((n = read(fd, buf, MB)) > 0) {
			total += n;
			for (ssize_t i = 0; i < n; i += 4096)
				sum += (unsigned char)buf[i + 4095];
		}
		printf("pass %d: read %lld bytes, sum %lld, last read %zd\n", pass, total, sum, n);
	}
	close(fd);
	unlink(argv[1]);
	return 0;
}
