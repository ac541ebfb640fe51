/*
 * tests/guest/oldcalls.c - sysfs(2), ustat(2) and vhangup(2), compared with
 * the host kernel.
 *
 *   oldcalls sysfs    the three options agree with each other and with
 *                     /proc/filesystems (the lists themselves differ)
 *   oldcalls ustat    a mounted filesystem's free counts, as statfs says
 *   oldcalls vhangup  EPERM, no terminal, and hanging up a pty the caller
 *                     controls: SIGHUP to itself, its file dead
 */
#define _GNU_SOURCE
#include "procs.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>

static void do_sysfs(void)
{
	long n = syscall(SYS_sysfs, 3);
	printf("some types %d\n", n > 3);
	char buf[64], names[64][64];
	int ok = 1;
	for (long i = 0; i < n && i < 64; i++) {
		if (syscall(SYS_sysfs, 2, i, buf) != 0)
			ok = 0;
		snprintf(names[i], sizeof names[i], "%s", buf);
		if (syscall(SYS_sysfs, 1, buf) != i)
			ok = 0;
	}
	printf("names and indexes agree %d\n", ok);
	FILE *f = fopen("/proc/filesystems", "r");
	char line[128];
	int listed = 0, found = 0;
	while (f && fgets(line, sizeof line, f)) {
		char *name = strrchr(line, '\t') + 1;
		name[strcspn(name, "\n")] = 0;
		listed++;
		for (long i = 0; i < n && i < 64; i++)
			found += !strcmp(names[i], name);
	}
	if (f)
		fclose(f);
	printf("/proc/filesystems lists the same %d\n", listed == n && found == n);
	printf("proc tmpfs sysfs known %d %d %d\n", syscall(SYS_sysfs, 1, "proc") >= 0,
	       syscall(SYS_sysfs, 1, "tmpfs") >= 0, syscall(SYS_sysfs, 1, "sysfs") >= 0);
	SHOW(syscall(SYS_sysfs, 1, "nosuchfs"));
	SHOW(syscall(SYS_sysfs, 1, ""));
	SHOW(syscall(SYS_sysfs, 1, (char *)-4096L));
	SHOW(syscall(SYS_sysfs, 2, n, buf));
	SHOW(syscall(SYS_sysfs, 2, -1, buf));
	SHOW(syscall(SYS_sysfs, 2, 0, (char *)-4096L));
	SHOW(syscall(SYS_sysfs, 0));
	SHOW(syscall(SYS_sysfs, 4));
	SHOW(syscall(SYS_sysfs, -1));
}

/* the kernel's struct ustat: its f_tinode is a long on x86_64 */
struct kustat {
	int f_tfree;
	unsigned long f_tinode;
	char f_fname[6], f_fpack[6];
};

static void do_ustat(void)
{
	struct stat st;
	struct statfs sf;
	struct kustat u;
	stat("/", &st);
	statfs("/", &sf);
	memset(&u, 0x55, sizeof u);
	SHOW(syscall(SYS_ustat, (unsigned)st.st_dev, &u));
	printf("free blocks as statfs %d, free inodes as statfs %d, names empty %d\n",
	       u.f_tfree == (int)sf.f_bfree || sf.f_bfree - (unsigned)u.f_tfree < 64,
	       u.f_tinode == (unsigned long)sf.f_ffree || sf.f_ffree - u.f_tinode < 64,
	       !u.f_fname[0] && !u.f_fpack[0]);
	SHOW(syscall(SYS_ustat, -1, &u));
	SHOW(syscall(SYS_ustat, makedev(250, 250), &u));
	SHOW(syscall(SYS_ustat, (unsigned)st.st_dev, (void *)-4096L));
	SHOW(syscall(SYS_ustat, (unsigned)st.st_dev, (void *)16));
}

static pid_t ffork_(void)
{
	fflush(stdout);
	return fork();
}

static volatile int hups;

static void on_hup(int sig)
{
	hups++;
	(void)sig;
}

static void do_vhangup(void)
{
	pid_t pid = ffork_();
	if (pid == 0) {
		setuid(65534);
		SHOW(syscall(SYS_vhangup));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("nobody", pid);
	pid = ffork_();
	if (pid == 0) {
		setsid();
		SHOW(syscall(SYS_vhangup));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("no terminal", pid);
	if (access("/dev/ptmx", F_OK) < 0) {	/* pyuml's bare initramfs */
		mount("dev", "/dev", "devtmpfs", 0, NULL);
		mkdir("/dev/pts", 0755);
		mount("devpts", "/dev/pts", "devpts", 0, NULL);
	}
	pid = ffork_();
	if (pid == 0) {
		signal(SIGHUP, on_hup);
		setsid();
		int m = posix_openpt(O_RDWR | O_NOCTTY);
		grantpt(m);
		unlockpt(m);
		int s = open(ptsname(m), O_RDWR);
		printf("controlling terminal %d\n", ioctl(s, TIOCSCTTY, 0) == 0 ||
		       tcgetsid(s) == getpid());
		printf("tcgetpgrp is us %d\n", tcgetpgrp(s) == getpid());
		SHOW(syscall(SYS_vhangup));
		printf("SIGHUPs %d\n", hups);
		char c;
		SHOW(read(s, &c, 1));
		SHOW(write(s, "x", 1));
		SHOW(tcgetpgrp(s));
		int t = open("/dev/tty", O_RDWR);
		printf("/dev/tty afterwards: %s\n", t < 0 ? strerror(errno) : "opened");
		SHOW(write(m, "y", 1));
		fflush(stdout);
		_exit(0);
	}
	wait_describe("terminal owner", pid);
}

int main(int argc, char **argv)
{
	if (access("/proc/self", F_OK) < 0) {	/* pyuml's init: mount it */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	test_as_child();
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "sysfs"))
		do_sysfs();
	else if (!strcmp(argv[1], "ustat"))
		do_ustat();
	else if (!strcmp(argv[1], "vhangup"))
		do_vhangup();
	else
		return 2;
	return 0;
}
