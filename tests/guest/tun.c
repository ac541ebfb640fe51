/* tun: /dev/net/tun before any interface is attached (LTP ioctl03): the
 * node, TUNGETFEATURES, and what an unattached file answers.  (No
 * TUNSETIFF: natively it would make an interface on the host.) */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* <linux/if_tun.h>'s (musl has no kernel headers) */
#define TUNSETIFF _IOW('T', 202, int)
#define TUNGETFEATURES _IOR('T', 207, unsigned int)
#define TUNGETIFF _IOR('T', 210, unsigned int)
#define TUNGETSNDBUF _IOR('T', 211, int)

#define CHECK(what, expr) do { errno = 0; long _r = (long)(expr); \
	printf("%-36s %ld %s\n", what, _r, _r < 0 ? strerror(errno) : ""); } while (0)

int main(void)
{
	struct stat st;
	if (access("/dev/net/tun", F_OK) < 0)		/* pyuml's initramfs: devtmpfs */
		mount("dev", "/dev", "devtmpfs", 0, NULL);
	CHECK("stat /dev/net/tun", stat("/dev/net/tun", &st));
	printf("  mode %o rdev %u,%u\n", st.st_mode, major(st.st_rdev), minor(st.st_rdev));
	int fd = open("/dev/net/tun", O_RDWR);
	CHECK("open", fd);
	unsigned features = 0;
	CHECK("TUNGETFEATURES", ioctl(fd, TUNGETFEATURES, &features));
	printf("  features %#x\n", features);
	CHECK("TUNGETFEATURES bad pointer", ioctl(fd, TUNGETFEATURES, (void *)8));
	char ifr[40];
	CHECK("TUNGETIFF", ioctl(fd, TUNGETIFF, ifr));
	int v = 0;
	CHECK("TUNGETSNDBUF", ioctl(fd, TUNGETSNDBUF, &v));
	CHECK("TUNSETIFF bad pointer", ioctl(fd, TUNSETIFF, (void *)8));
	char buf[64];
	CHECK("read", read(fd, buf, sizeof buf));
	CHECK("write", write(fd, buf, 20));
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
	CHECK("poll", poll(&p, 1, 0));
	printf("  revents %#x\n", p.revents);
	CHECK("close", close(fd));
	return 0;
}
