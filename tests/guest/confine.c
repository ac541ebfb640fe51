/*
 * confine: a guest on a hostfs root trying to reach host files outside it
 * (tests/test_escape.py runs it on base/root with base/secret beside it).
 * Never run natively: as root on the host it would mount and mknod there.
 *
 *   mount HOSTDIR [rw]   mount -t hostfs HOSTDIR on /tmpdir (read-only
 *                        unless rw), then try to create a file in it
 *   remount              make the root read-write again
 *   paths                "..", /proc/self/root, /proc/self/cwd (proc on
 *                        /tmpdir), fchdir and
 *                        openat tricks towards ../secret
 *   mknod                block and char device nodes for host devices
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void result(const char *what, long r)
{
	if (r < 0)
		printf("%s: %s\n", what, strerror(errno));
	else
		printf("%s: ok\n", what);
}

static void try_read(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("read %s: %s\n", path, strerror(errno));
		return;
	}
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	printf("read %s: %zd bytes [%s]\n", path, n, n > 0 ? buf : "");
}

static void do_mount(const char *host, int rw)
{
	const char *at = access("/tmpdir", F_OK) == 0 ? "/tmpdir" : "/mnt";
	mkdir(at, 0755);
	long r = mount("none", at, "hostfs", rw ? 0 : MS_RDONLY, host);
	result("mount", r);
	if (r == 0) {
		char name[64];
		snprintf(name, sizeof name, "%s/pyuml-escaped", at);
		int fd = open(name, O_CREAT | O_WRONLY, 0644);
		result("create pyuml-escaped in it", fd);
		umount(at);
	}
}

static void paths(void)
{
	char link[256];
	if (mount("proc", "/tmpdir", "proc", 0, NULL) < 0)
		perror("mount proc");
	ssize_t n = readlink("/tmpdir/self/root", link, sizeof link - 1);
	printf("/proc/self/root -> %.*s\n", n > 0 ? (int)n : 0, link);
	try_read("/../secret");
	try_read("/tmpdir/self/root/../secret");
	try_read("/tmpdir/self/root/../../secret");
	if (chdir("/dir/deep") == 0) {
		try_read("/tmpdir/self/cwd/../../../secret");
		try_read("../../../secret");
	}
	int d = open("/dir", O_RDONLY | O_DIRECTORY);
	if (d >= 0) {
		int fd = openat(d, "../../secret", O_RDONLY);
		printf("openat(/dir, ../../secret): %s\n", fd < 0 ? strerror(errno) : "opened");
		if (fchdir(d) == 0)
			try_read("../../secret");
		close(d);
	}
	chdir("/");
	try_read("/abs");                       /* an absolute link to base/secret */
	try_read("/rel");                       /* ../secret */
	try_read("/up/secret");                 /* .. */
	result("chroot(\"..\")", chroot(".."));
	try_read("/secret");
}

static void do_mknod(void)
{
	result("mknod block 8:0 on hostfs", mknod("/tmpdir/sda", S_IFBLK | 0600, makedev(8, 0)));
	result("mknod char 1:1 on hostfs", mknod("/tmpdir/mem", S_IFCHR | 0600, makedev(1, 1)));
	if (mount("tmpfs", "/tmpdir", "tmpfs", 0, NULL) == 0) {
		result("mknod block 8:0 on tmpfs", mknod("/tmpdir/sda", S_IFBLK | 0600, makedev(8, 0)));
		result("open it", open("/tmpdir/sda", O_RDWR));
		result("mknod char 1:1 on tmpfs", mknod("/tmpdir/mem", S_IFCHR | 0600, makedev(1, 1)));
		result("open it", open("/tmpdir/mem", O_RDWR));
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 2 && !strcmp(argv[1], "mount"))
		do_mount(argv[2], argc > 3 && !strcmp(argv[3], "rw"));
	else if (argc > 1 && !strcmp(argv[1], "remount"))
		result("remount / rw", mount("none", "/", NULL, MS_REMOUNT, NULL));
	else if (argc > 1 && !strcmp(argv[1], "paths"))
		paths();
	else if (argc > 1 && !strcmp(argv[1], "mknod"))
		do_mknod();
	else
		return 2;
	return 0;
}
