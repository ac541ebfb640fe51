/* inotify: the inotify API against the VFS, printed so that a native run
 * and a pyuml run can be compared line by line.
 *
 *   inotify errors     argument checks, wd rules, read sizes, EFAULT
 *   inotify events     every VFS operation on a watched directory/file
 *   inotify flags      IN_ONESHOT, IN_EXCL_UNLINK, IN_MASK_ADD, IN_ONLYDIR...
 *   inotify ready      FIONREAD, poll, select, epoll, blocking read
 *   inotify overflow   IN_Q_OVERFLOW at max_queued_events
 *   inotify tail       tail -f: a child appends, we wait for IN_MODIFY
 *   inotify ops OPS    a sequence of file operations (the hypothesis test)
 *
 * Everything happens in a scratch directory /tmp/inotify-PID, removed at
 * the end; paths are printed relative to it, never inode numbers.  Cookies
 * are printed as labels in order of appearance (C1, C2...), wds as they
 * are: both kernels number them from 1 in each instance.
 */
#define _GNU_SOURCE
#include "procs.h"
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <stdint.h>
#include <sys/uio.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/mman.h>
#include <sys/sendfile.h>

static char scratch[64];

static const char *ename(int e)
{
	static char buf[16];
	switch (e) {
	case 0: return "OK";
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	case ENOENT: return "ENOENT";
	case ENOTDIR: return "ENOTDIR";
	case EEXIST: return "EEXIST";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EAGAIN: return "EAGAIN";
	case EISDIR: return "EISDIR";
	case ENOTEMPTY: return "ENOTEMPTY";
	case EPERM: return "EPERM";
	case ELOOP: return "ELOOP";
	case EMFILE: return "EMFILE";
	case EINTR: return "EINTR";
	case EBUSY: return "EBUSY";
	}
	snprintf(buf, sizeof buf, "E%d", e);
	return buf;
}

static void res(const char *what, long r)
{
	printf("%s: %s\n", what, r < 0 ? ename(errno) : "OK");
}

static void resv(const char *what, long r)
{
	if (r < 0)
		printf("%s: %s\n", what, ename(errno));
	else
		printf("%s: %ld\n", what, r);
}

static const struct { uint32_t bit; const char *name; } bits[] = {
	{IN_ACCESS, "ACCESS"}, {IN_MODIFY, "MODIFY"}, {IN_ATTRIB, "ATTRIB"},
	{IN_CLOSE_WRITE, "CLOSE_WRITE"}, {IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"},
	{IN_OPEN, "OPEN"}, {IN_MOVED_FROM, "MOVED_FROM"}, {IN_MOVED_TO, "MOVED_TO"},
	{IN_CREATE, "CREATE"}, {IN_DELETE, "DELETE"}, {IN_DELETE_SELF, "DELETE_SELF"},
	{IN_MOVE_SELF, "MOVE_SELF"}, {IN_UNMOUNT, "UNMOUNT"}, {IN_Q_OVERFLOW, "Q_OVERFLOW"},
	{IN_IGNORED, "IGNORED"}, {IN_ISDIR, "ISDIR"},
};

static uint32_t cookies[64];
static int ncookies;

static void print_event(const struct inotify_event *ev)
{
	char m[256] = "";
	uint32_t rest = ev->mask;
	for (unsigned i = 0; i < sizeof bits / sizeof *bits; i++)
		if (rest & bits[i].bit) {
			if (*m)
				strcat(m, "|");
			strcat(m, bits[i].name);
			rest &= ~bits[i].bit;
		}
	if (rest)
		sprintf(m + strlen(m), "|0x%x", rest);
	printf("  wd=%d %s", ev->wd, m);
	if (ev->cookie) {
		int i;
		for (i = 0; i < ncookies && cookies[i] != ev->cookie; i++)
			;
		if (i == ncookies && ncookies < 64)
			cookies[ncookies++] = ev->cookie;
		printf(" cookie=C%d", i + 1);
	}
	if (ev->len) {
		/* the name is NUL-padded to a multiple of 16: check the padding */
		size_t n = strnlen(ev->name, ev->len);
		int padok = ev->len % 16 == 0 && n < ev->len && ev->len - n <= 16;
		for (size_t i = n; i < ev->len; i++)
			if (ev->name[i])
				padok = 0;
		printf(" len=%u name=%s%s", ev->len, ev->name, padok ? "" : " BADPAD");
	}
	printf("\n");
}

/* read and print everything queued (the fd must be non-blocking) */
static int drain(int fd)
{
	char buf[65536] __attribute__((aligned(8)));
	int total = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0) {
			if (errno != EAGAIN)
				printf("  read: %s\n", ename(errno));
			return total;
		}
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			print_event(ev);
			total++;
			p += sizeof *ev + ev->len;
		}
	}
}

static void in_scratch(void)
{
	mkdir("/tmp", 01777);           /* a bare initramfs has none */
	snprintf(scratch, sizeof scratch, "/tmp/inotify-%d", (int)getpid());
	if (mkdir(scratch, 0755) < 0 || chdir(scratch) < 0) {
		perror("scratch");
		exit(2);
	}
}

static void rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		char sub[512];
		while (d && (e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			rm_rf(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static void leave_scratch(void)
{
	if (chdir("/") == 0)
		rm_rf(scratch);
}

static int touch(const char *p)
{
	int fd = open(p, O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? -1 : 0;
}

static int append(const char *p, const char *s)
{
	int fd = open(p, O_WRONLY | O_APPEND);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -1 : 0;
}

/* -- errors ----------------------------------------------------------------- */

static void t_errors(void)
{
	int fd, fd2, wd;
	char small[16];

	errno = 0;
	res("init1(bad flags)", inotify_init1(0x1));
	res("init1(IN_CLOEXEC<<1)", inotify_init1(IN_CLOEXEC << 1));
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	res("init1(NONBLOCK|CLOEXEC)", fd);
	printf("cloexec=%d nonblock=%d accmode=%d\n", !!(fcntl(fd, F_GETFD) & FD_CLOEXEC),
	       !!(fcntl(fd, F_GETFL) & O_NONBLOCK), fcntl(fd, F_GETFL) & O_ACCMODE);
	fd2 = inotify_init();
	res("init()", fd2);
	printf("init nonblock=%d\n", !!(fcntl(fd2, F_GETFL) & O_NONBLOCK));

	touch("file");
	mkdir("dir", 0755);
	symlink("file", "link");
	symlink("nowhere", "dangling");

	res("add(mask 0)", inotify_add_watch(fd, ".", 0));
	res("add(unknown bit 0x1000)", inotify_add_watch(fd, ".", 0x1000));
	res("add(unknown bit 0x10000)", inotify_add_watch(fd, ".", 0x10000));
	res("add(IN_IGNORED)", inotify_add_watch(fd, "dir", IN_IGNORED));
	res("add(0x80000000)", inotify_add_watch(fd, "dir", 0x80000000));
	res("add(MODIFY|0x1000)", inotify_add_watch(fd, "dir", IN_MODIFY | 0x1000));
	res("add(MODIFY|0x100000)", inotify_add_watch(fd, "dir", IN_MODIFY | 0x100000));
	res("add(MODIFY|0x8000000)", inotify_add_watch(fd, "dir", IN_MODIFY | 0x8000000));
	res("add(ISDIR|UNMOUNT|Q_OVERFLOW)", inotify_add_watch(fd, "dir", IN_ISDIR | IN_UNMOUNT | IN_Q_OVERFLOW));
	res("add(only flags)", inotify_add_watch(fd, ".", IN_ONLYDIR | IN_DONT_FOLLOW | IN_ONESHOT));
	res("add(MASK_ADD|MASK_CREATE)", inotify_add_watch(fd, ".", IN_MODIFY | IN_MASK_ADD | IN_MASK_CREATE));
	res("add(bad fd)", inotify_add_watch(-1, ".", IN_MODIFY));
	res("add(closed fd)", inotify_add_watch(999, ".", IN_MODIFY));
	int plain = open("file", O_RDONLY);
	res("add(not inotify)", inotify_add_watch(plain, ".", IN_MODIFY));
	res("rm(not inotify)", inotify_rm_watch(plain, 1));
	close(plain);
	res("add(ENOENT)", inotify_add_watch(fd, "missing", IN_MODIFY));
	res("add(dangling)", inotify_add_watch(fd, "dangling", IN_MODIFY));
	resv("add(dangling, DONT_FOLLOW)", inotify_add_watch(fd, "dangling", IN_MODIFY | IN_DONT_FOLLOW));
	res("add(ONLYDIR file)", inotify_add_watch(fd, "file", IN_MODIFY | IN_ONLYDIR));
	res("add(ONLYDIR link->file)", inotify_add_watch(fd, "link", IN_MODIFY | IN_ONLYDIR));
	res("add(EFAULT)", inotify_add_watch(fd, (char *)8, IN_MODIFY));
	res("add(empty path)", inotify_add_watch(fd, "", IN_MODIFY));
	res("add(file/x)", inotify_add_watch(fd, "file/x", IN_MODIFY));

	wd = inotify_add_watch(fd, "file", IN_MODIFY);
	resv("add(file)", wd);
	resv("add(file) again", inotify_add_watch(fd, "file", IN_ATTRIB));
	resv("add(link) follows to file", inotify_add_watch(fd, "link", IN_ATTRIB));
	resv("add(link, DONT_FOLLOW)", inotify_add_watch(fd, "link", IN_ATTRIB | IN_DONT_FOLLOW));
	res("add(file, MASK_CREATE)", inotify_add_watch(fd, "file", IN_ATTRIB | IN_MASK_CREATE));
	resv("add(dir, MASK_CREATE)", inotify_add_watch(fd, "dir", IN_ATTRIB | IN_MASK_CREATE));
	resv("add(dir, ONLYDIR)", inotify_add_watch(fd, "dir", IN_CREATE | IN_ONLYDIR));
	resv("add(. via other instance)", inotify_add_watch(fd2, "file", IN_MODIFY));
	res("rm(0)", inotify_rm_watch(fd, 0));
	res("rm(-1)", inotify_rm_watch(fd, -1));
	res("rm(99)", inotify_rm_watch(fd, 99));
	res("rm(bad fd)", inotify_rm_watch(-1, 1));
	res("rm(wd)", inotify_rm_watch(fd, wd));
	res("rm(wd) again", inotify_rm_watch(fd, wd));
	/* wds are allocated cyclically: a freed wd is not reused at once */
	resv("add(file) after rm", inotify_add_watch(fd, "file", IN_MODIFY));
	resv("add(.)", inotify_add_watch(fd, ".", IN_ALL_EVENTS));

	/* /proc/self/fdinfo: one line per watch */
	if (access("/proc/self", F_OK) < 0) {       /* pyuml's bare initramfs */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	char info[64], line[256];
	snprintf(info, sizeof info, "/proc/self/fdinfo/%d", fd);
	FILE *fi = fopen(info, "r");
	int watchlines = 0;
	while (fi && fgets(line, sizeof line, fi))
		if (!strncmp(line, "inotify wd:", 11))
			watchlines++;
	if (fi)
		fclose(fi);
	printf("fdinfo watch lines: %d\n", watchlines);

	/* the queue: IN_IGNORED for the removed watch */
	printf("queue:\n");
	drain(fd);

	/* read sizes */
	touch("a-long-name-for-padding");
	int avail = -1;
	res("FIONREAD", ioctl(fd, FIONREAD, &avail));
	printf("FIONREAD=%d\n", avail);
	resv("read(0)", read(fd, small, 0));
	resv("read(16)", read(fd, small, 16));
	resv("read(bad buffer)", syscall(SYS_read, fd, (void *)8, 4096));
	/* an event read into a bad buffer is gone, as on Linux */
	res("FIONREAD", ioctl(fd, FIONREAD, &avail));
	printf("FIONREAD after EFAULT=%d\n", avail);
	drain(fd);
	resv("read(empty, nonblock)", read(fd, small, sizeof small));
	/* readv reads segment by segment, stopping at a short one */
	char seg1[64], seg2[64];
	struct iovec v[2] = {{seg1, 16}, {seg2, 32}};
	touch("x");
	touch("y");
	touch("z");
	resv("readv[16,32]", readv(fd, v, 2));
	v[0].iov_len = 48;
	v[1].iov_len = 48;
	resv("readv[48,48]", readv(fd, v, 2));
	v[0].iov_len = 32;
	drain(fd);
	touch("x");
	touch("y");
	resv("readv[32,48]", readv(fd, v, 2));
	resv("readv[32,48] empty", readv(fd, v, 2));
	touch("w");
	v[1].iov_len = 8;
	resv("readv[32,8]", readv(fd, v, 2));
	v[0].iov_len = 0;
	v[1].iov_len = 0;
	touch("w");
	resv("readv[0,0]", readv(fd, v, 2));
	drain(fd);
	resv("write(inotify)", write(fd, "x", 1));
	resv("lseek(inotify)", lseek(fd, 0, SEEK_SET));

	/* EACCES without read permission, as an unprivileged user */
	chmod("file", 0);
	mkdir("private", 0);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0) {
			printf("setuid failed\n");
			_exit(1);
		}
		int ifd = inotify_init();
		res("unpriv add(file mode 0)", inotify_add_watch(ifd, "file", IN_MODIFY));
		res("unpriv add(private)", inotify_add_watch(ifd, "private", IN_MODIFY));
		res("unpriv add(private/x)", inotify_add_watch(ifd, "private/x", IN_MODIFY));
		resv("unpriv add(.)", inotify_add_watch(ifd, ".", IN_MODIFY));
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	close(fd);
	close(fd2);
}

/* -- events -------------------------------------------------------------------- */

static void t_events(void)
{
	int fd = inotify_init1(IN_NONBLOCK);
	char buf[64];
	int w;

	mkdir("sub", 0755);
	touch("other");
	resv("watch .", inotify_add_watch(fd, ".", IN_ALL_EVENTS));
	resv("watch sub", inotify_add_watch(fd, "sub", IN_ALL_EVENTS));
	resv("watch other", inotify_add_watch(fd, "other", IN_ALL_EVENTS));

	printf("-- create, write, read, close\n");
	w = open("f", O_CREAT | O_RDWR, 0644);
	write(w, "hello", 5);
	write(w, "hello", 5);           /* coalesced with the first MODIFY */
	pwrite(w, "x", 1, 0);
	lseek(w, 0, SEEK_SET);
	read(w, buf, 3);
	read(w, buf, sizeof buf);
	read(w, buf, sizeof buf);       /* EOF: no ACCESS */
	write(w, buf, 0);               /* nothing written: no MODIFY */
	close(w);
	drain(fd);

	printf("-- readonly open, dup, close\n");
	w = open("f", O_RDONLY);
	int w2 = dup(w);
	close(w);
	printf("  (closed one of two)\n");
	drain(fd);
	close(w2);
	drain(fd);

	printf("-- O_TRUNC, creat on existing\n");
	w = open("f", O_WRONLY | O_TRUNC);
	close(w);
	w = open("f", O_WRONLY | O_CREAT | O_EXCL, 0644);
	resv("O_EXCL existing", w);
	drain(fd);

	printf("-- attributes\n");
#define STEP(expr) do { printf("%s\n", #expr); (void)(expr); drain(fd); } while (0)
	STEP(chmod("f", 0600));
	STEP(chown("f", 0, 0));
	STEP(chown("f", -1, -1));
	STEP(truncate("f", 100));
	STEP(w = open("f", O_RDWR));
	STEP(ftruncate(w, 10));
	STEP(fallocate(w, 0, 0, 4096));
	STEP(fallocate(w, FALLOC_FL_KEEP_SIZE, 0, 8192));
	STEP(fallocate(w, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 0, 10));
	STEP(fchmod(w, 0644));
	STEP(fchown(w, 0, -1));
	STEP(close(w));
	STEP(utimes("f", NULL));
	struct timespec ts[2] = {{1, 0}, {0, UTIME_OMIT}};
	STEP(utimensat(AT_FDCWD, "f", ts, 0));        /* atime only: ACCESS */
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = 2;
	ts[1].tv_nsec = 0;
	STEP(utimensat(AT_FDCWD, "f", ts, 0));        /* mtime only: MODIFY */
	ts[1].tv_nsec = UTIME_OMIT;
	STEP(utimensat(AT_FDCWD, "f", ts, 0));        /* neither: nothing */
	STEP(chmod("sub", 0700));
	STEP(w = open("f", O_PATH));
	STEP(close(w));
	STEP(w = open("f", O_RDONLY));
	struct iovec iov = {buf, sizeof buf};
	STEP(readv(w, &iov, 1));
	STEP(readv(w, &iov, 1));                      /* at EOF */
	STEP(pread(w, buf, 4, 0));
	STEP(close(w));
	STEP(w = open("sub", O_RDONLY | O_DIRECTORY));
	STEP(syscall(SYS_getdents64, w, buf, 1));   /* too small */
	STEP(close(w));
	printf("-- links\n");
	link("other", "other2");
	symlink("f", "sym");
	mknod("fifo", S_IFIFO | 0644, 0);
	unlink("other2");
	drain(fd);

	printf("-- directories\n");
	mkdir("sub/inner", 0755);
	w = open("sub", O_RDONLY | O_DIRECTORY);
	char dents[4096];
	syscall(SYS_getdents64, w, dents, sizeof dents);
	close(w);
	touch("sub/inner/deep");                /* not watched: nothing */
	rmdir("sub/inner");                     /* ENOTEMPTY */
	unlink("sub/inner/deep");
	rmdir("sub/inner");
	drain(fd);

	printf("-- rename\n");
	rename("f", "g");
	rename("g", "sub/g");
	rename("sub/g", "other");               /* replaces a watched file */
	mkdir("d1", 0755);
	rename("d1", "sub/d1");
	touch("x");
	touch("y");
	syscall(SYS_renameat2, AT_FDCWD, "x", AT_FDCWD, "y", 2 /* RENAME_EXCHANGE */);
	drain(fd);

	printf("-- unlink and rmdir of watched things\n");
	resv("watch x", inotify_add_watch(fd, "x", IN_ALL_EVENTS));
	resv("watch sub/d1", inotify_add_watch(fd, "sub/d1", IN_ALL_EVENTS));
	unlink("x");
	rmdir("sub/d1");
	drain(fd);

	printf("-- unlink while open\n");
	touch("held");
	resv("watch held", inotify_add_watch(fd, "held", IN_ALL_EVENTS));
	w = open("held", O_RDWR);
	unlink("held");
	drain(fd);
	write(w, "z", 1);
	printf("  (closing)\n");
	close(w);
	drain(fd);

	printf("-- hard link: delete_self only with the last link\n");
	touch("h1");
	link("h1", "h2");
	resv("watch h1", inotify_add_watch(fd, "h1", IN_ALL_EVENTS));
	unlink("h1");
	drain(fd);
	unlink("h2");
	drain(fd);

	printf("-- rename a directory over a watched empty one\n");
	mkdir("va", 0755);
	mkdir("vb", 0755);
	resv("watch vb", inotify_add_watch(fd, "vb", IN_ALL_EVENTS));
	resv("watch va", inotify_add_watch(fd, "va", IN_ALL_EVENTS));
	rename("va", "vb");
	drain(fd);
	rmdir("vb");
	drain(fd);

	printf("-- a removed directory that is some process's cwd\n");
	mkdir("cwd", 0755);
	resv("watch cwd", inotify_add_watch(fd, "cwd", IN_ALL_EVENTS));
	int p1[2], p2[2];
	pipe(p1);
	pipe(p2);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		char x;
		if (chdir("cwd") < 0)
			_exit(1);
		write(p1[1], "r", 1);
		read(p2[0], &x, 1);
		_exit(0);
	}
	read(p1[0], buf, 1);
	drain(fd);
	rmdir("cwd");
	printf("  (removed)\n");
	drain(fd);
	write(p2[1], "x", 1);
	waitpid(c, NULL, 0);
	printf("  (the process exited)\n");
	drain(fd);

	printf("-- a removed directory lives while a removed file in it is open\n");
	mkdir("hd", 0755);
	touch("hd/f");
	resv("watch hd", inotify_add_watch(fd, "hd", IN_ALL_EVENTS));
	w = open("hd/f", O_RDWR);
	unlink("hd/f");
	rmdir("hd");
	drain(fd);
	write(w, "x", 1);
	printf("  (closing)\n");
	close(w);
	drain(fd);

	printf("-- the watched directory itself goes\n");
	rm_rf("sub/d1");
	unlink("sub/inner");
	rename("sub", "sub2");
	rm_rf("sub2");
	drain(fd);
	close(fd);
}

/* -- flags ------------------------------------------------------------------------ */

static void t_flags(void)
{
	int fd = inotify_init1(IN_NONBLOCK);
	int w;

	touch("f");
	printf("-- ONESHOT\n");
	resv("watch f oneshot", inotify_add_watch(fd, "f", IN_MODIFY | IN_ATTRIB | IN_ONESHOT));
	append("f", "a");
	chmod("f", 0600);
	append("f", "b");
	drain(fd);

	printf("-- MASK_ADD\n");
	w = inotify_add_watch(fd, "f", IN_MODIFY);
	resv("watch f modify", w);
	resv("watch f attrib", inotify_add_watch(fd, "f", IN_ATTRIB));   /* replaces */
	append("f", "c");
	chmod("f", 0644);
	resv("watch f +modify", inotify_add_watch(fd, "f", IN_MODIFY | IN_MASK_ADD));
	append("f", "d");
	chmod("f", 0600);
	drain(fd);
	inotify_rm_watch(fd, w);
	drain(fd);

	printf("-- EXCL_UNLINK\n");
	touch("e1");
	touch("e2");
	resv("watch . excl", inotify_add_watch(fd, ".", IN_ALL_EVENTS | IN_EXCL_UNLINK));
	int a = open("e1", O_RDWR);
	int b = open("e2", O_RDWR);
	drain(fd);
	unlink("e1");
	unlink("e2");
	write(a, "x", 1);
	close(a);
	drain(fd);
	resv("watch . plain", inotify_add_watch(fd, ".", IN_ALL_EVENTS));
	write(b, "x", 1);
	close(b);
	drain(fd);

	printf("-- events outside the mask\n");
	touch("m");
	resv("watch m create-only", inotify_add_watch(fd, "m", IN_CREATE));
	append("m", "x");
	unlink("m");
	drain(fd);

	printf("-- two renames from one name: merged, cookies are not compared\n");
	mkdir("m1", 0755);
	mkdir("m2", 0755);
	int fd2 = inotify_init1(IN_NONBLOCK);
	resv("watch m1 moved_from", inotify_add_watch(fd2, "m1", IN_MOVED_FROM));
	touch("m1/a");
	rename("m1/a", "m2/x");
	touch("m1/a");
	rename("m1/a", "m2/y");
	drain(fd2);
	close(fd2);

	printf("-- EXCL_UNLINK on the file's own watch\n");
	touch("own");
	resv("watch own excl", inotify_add_watch(fd, "own", IN_ALL_EVENTS | IN_EXCL_UNLINK));
	a = open("own", O_RDWR);
	unlink("own");
	write(a, "x", 1);
	close(a);
	drain(fd);

	printf("-- sendfile, copy_file_range, mmap\n");
	touch("s1");
	append("s1", "abcdef");
	touch("s2");
	a = open("s1", O_RDWR);
	b = open("s2", O_RDWR);
	drain(fd);
	off_t off = 0;
	resv("sendfile", sendfile(b, a, &off, 3));
	drain(fd);
	resv("sendfile at end", sendfile(b, a, &off, 10) >= 0);
	drain(fd);
	loff_t lo = 0;
	resv("copy_file_range", copy_file_range(a, &lo, b, NULL, 2, 0));
	drain(fd);
	char *map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, a, 0);
	if (map != MAP_FAILED) {
		map[0] = 'z';
		msync(map, 4096, MS_SYNC);
		munmap(map, 4096);
	}
	printf("(mmap written)\n");
	drain(fd);
	close(a);
	close(b);
	drain(fd);

	printf("-- a symlink watched itself\n");
	symlink("s2", "sl");
	resv("watch sl nofollow", inotify_add_watch(fd, "sl", IN_ALL_EVENTS | IN_DONT_FOLLOW));
	lchown("sl", 0, 0);
	chmod("sl", 0600);              /* follows: s2 changes */
	drain(fd);

	printf("-- files a process leaves open are closed in fd order at exit\n");
	touch("p1");
	touch("p2");
	touch("p3");
	drain(fd);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		open("p1", O_RDONLY);
		int x = open("p2", O_RDONLY);
		close(x);
		open("p3", O_WRONLY);   /* takes p2's fd again: opened last, not the highest */
		open("p2", O_RDONLY);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	drain(fd);
	printf("-- and by close_range\n");
	int f1 = open("p1", O_RDONLY);
	int f2 = open("p2", O_RDONLY);
	close(f1);
	f1 = open("p3", O_RDONLY);
	drain(fd);
	resv("close_range", syscall(SYS_close_range, f1 < f2 ? f1 : f2, ~0U, 0));
	drain(fd);

	printf("-- coalescing\n");
	touch("p");
	touch("q");
	w = open("p", O_WRONLY);
	int w2 = open("q", O_WRONLY);
	drain(fd);
	for (int i = 0; i < 3; i++)
		write(w, "1", 1);
	write(w2, "1", 1);
	write(w, "1", 1);
	write(w, "1", 1);
	close(w);
	close(w2);
	drain(fd);
	/* reading empties the queue: the next MODIFY is new */
	w = open("p", O_WRONLY);
	write(w, "1", 1);
	drain(fd);
	write(w, "1", 1);
	close(w);
	drain(fd);
	close(fd);
}

static volatile int alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void drain_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	drain(fd);
	fcntl(fd, F_SETFL, fl);
}

/* -- readiness --------------------------------------------------------------------- */

static void t_ready(void)
{
	int fd = inotify_init();
	int avail = -1;
	struct pollfd p = {fd, POLLIN | POLLOUT, 0};

	touch("f");
	inotify_add_watch(fd, ".", IN_ATTRIB | IN_CREATE);
	resv("poll empty", poll(&p, 1, 0));
	printf("revents=%#x\n", p.revents);
	ioctl(fd, FIONREAD, &avail);
	printf("FIONREAD=%d\n", avail);
	chmod("f", 0600);
	touch("0123456789abcdef");      /* 16 characters: len 32 */
	resv("poll", poll(&p, 1, 0));
	printf("revents=%#x\n", p.revents);
	ioctl(fd, FIONREAD, &avail);
	printf("FIONREAD=%d\n", avail);

	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(fd, &rs);
	struct timeval tv = {0, 0};
	resv("select", select(fd + 1, &rs, NULL, NULL, &tv));
	printf("isset=%d\n", FD_ISSET(fd, &rs));

	int ep = epoll_create1(0);
	struct epoll_event ee = {EPOLLIN | EPOLLET, {.u32 = 7}}, out[2];
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ee);
	resv("epoll_wait", epoll_wait(ep, out, 2, 0));
	resv("epoll_wait (edge, no news)", epoll_wait(ep, out, 2, 0));
	chmod("f", 0644);
	resv("epoll_wait (new event)", epoll_wait(ep, out, 2, 0));
	printf("data=%u events=%#x\n", out[0].data.u32, out[0].events);

	char buf[4096];
	/* a buffer for exactly one event, then the rest */
	resv("read(16+32 bytes)", read(fd, buf, 16));
	resv("read(48)", read(fd, buf, 48));
	resv("read(4096)", read(fd, buf, sizeof buf));
	ioctl(fd, FIONREAD, &avail);
	printf("FIONREAD=%d\n", avail);
	p.revents = 0;
	resv("poll drained", poll(&p, 1, 0));

	/* a blocking read wakes when a child makes an event */
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		usleep(20000);
		chmod("f", 0600);
		_exit(0);
	}
	ssize_t n = read(fd, buf, sizeof buf);
	resv("blocking read", n);
	if (n > 0)
		print_event((struct inotify_event *)buf);
	waitpid(c, NULL, 0);

	/* and poll with a timeout sleeps until then */
	c = fork();
	if (c == 0) {
		usleep(20000);
		touch("late");
		_exit(0);
	}
	p.revents = 0;
	resv("poll(-1)", poll(&p, 1, -1));
	printf("revents=%#x\n", p.revents);
	waitpid(c, NULL, 0);
	/* a signal interrupts a blocking read: EINTR without SA_RESTART */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	drain_nonblock(fd);
	struct itimerval it = {{0, 0}, {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
	resv("blocking read, then SIGALRM", read(fd, buf, sizeof buf));
	printf("alarms=%d\n", alarms);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	drain(fd);
	close(ep);
	close(fd);
}

/* -- overflow ------------------------------------------------------------------------ */

static void t_overflow(void)
{
	int fd = inotify_init1(IN_NONBLOCK);
	int a, b, avail;

	touch("a");
	touch("b");
	a = open("a", O_WRONLY);
	b = open("b", O_WRONLY);
	inotify_add_watch(fd, ".", IN_MODIFY);
	/* alternating files: no two consecutive events are the same */
	for (int i = 0; i < 16390; i++)
		write(i & 1 ? b : a, "x", 1);
	ioctl(fd, FIONREAD, &avail);
	printf("FIONREAD=%d\n", avail);
	char buf[4096];
	int events = 0, overflow = 0, last_wd = 0;
	uint32_t last = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			events++;
			if (ev->mask & IN_Q_OVERFLOW)
				overflow++;
			last = ev->mask;
			last_wd = ev->wd;
			p += sizeof *ev + ev->len;
		}
	}
	printf("events=%d overflow=%d last=%#x wd=%d\n", events, overflow, last, last_wd);
	/* after reading, events queue again */
	write(a, "x", 1);
	drain(fd);
	close(a);
	close(b);
	close(fd);
}

/* -- tail -f ---------------------------------------------------------------------------- */

static void t_tail(void)
{
	int fd = inotify_init();
	int ack[2], go[2];
	char buf[4096];

	touch("log");
	pipe(ack);
	pipe(go);
	inotify_add_watch(fd, "log", IN_MODIFY | IN_CLOSE_WRITE);
	int rd = open("log", O_RDONLY);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		int w = open("log", O_WRONLY | O_APPEND);
		for (int i = 0; i < 5; i++) {
			char line[64];
			char x;
			int n = snprintf(line, sizeof line, "line %d from the writer\n", i);
			/* wait for the reader to be (about to be) asleep */
			if (read(go[0], &x, 1) != 1)
				_exit(1);
			write(w, line, n);
			if (read(ack[0], &x, 1) != 1)
				_exit(1);
		}
		if (read(go[0], buf, 1) != 1)
			_exit(1);
		close(w);
		_exit(0);
	}
	int done = 0;
	while (!done) {
		write(go[1], "g", 1);
		ssize_t n = read(fd, buf, sizeof buf);      /* blocks */
		if (n <= 0) {
			resv("read", n);
			break;
		}
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			print_event(ev);
			if (ev->mask & IN_MODIFY) {
				ssize_t k;
				while ((k = read(rd, buf + 2048, 2000)) > 0)
					printf("  got: %.*s", (int)k, buf + 2048);
				write(ack[1], "a", 1);
			}
			if (ev->mask & IN_CLOSE_WRITE)
				done = 1;
			p += sizeof *ev + ev->len;
		}
	}
	int st;
	waitpid(c, &st, 0);
	printf("writer status %d\n", st);
	close(rd);
	close(fd);
}

/* -- exec and umount ------------------------------------------------------------------------ */

static void t_exec(void)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY);
	if (in < 0)
		in = open("/prog", O_RDONLY);   /* pyuml's init without /proc */
	int out = open("prog", O_CREAT | O_WRONLY, 0755);
	ssize_t n;
	while ((n = read(in, buf, sizeof buf)) > 0)
		write(out, buf, n);
	close(in);
	close(out);
	int fd = inotify_init1(IN_NONBLOCK);
	resv("watch .", inotify_add_watch(fd, ".", IN_ALL_EVENTS));
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		execl("./prog", "prog", "exec-child", (char *)NULL);
		_exit(127);
	}
	int st;
	waitpid(c, &st, 0);
	printf("child status %d\n", st);
	drain(fd);

	printf("-- umount\n");
	mkdir("mnt", 0755);
	resv("mount", mount("none", "mnt", "tmpfs", 0, NULL));
	mkdir("mnt/in", 0755);
	touch("mnt/file");
	resv("watch mnt (its root)", inotify_add_watch(fd, "mnt", IN_ALL_EVENTS));
	resv("watch mnt/in", inotify_add_watch(fd, "mnt/in", IN_CREATE));
	resv("watch mnt/file", inotify_add_watch(fd, "mnt/file", IN_ONESHOT | IN_DELETE_SELF));
	drain(fd);
	resv("umount", umount("mnt"));
	drain(fd);
	close(fd);
}

/* -- awkward arguments (only checked for surviving: no oops) ------------------------------- */

static unsigned long long fstate;

static unsigned long long frnd(void)
{
	fstate ^= fstate << 13;
	fstate ^= fstate >> 7;
	fstate ^= fstate << 17;
	return fstate;
}

static void t_fuzz(unsigned long long seed, long n)
{
	static const long vals[] = {0, 1, -1, 8, 4096, 0x7fffffff, -0x80000000L, 0xffffffffL,
				    IN_ALL_EVENTS, IN_MASK_ADD | IN_MODIFY, IN_ONESHOT | IN_CREATE,
				    IN_EXCL_UNLINK | IN_ALL_EVENTS, IN_ONLYDIR, 0x1000, 16, 15, 31, 32};
	static const char *paths[] = {"f", "d", "d/g", ".", "s", "missing", "", "/proc/self/fd/3"};
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(page + 4096, 4096);              /* a hole after the page */
	int fd = inotify_init1(IN_NONBLOCK);
	fstate = seed * 2654435761ULL + 1;
	mkdir("d", 0755);
	symlink("f", "s");
	for (long i = 0; i < n; i++) {
		long v = vals[frnd() % (sizeof vals / sizeof *vals)];
		const char *p = paths[frnd() % (sizeof paths / sizeof *paths)];
		char *addr = frnd() % 4 ? (char *)p : frnd() % 2 ? page + 4096 - frnd() % 40 : (char *)(long)v;
		long r;
		switch (frnd() % 12) {
		case 0: r = syscall(SYS_inotify_add_watch, frnd() % 3 ? fd : v, addr, frnd() % 2 ? v : frnd()); break;
		case 1: r = syscall(SYS_inotify_rm_watch, frnd() % 3 ? fd : v, frnd() % 2 ? v : (long)(frnd() % 8)); break;
		case 2: r = syscall(SYS_read, fd, frnd() % 2 ? page + frnd() % 4096 : (char *)v, frnd() % 2 ? v : (long)(frnd() % 300)); break;
		case 3: r = syscall(SYS_ioctl, fd, FIONREAD, frnd() % 2 ? page + 4096 - frnd() % 8 : (char *)v); break;
		case 4: r = syscall(SYS_inotify_init1, v);
			if (r > 4) close(r);
			break;
		case 5: r = touch(p); break;
		case 6: r = append(p, "x"); break;
		case 7: r = unlink(p); break;
		case 8: r = rename(p, paths[frnd() % 4]); break;
		case 9: r = mkdir(p, 0755); break;
		case 10: r = rmdir(p); break;
		default: {
			struct iovec iov[2] = {{page + frnd() % 4096, frnd() % 64}, {(char *)v, frnd() % 64}};
			r = readv(fd, iov, 2);
		}
		}
		(void)r;
	}
	printf("survived %ld calls\n", n);
}

/* -- files with no name: pipes tell watchers, eventfd does not ------------------------------ */

static void t_pseudo(void)
{
	if (access("/proc/self", F_OK) < 0) {       /* pyuml's bare initramfs */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	int fd = inotify_init1(IN_NONBLOCK);
	int e = eventfd(0, 0), p[2], sv[2];
	char path[64];
	uint64_t v = 1;
	pipe(p);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	snprintf(path, sizeof path, "/proc/self/fd/%d", e);
	resv("watch eventfd", inotify_add_watch(fd, path, IN_ALL_EVENTS));
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
	resv("watch pipe", inotify_add_watch(fd, path, IN_ALL_EVENTS));
	snprintf(path, sizeof path, "/proc/self/fd/%d", sv[0]);
	resv("watch socket", inotify_add_watch(fd, path, IN_ALL_EVENTS));
	write(e, &v, 8);
	read(e, &v, 8);
	write(p[1], "x", 1);
	read(p[0], path, 1);
	write(sv[0], "x", 1);
	read(sv[1], path, 1);
	write(sv[1], "y", 1);
	read(sv[0], path, 1);
	drain(fd);

	/* a memfd: reads, writes and closes say nothing; attribute changes
	 * and its end do */
	int m = syscall(SYS_memfd_create, "x", 0);
	snprintf(path, sizeof path, "/proc/self/fd/%d", m);
	resv("watch memfd", inotify_add_watch(fd, path, IN_ALL_EVENTS));
	write(m, "abc", 3);
	pread(m, path, 3, 0);
	ftruncate(m, 10);
	fchmod(m, 0600);
	drain(fd);
	close(m);
	drain(fd);

	/* splice: both sides' watchers hear it, the output's first */
	touch("sf");
	append("sf", "abcdef");
	resv("watch .", inotify_add_watch(fd, ".", IN_ACCESS | IN_MODIFY));
	int sf = open("sf", O_RDWR);
	int q[2];
	pipe(q);
	loff_t off = 0;
	resv("splice file->pipe", splice(sf, &off, p[1], NULL, 3, 0));
	drain(fd);
	resv("splice pipe->file", splice(p[0], NULL, sf, &off, 2, 0));
	drain(fd);
	write(p[1], "xy", 2);
	drain(fd);
	resv("splice pipe->pipe", splice(p[0], NULL, q[1], NULL, 3, 0));
	drain(fd);
	close(sf);
	close(q[0]);
	close(q[1]);
	close(p[1]);
	close(p[0]);
	close(e);
	drain(fd);
	close(fd);
}

/* -- the per-user limit of instances ------------------------------------------------------ */

static void t_instances(void)
{
	int n = 0, fd;
	while ((fd = inotify_init()) >= 0 && n < 1000)
		n++;
	printf("instances=%d then %s\n", n, ename(errno));
	fflush(stdout);
	/* another user has his own count */
	pid_t c = fork();
	if (c == 0) {
		if (setuid(65534) < 0)
			_exit(1);
		fd = inotify_init();
		res("other user's init", fd);
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	close(3);                       /* closing one makes room for one */
	res("init after a close", inotify_init());
	res("and the next", inotify_init());
}

/* -- random operations (tests/test_inotify.py generates them) ------------------------- */

static const char *names[] = {"f0", "f1", "f2", "d0", "d1", "d0/g"};
#define NNAMES (int)(sizeof names / sizeof *names)

static void t_ops(const char *ops)
{
	int fd = inotify_init1(IN_NONBLOCK);
	int held[4], nheld = 0, flip = 0;
	char buf[64];

	resv("watch .", inotify_add_watch(fd, ".", IN_ALL_EVENTS));
	for (const char *p = ops; *p;) {
		char op = *p++;
		int a = 0, b = 0;
		if (*p >= '0' && *p <= '9')
			a = (*p++ - '0') % NNAMES;
		if (*p >= '0' && *p <= '9')
			b = (*p++ - '0') % NNAMES;
		const char *n = names[a], *m = names[b];
		char what[64];
		long r = 0;
		int w;
		snprintf(what, sizeof what, "%c %s %s", op, n, m);
		switch (op) {
		case 'c': r = w = open(n, O_CREAT | O_WRONLY | O_TRUNC, 0644);
			if (w >= 0) r = close(w);
			break;
		case 'w':       /* two writes: one IN_MODIFY */
			r = w = open(n, O_WRONLY | O_APPEND);
			if (w >= 0) {
				r = write(w, "w", 1);
				if (r >= 0)
					r = write(w, "w", 1);
				close(w);
			}
			break;
		case 'r':       /* two reads: one IN_ACCESS, if there are bytes */
			r = w = open(n, O_RDONLY);
			if (w >= 0) {
				r = read(w, buf, 1);
				if (r >= 0)
					r += read(w, buf, sizeof buf);
				close(w);
			}
			break;
		case 'a': r = chmod(n, (flip++ & 1) ? 0644 : 0600); break;
		case 'm': r = rename(n, m); break;
		case 'u': r = unlink(n); break;
		case 'k': r = mkdir(n, 0755); break;
		case 'K': r = rmdir(n); break;
		case 'l': r = link(n, m); break;
		case 't': r = truncate(n, 1); break;
		case 'o': case 'O':
			r = w = open(n, op == 'o' ? O_RDONLY : O_RDWR);
			if (w >= 0) {
				r = 0;
				if (nheld < 4)
					held[nheld++] = w;
				else
					close(w);
			}
			break;
		case 'x':
			if (nheld) {
				r = close(held[0]);
				memmove(held, held + 1, --nheld * sizeof *held);
			}
			break;
		case 'X':
			if (nheld)
				r = write(held[nheld - 1], "X", 1);
			break;
		case 'W': r = inotify_add_watch(fd, n, IN_ALL_EVENTS); break;
		case 'R': drain(fd); continue;
		default: continue;
		}
		if (r < 0)
			printf("%s: %s\n", what, ename(errno));
		else
			printf("%s: %ld\n", what, r);
	}
	while (nheld)
		close(held[--nheld]);
	printf("-- final\n");
	drain(fd);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exec-child"))
		return 0;
	test_as_child();
	if (argc < 2) {
		fprintf(stderr, "usage: inotify TEST [OPS]\n");
		return 2;
	}
	in_scratch();
	if (!strcmp(argv[1], "errors"))
		t_errors();
	else if (!strcmp(argv[1], "events"))
		t_events();
	else if (!strcmp(argv[1], "flags"))
		t_flags();
	else if (!strcmp(argv[1], "ready"))
		t_ready();
	else if (!strcmp(argv[1], "overflow"))
		t_overflow();
	else if (!strcmp(argv[1], "tail"))
		t_tail();
	else if (!strcmp(argv[1], "exec"))
		t_exec();
	else if (!strcmp(argv[1], "pseudo"))
		t_pseudo();
	else if (!strcmp(argv[1], "instances"))
		t_instances();
	else if (!strcmp(argv[1], "fuzz"))
		t_fuzz(argc > 2 ? strtoull(argv[2], NULL, 0) : 1, argc > 3 ? atol(argv[3]) : 1000);
	else if (!strcmp(argv[1], "ops"))
		t_ops(argc > 2 ? argv[2] : "");
	else
		printf("unknown test %s\n", argv[1]);
	leave_scratch();
	fflush(stdout);
	return 0;
}
