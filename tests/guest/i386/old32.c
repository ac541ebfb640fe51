/* old32: i386-only calls with i386-only layouts.  statfs64/fstatfs64 take
 * the size of struct statfs64 (84 bytes, packed) and refuse any other;
 * readdir (89) fills one struct old_linux_dirent per call and returns 1,
 * then 0 at the end.  argv[1] is a scratch directory.  One result per
 * line; compared with the host. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define T(expr) do { errno = 0; long _r = (long)(expr); \
	if (_r < 0) printf("%s = -1 %s\n", #expr, strerror(errno)); \
	else printf("%s = %ld\n", #expr, _r); } while (0)

struct statfs64_i386 {
	uint32_t f_type, f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int32_t f_fsid[2];
	uint32_t f_namelen, f_frsize, f_flags, f_spare[4];
} __attribute__((packed));

struct old_linux_dirent {
	uint32_t d_ino, d_offset;
	uint16_t d_namlen;
	char d_name[256];
};

static void show_statfs(const char *what, long r, struct statfs64_i386 *b)
{
	if (r < 0) {
		printf("%s: -1 %s\n", what, strerror(errno));
		return;
	}
	printf("%s: type %#x bsize %u frsize %u namelen %u blocks %llu files %llu rdonly %u\n",
	       what, b->f_type, b->f_bsize, b->f_frsize, b->f_namelen,
	       (unsigned long long)b->f_blocks, (unsigned long long)b->f_files, b->f_flags & 1);
}

static void statfs_calls(void)
{
	struct statfs64_i386 b;
	printf("sizeof struct statfs64: %u\n", (unsigned)sizeof b);
	memset(&b, 0xa5, sizeof b);
	show_statfs("statfs64 /proc", syscall(SYS_statfs64, "/proc", sizeof b, &b), &b);
	int fd = syscall(SYS_memfd_create, "s", 0);
	memset(&b, 0xa5, sizeof b);
	show_statfs("fstatfs64 memfd", syscall(SYS_fstatfs64, fd, sizeof b, &b), &b);
	int p = open("/proc/self", O_PATH);
	show_statfs("fstatfs64 O_PATH", syscall(SYS_fstatfs64, p, sizeof b, &b), &b);
	close(p);
	T(syscall(SYS_statfs64, "/proc", 88, &b));
	T(syscall(SYS_statfs64, "/proc", 64, &b));
	T(syscall(SYS_fstatfs64, fd, 88, &b));
	T(syscall(SYS_fstatfs64, fd, 0, &b));
	T(syscall(SYS_statfs64, "/nonexistent", sizeof b, &b));
	T(syscall(SYS_statfs64, "/proc", sizeof b, (void *)8));
	T(syscall(SYS_statfs64, (char *)8, sizeof b, &b));
	T(syscall(SYS_fstatfs64, 99, sizeof b, &b));
	T(syscall(SYS_fstatfs64, 99, 0, &b));
	T(syscall(SYS_fstatfs64, fd, sizeof b, (void *)8));
	close(fd);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void readdir_calls(const char *dir)
{
	struct old_linux_dirent d;
	char *names[16];
	int n = 0, bad = 0;
	mkdir(dir, 0755);
	if (chdir(dir) < 0) { printf("chdir: %s\n", strerror(errno)); return; }
	close(open("alpha", O_CREAT | O_WRONLY, 0644));
	close(open("a-much-longer-file-name.txt", O_CREAT | O_WRONLY, 0644));
	mkdir("subdir", 0755);
	int fd = open(".", O_RDONLY | O_DIRECTORY);
	for (;;) {
		memset(&d, 0x5a, sizeof d);
		long r = syscall(SYS_readdir, fd, &d, 1);
		if (r != 1) {
			printf("last readdir: %ld %s\n", r, r < 0 ? strerror(errno) : "");
			break;
		}
		struct stat st;
		if (d.d_namlen != strlen(d.d_name) || d.d_name[d.d_namlen] != 0)
			bad++;
		if (lstat(d.d_name, &st) < 0 || (uint32_t)st.st_ino != d.d_ino)
			bad++;
		if (n < 16)
			names[n++] = strdup(d.d_name);
	}
	qsort(names, n, sizeof names[0], cmp);
	printf("%d entries:", n);
	for (int i = 0; i < n; i++)
		printf(" %s", names[i]);
	printf("\nlength or inode mismatches: %d\n", bad);
	T(syscall(SYS_readdir, fd, &d, 1));
	T(lseek(fd, 0, SEEK_SET));
	T(syscall(SYS_readdir, fd, &d, 0));
	T(syscall(SYS_readdir, fd, (void *)8, 1));
	T(syscall(SYS_readdir, 99, &d, 1));
	int f = open("alpha", O_RDONLY);
	T(syscall(SYS_readdir, f, &d, 1));
	close(f);
	close(fd);
}

/* sendfile (187) takes a 32-bit off_t by pointer, sendfile64 (239) a
 * 64-bit one */
static void sendfile_calls(void)
{
	int fd = syscall(SYS_memfd_create, "sf", 0), p[2];
	char got[16] = {0};
	write(fd, "0123456789", 10);
	pipe2(p, O_NONBLOCK);           /* a wrong answer must not hang the test */
	struct { int32_t off, canary; } o32 = { 3, 0x7e7e7e7e };
	T(syscall(SYS_sendfile, p[1], fd, &o32, 4));
	read(p[0], got, sizeof got - 1);
	printf("sendfile: %s, offset now %d, canary %#x\n", got, o32.off, o32.canary);
	int64_t o64 = 6;
	memset(got, 0, sizeof got);
	T(syscall(SYS_sendfile64, p[1], fd, &o64, 3));
	read(p[0], got, sizeof got - 1);
	printf("sendfile64: %s, offset now %lld\n", got, (long long)o64);
	o32.off = -1;
	T(syscall(SYS_sendfile, p[1], fd, &o32, 4));
	close(p[0]);
	close(p[1]);
	close(fd);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 2) return 2;
	if (access("/proc/self", F_OK) < 0) {
		mkdir("/proc", 0555);
		if (mount("proc", "/proc", "proc", 0, NULL) < 0) { perror("mount"); return 1; }
	}
	for (char *p = argv[1] + 1; *p; p++)
		if (*p == '/') { *p = 0; mkdir(argv[1], 0755); *p = '/'; }
	statfs_calls();
	sendfile_calls();
	readdir_calls(argv[1]);
	printf("done\n");
	return 0;
}
