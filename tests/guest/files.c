/* files: open, read, lseek, fstat, close on a file of the initramfs. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <errno.h>

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/etc/motd";
	char buf[4096];
	int fd = open(path, O_RDONLY);
	if (fd < 0) { printf("open %s: %s\n", path, strerror(errno)); return 1; }
	struct stat st;
	fstat(fd, &st);
	printf("size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
	ssize_t n = read(fd, buf, sizeof buf);
	printf("read %zd\n", n);
	fwrite(buf, 1, n, stdout);
	printf("lseek end %lld\n", (long long)lseek(fd, 0, SEEK_END));
	printf("lseek 5 %lld\n", (long long)lseek(fd, 5, SEEK_SET));
	n = read(fd, buf, 10);
	printf("read at 5: %.*s\n", (int)n, buf);
	close(fd);
	printf("read closed: %zd errno %s\n", read(fd, buf, 1), strerror(errno));
	printf("open missing: %d errno %s\n", open("/no/such/file", O_RDONLY), strerror(errno));
	printf("bad pointer: %zd errno %s\n", write(1, (void *)8, 5), strerror(errno));
	return 0;
}
