/* /dev/urandom's ioctls: the entropy count agrees with
 * /proc/sys/kernel/random/entropy_avail, obsolete and unknown requests
 * are EINVAL, a bad pointer EFAULT (checked after the capability). */
#include <errno.h>
#include <fcntl.h>
#include <linux/random.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define SHOW(what, r) printf("%-28s %d %s\n", what, r, r < 0 ? strerror(errno) : "")

int main(void)
{
	if (getpid() == 1) {            /* under pyuml, the test's init: make /dev and /proc */
		mkdir("/dev", 0755);
		mount("d", "/dev", "devtmpfs", 0, NULL);
		mkdir("/proc", 0555);
		mount("p", "/proc", "proc", 0, NULL);
	}
	int fd = open("/dev/urandom", O_RDONLY);
	if (fd < 0) {
		perror("/dev/urandom");
		return 1;
	}
	int cnt = -1, pcnt = -2;
	int r = ioctl(fd, RNDGETENTCNT, &cnt);
	SHOW("RNDGETENTCNT", r);
	FILE *p = fopen("/proc/sys/kernel/random/entropy_avail", "r");
	if (p && fscanf(p, "%d", &pcnt) == 1)
		printf("count matches /proc %d\n", cnt == pcnt);
	else
		printf("count in range %d\n", cnt >= 0 && cnt <= 4096);
	SHOW("RNDGETENTCNT bad pointer", ioctl(fd, RNDGETENTCNT, (void *)8));
	SHOW("RNDADDTOENTCNT bad pointer", ioctl(fd, RNDADDTOENTCNT, (void *)8));
	SHOW("RNDADDENTROPY bad pointer", ioctl(fd, RNDADDENTROPY, (void *)8));
	SHOW("RNDGETPOOL (gone)", ioctl(fd, _IOR('R', 0x02, int[2]), &cnt));
	struct termios t;
	SHOW("TCGETS", ioctl(fd, TCGETS, &t));
	return 0;
}
