/* hostfs: what a program sees of a directory given to it as its root.
 *   hostfs chroot DIR ...   chroot(DIR) first (the native reference)
 *   hostfs - ...            already inside (pyuml with a hostfs root)
 * then runs each named check: escape, write, ro, mount HOSTDIR. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define T(expr) do { errno = 0; long _r = (long)(expr); \
	if (_r < 0) printf("%d %s = -1 %s\n", __LINE__, #expr, strerror(errno)); \
	else printf("%d %s = %ld\n", __LINE__, #expr, _r); } while (0)

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *p)
{
	DIR *d = opendir(p);
	if (!d) { printf("  opendir %s: %s\n", p, strerror(errno)); return; }
	char *names[256];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256)
		names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, cmp);
	printf("  ls %s:", p);
	for (int i = 0; i < n; i++) { printf(" %s", names[i]); free(names[i]); }
	printf("\n");
}

static void show(const char *p)
{
	char buf[128];
	int fd = open(p, O_RDONLY);
	if (fd < 0) { printf("  %s: %s\n", p, strerror(errno)); return; }
	int n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	printf("  %s: [%s]\n", p, buf);
}

static void escape(void)
{
	struct stat a, b;
	stat("/", &a);
	stat("/..", &b);
	printf("/.. is /: %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	list("/");
	list("/..");
	list("/../..");
	show("inside.txt");
	show("/../secret");
	show("/../../../../secret");
	show("../secret");
	show("abs");
	show("rel");
	show("up/secret");
	show("up/up/up/secret");
	show("dir/../../secret");
	show("dir/deep/../../../secret");
	char buf[256];
	for (int i = 0; i < 8; i++) chdir("..");
	printf("cwd after ..: %s\n", getcwd(buf, sizeof buf));
	show("secret");
	T(chdir("/dir"));
	T(chdir("../.."));
	printf("cwd: %s\n", getcwd(buf, sizeof buf));
	int dfd = open("/dir", O_RDONLY | O_DIRECTORY);
	T(openat(dfd, "../../secret", O_RDONLY));
	T(openat(dfd, "../inside.txt", O_RDONLY) >= 0);
	/* links the program makes itself */
	T(symlink("/../../secret", "/tmpdir/mine"));
	show("/tmpdir/mine");
	T(symlink("../../../../../../secret", "/tmpdir/mine2"));
	show("/tmpdir/mine2");
	T(link("/../secret", "/tmpdir/hard"));
	T(rename("/../secret", "/tmpdir/stolen"));
	T(mkdir("/../escaped", 0755));
	list("/tmpdir");
	/* exec through a symlink that points outside */
	pid_t pid = fork();
	if (pid == 0) {
		execl("/abs", "abs", NULL);
		printf("exec abs: %s\n", strerror(errno));
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
}

static void put(const char *p, const char *s)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	if (fd < 0) { printf("  create %s: %s\n", p, strerror(errno)); return; }
	write(fd, s, strlen(s));
	close(fd);
}

static void write_check(const char *host)
{
	put("/tmpdir/new.txt", "written by the guest\n");
	show("/tmpdir/new.txt");
	T(mkdir("/tmpdir/sub", 0750));
	put("/tmpdir/sub/f", "abc");
	T(rename("/tmpdir/sub/f", "/tmpdir/sub/g"));
	T(link("/tmpdir/sub/g", "/tmpdir/sub/h"));
	T(symlink("g", "/tmpdir/sub/l"));
	show("/tmpdir/sub/l");
	T(truncate("/tmpdir/sub/g", 2));
	show("/tmpdir/sub/h");
	T(chmod("/tmpdir/sub/g", 0600));
	struct stat st;
	stat("/tmpdir/sub/h", &st);
	printf("  mode %o nlink %ld size %ld\n", st.st_mode, (long)st.st_nlink, (long)st.st_size);
	T(unlink("/tmpdir/sub/h"));
	T(unlink("/tmpdir/sub/g"));
	T(unlink("/tmpdir/sub/l"));
	T(rmdir("/tmpdir/sub"));
	list("/tmpdir/sub");
	put("/tmpdir/gone", "x");
	T(unlink("/tmpdir/gone"));
	/* a shared mapping written by the guest reaches the host file */
	put("/tmpdir/mapped", "................");
	int fd = open("/tmpdir/mapped", O_RDWR);
	char *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	memcpy(p, "MAPPED", 6);
	T(msync(p, 4096, MS_SYNC));
	memcpy(p + 8, "LATER", 5);
	T(munmap(p, 4096));
	/* a second mount of the same host directory has its own page cache:
	 * it reads what reached the host file */
	mkdir("/dev/m2", 0755);
	T(mount("none", "/dev/m2", "hostfs", MS_RDONLY, host));
	show("/dev/m2/tmpdir/mapped");
	close(fd);
	show("/tmpdir/mapped");
	fd = open("/tmpdir/mapped", O_RDWR);
	p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	memcpy(p + 14, "XT", 2);                /* written back at exit */
	close(fd);
}

static void ro_check(void)
{
	put("/tmpdir/new.txt", "no");
	T(mkdir("/tmpdir/sub", 0750));
	T(unlink("/inside.txt"));
	T(rename("/inside.txt", "/x"));
	T(chmod("/inside.txt", 0777));
	T(truncate("/inside.txt", 0));
	T(open("/inside.txt", O_RDWR));
	T(open("/inside.txt", O_RDONLY) >= 0);
	T(access("/inside.txt", W_OK));
	T(symlink("a", "/tmpdir/l"));
	T(utimensat(AT_FDCWD, "/inside.txt", NULL, 0));
	int fd = open("/inside.txt", O_RDONLY);
	T(mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED);
	char *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	p[0] = 'X';
	printf("  private copy: %.6s\n", p);
	show("/inside.txt");
}

static void mount_check(const char *host)
{
	T(mkdir("/tmpdir/mnt", 0755));
	T(mount("none", "/tmpdir/mnt", "hostfs", MS_RDONLY, host));
	list("/tmpdir/mnt");
	show("/tmpdir/mnt/inside.txt");
	show("/tmpdir/mnt/../inside.txt");
	show("/tmpdir/mnt/../../secret");
	show("/tmpdir/mnt/abs");
	T(open("/tmpdir/mnt/new", O_CREAT | O_WRONLY, 0600));
	T(rmdir("/tmpdir/mnt"));
	T(umount("/tmpdir/mnt"));
	list("/tmpdir/mnt");
	T(rmdir("/tmpdir/mnt"));
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int i = 1;
	if (argc > 2 && !strcmp(argv[1], "chroot")) {
		if (chroot(argv[2]) < 0 || chdir("/") < 0) { perror("chroot"); return 2; }
		i = 3;
	} else if (argc > 1 && !strcmp(argv[1], "-")) {
		i = 2;
	}
	for (; i < argc; i++) {
		printf("== %s\n", argv[i]);
		if (!strcmp(argv[i], "escape")) escape();
		else if (!strcmp(argv[i], "write") && i + 1 < argc) write_check(argv[++i]);
		else if (!strcmp(argv[i], "ro")) ro_check();
		else if (!strcmp(argv[i], "mount") && i + 1 < argc) mount_check(argv[++i]);
	}
	return 0;
}
