/* linktest: hard links and the life of an inode, in the current directory
 * (a tmpfs /tmp under pyuml; the host's temporary directory natively).
 *
 *   link      link(2) and linkat(2): one inode, two names, nlink 2; EEXIST,
 *             ENOENT, EPERM for a directory; writes through one name read
 *             through the other
 *   unlink    nlink falls with each unlink; the data stays while a name does
 *   open      a file unlinked while open: nlink 0, still read and written
 *             through its descriptor, /proc/self/fd says "(deleted)"
 *   frames    under pyuml, /dev/kstate's free frame count around each step:
 *             the file's 64 pages come back when its last name and its last
 *             descriptor are gone, not before (natively: only the steps)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "kstate.h"

#define NPAGES 64

static const char *err(int r)
{
	static char b[32];

	if (r == 0)
		return "0";
	snprintf(b, sizeof b, "-1 %s", errno == EEXIST ? "EEXIST" : errno == ENOENT ? "ENOENT" :
		 errno == EPERM ? "EPERM" : errno == EXDEV ? "EXDEV" : strerror(errno));
	return b;
}

static long nlink(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? -1 : (long)st.st_nlink;
}

static void make(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) < 0) {
		perror(path);
		exit(1);
	}
	close(fd);
}

static const char *slurp(const char *path)
{
	static char b[256];
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return "(cannot open)";
	n = read(fd, b, sizeof b - 1);
	close(fd);
	b[n < 0 ? 0 : n] = 0;
	return b;
}

static int do_link(void)
{
	struct stat a, b;

	make("a", "first\n");
	printf("link a b: %s\n", err(link("a", "b")));
	if (stat("a", &a) || stat("b", &b))
		return printf("stat fails: %s\n", strerror(errno)), 1;
	printf("same inode: %d, nlink %ld %ld\n", a.st_ino == b.st_ino, (long)a.st_nlink,
	       (long)b.st_nlink);
	int fd = open("b", O_WRONLY | O_APPEND);
	if (fd >= 0) {
		write(fd, "through b\n", 10);
		close(fd);
	}
	printf("a reads: %s", slurp("a"));
	printf("linkat a c: %s", err(linkat(AT_FDCWD, "a", AT_FDCWD, "c", 0)));
	printf(", nlink %ld\n", nlink("a"));
	printf("link a b again: %s\n", err(link("a", "b")));
	printf("link of a missing file: %s\n", err(link("nothing", "d")));
	mkdir("dir", 0755);
	printf("link of a directory: %s\n", err(link("dir", "dirlink")));
	printf("link into a missing directory: %s\n", err(link("a", "nodir/a")));
	printf("dir's nlink: %ld\n", nlink("dir"));
	symlink("a", "sym");
	printf("link of a symlink (not followed): %s", err(link("sym", "symlink2")));
	printf(", nlink of a %ld, of symlink2 %ld\n", nlink("a"), nlink("symlink2"));
	printf("linkat AT_SYMLINK_FOLLOW: %s",
	       err(linkat(AT_FDCWD, "sym", AT_FDCWD, "e", AT_SYMLINK_FOLLOW)));
	printf(", nlink of a %ld\n", nlink("a"));
	return 0;
}

static int do_unlink(void)
{
	make("a", "data\n");
	link("a", "b");
	link("b", "c");
	printf("nlink: %ld\n", nlink("a"));
	printf("unlink a: %s", err(unlink("a")));
	printf(", nlink of b: %ld\n", nlink("b"));
	printf("b reads: %s", slurp("b"));
	printf("unlink c: %s", err(unlink("c")));
	printf(", nlink of b: %ld\n", nlink("b"));
	printf("unlink c again: %s\n", err(unlink("c")));
	printf("rename b over a new file d: ");
	make("d", "other\n");
	link("d", "d2");
	printf("%s", err(rename("b", "d")));
	printf(", nlink of d2: %ld, d reads: %s", nlink("d2"), slurp("d"));
	printf("unlink d: %s", err(unlink("d")));
	printf(", stat d: %ld\n", nlink("d"));
	return 0;
}

static int do_open(void)
{
	struct stat st;
	char path[64], target[256];

	make("f", "kept\n");
	int fd = open("f", O_RDWR);
	printf("unlink f: %s\n", err(unlink("f")));
	fstat(fd, &st);
	printf("fstat nlink: %ld", (long)st.st_nlink);
	printf(", stat f: %ld\n", nlink("f"));
	char b[16] = {0};
	pread(fd, b, sizeof b - 1, 0);
	printf("read through the fd: %s", b);
	pwrite(fd, "more\n", 5, 5);
	fstat(fd, &st);
	printf("written through the fd: size %ld\n", (long)st.st_size);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, target, sizeof target - 1);
	target[n < 0 ? 0 : n] = 0;
	printf("its /proc/self/fd link ends in (deleted): %d\n",
	       n > 10 && !strcmp(target + n - 10, " (deleted)"));
	close(fd);
	return 0;
}

/* Write a file of NPAGES pages and close it. */
static void big(const char *path)
{
	static char page[4096];
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);

	memset(page, 'x', sizeof page);
	for (int i = 0; i < NPAGES; i++)
		write(fd, page, sizeof page);
	close(fd);
}

static int do_frames(void)
{
	kstate("@warm-up mem");
	big("g");
	link("g", "h");
	kstate("@frames-two-names mem");
	unlink("g");
	kstate("@frames-one-name mem");
	unlink("h");
	kstate("@frames-no-name mem");
	big("i");
	int fd = open("i", O_RDONLY);
	kstate("@frames-open mem");
	unlink("i");
	kstate("@frames-open-unlinked mem");
	close(fd);
	kstate("@frames-closed mem");
	printf("g and h gone: %ld %ld, i gone: %ld\n", nlink("g"), nlink("h"), nlink("i"));
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (mkdir(mode, 0755) || chdir(mode)) {     /* each mode in a fresh directory */
		perror(mode);
		return 1;
	}
	if (!strcmp(mode, "link"))
		return do_link();
	if (!strcmp(mode, "unlink"))
		return do_unlink();
	if (!strcmp(mode, "open"))
		return do_open();
	if (!strcmp(mode, "frames"))
		return do_frames();
	fprintf(stderr, "usage: linktest link|unlink|open|frames\n");
	return 2;
}
