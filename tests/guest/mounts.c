/* mounts: mount(2) and umount2(2) on a scratch directory argv[2]: tmpfs,
 * read-only mounts, bind mounts, remounts, moves, EBUSY and MNT_DETACH,
 * statfs of what is mounted.  "mounts ns DIR" first enters a private mount
 * namespace (the native reference must not touch the host's mounts). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define T(expr) do { errno = 0; long _r = (long)(expr); \
	if (_r < 0) printf("%d %s = -1 %s\n", __LINE__, #expr, strerror(errno)); \
	else printf("%d %s = %ld\n", __LINE__, #expr, _r); } while (0)

static void put(const char *p, const char *s)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) { printf("  create %s: %s\n", p, strerror(errno)); return; }
	write(fd, s, strlen(s));
	close(fd);
}

static void show(const char *p)
{
	char buf[64];
	int fd = open(p, O_RDONLY);
	if (fd < 0) { printf("  %s: %s\n", p, strerror(errno)); return; }
	int n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	printf("  %s: [%s]\n", p, buf);
}

static void fs(const char *p)
{
	struct statfs s;
	if (statfs(p, &s) < 0) { printf("  statfs %s: %s\n", p, strerror(errno)); return; }
	printf("  statfs %s: type %lx ro %d namelen %ld\n", p, (long)s.f_type,
	       !!(s.f_flags & 1), (long)s.f_namelen);
}

int main(int argc, char **argv)
{
	if (argc < 3) return 2;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(argv[1], "ns")) {
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
			perror("unshare");
			return 2;
		}
	}
	char *dir = argv[2];
	for (char *p = dir + 1; *p; p++)
		if (*p == '/') { *p = 0; mkdir(dir, 0755); *p = '/'; }
	mkdir(dir, 0755);
	if (chdir(dir) < 0) return 2;
	mkdir("a", 0755);
	mkdir("b", 0755);
	put("a/under", "hidden by the mount");

	T(mount("none", "a", "tmpfs", 0, "mode=0700"));
	struct stat st;
	stat("a", &st);
	printf("  a: mode %o\n", st.st_mode);
	show("a/under");
	put("a/f", "on tmpfs");
	fs("a");
	T(mount("none", "a", "nosuchfs", 0, NULL));
	T(mount("none", "missing", "tmpfs", 0, NULL));
	T(mount("none", "a/f", "tmpfs", 0, NULL));
	/* a bind mount shows the same files */
	T(mount("a", "b", NULL, MS_BIND, NULL));
	show("b/f");
	put("b/g", "via b");
	show("a/g");
	/* read-only remount of the bind mount only */
	T(mount(NULL, "b", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	put("b/h", "no");
	put("a/h", "yes");
	fs("b");
	fs("a");
	T(umount("a"));
	T(umount2("b", 0));
	show("a/under");
	show("b/f");
	T(umount("a"));
	T(umount("b"));
	T(umount("nothing-mounted-here"));
	/* busy: a working directory or an open file inside */
	T(mount("none", "a", "tmpfs", MS_RDONLY, NULL));
	fs("a");
	put("a/x", "no");
	T(mount(NULL, "a", NULL, MS_REMOUNT, NULL));
	put("a/x", "now writable");
	show("a/x");
	int fd = open("a/x", O_RDONLY);
	T(umount("a"));
	close(fd);
	T(chdir("a"));
	T(umount("../a"));
	T(chdir(".."));
	/* stacked mounts come off one at a time */
	T(mount("none", "a", "tmpfs", 0, NULL));
	put("a/top", "top");
	show("a/x");
	show("a/top");
	T(umount("a"));
	show("a/x");
	/* a mount below a mount keeps the upper one busy; MNT_DETACH does not care */
	mkdir("a/sub", 0755);
	T(mount("none", "a/sub", "tmpfs", 0, NULL));
	T(umount("a"));
	T(umount2("a", MNT_DETACH));
	show("a/under");
	T(umount2("a", 99));
	/* moving a mount */
	T(mount("none", "a", "tmpfs", 0, NULL));
	put("a/moved", "moved");
	T(mount("a", "b", NULL, MS_MOVE, NULL));
	show("b/moved");
	show("a/moved");
	T(umount("b"));
	/* only root may mount */
	if (fork() == 0) {
		setuid(1000);
		T(mount("none", "a", "tmpfs", 0, NULL));
		T(umount("/"));
		_exit(0);
	}
	wait(NULL);
	return 0;
}
