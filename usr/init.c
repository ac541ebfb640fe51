/*
 * usr/init.c - the default init: proves the machine works, then powers off.
 *
 * Prints a banner (pid, uname), reads /etc/motd from the initramfs,
 * touches a few MiB of fresh memory (demand-zero page faults) and checks
 * it, then calls reboot(2) with POWER_OFF.  Built static with musl.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <unistd.h>

#define TOUCH_MIB 8

int main(int argc, char **argv)
{
	struct utsname u;
	char buf[512];
	ssize_t n;
	int fd;

	uname(&u);
	printf("init: pid %d on %s %s %s (%s)\n", getpid(), u.sysname, u.release,
	       u.version, u.machine);

	fd = open("/etc/motd", O_RDONLY);
	if (fd < 0) {
		perror("init: /etc/motd");
	} else {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, n, stdout);
		close(fd);
	}

	size_t len = TOUCH_MIB << 20;
	unsigned char *mem = malloc(len);
	unsigned long sum = 0;
	for (size_t i = 0; i < len; i += 4096)
		mem[i] = (unsigned char)(i >> 12);
	unsigned long want = 0;
	for (size_t i = 0; i < len; i += 4096) {
		sum += mem[i];
		want += (unsigned char)(i >> 12);
	}
	printf("init: touched %d MiB, checksum %lu (%s)\n", TOUCH_MIB, sum,
	       sum == want ? "ok" : "BAD");
	fflush(stdout);
	free(mem);

	sync();
	reboot(RB_POWER_OFF);
	perror("init: reboot");
	return 1;
}
