/* fsfuzz: file-system calls with arguments drawn from a list of awkward
 * values (bad pointers, huge numbers, negative fds, odd flags), seeded by
 * argv[1].  The kernel must answer every one with a result or an errno:
 * the test checks the kernel log for oopses, and that we get to the end. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static unsigned long long state;

static unsigned long long rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static char *page;

static long arg(void)
{
	static const long fixed[] = {0, 1, 2, 3, -1, -100, 4096, 0x7fffffff, -0x80000000L,
				     0xffffffffL, 0x7fffffffffffffffL, 8, 0x1000, 0x200, 0x100,
				     0x400, 0x800, 01000000, 0200000, 0100, 0777, 07777};
	switch (rnd() % 6) {
	case 0: return fixed[rnd() % (sizeof fixed / sizeof *fixed)];
	case 1: return (long)page + (rnd() % 4096);         /* valid memory */
	case 2: return (long)page;                          /* a path below */
	case 3: return rnd() % 64;                          /* small: fds, flags */
	case 4: return (long)(rnd());                       /* anything */
	default: return (long)page + 4096 - (rnd() % 16);   /* runs off the end */
	}
}

static const int calls[] = {
	SYS_open, SYS_openat, SYS_close, SYS_read, SYS_write, SYS_pread64, SYS_pwrite64,
	SYS_lseek, SYS_readv, SYS_writev, SYS_stat, SYS_lstat, SYS_fstat, SYS_newfstatat,
	SYS_statx, SYS_access, SYS_faccessat, SYS_faccessat2, SYS_getdents64, SYS_getdents,
	SYS_mkdir, SYS_mkdirat, SYS_rmdir, SYS_unlink, SYS_unlinkat, SYS_rename, SYS_renameat,
	SYS_renameat2, SYS_link, SYS_linkat, SYS_symlink, SYS_symlinkat, SYS_readlink,
	SYS_readlinkat, SYS_mknod, SYS_mknodat, SYS_chmod, SYS_fchmod, SYS_fchmodat,
	SYS_chown, SYS_fchown, SYS_lchown, SYS_fchownat, SYS_truncate, SYS_ftruncate,
	SYS_fallocate, SYS_dup, SYS_dup2, SYS_dup3, SYS_fcntl, SYS_flock, SYS_getcwd,
	SYS_chdir, SYS_fchdir, SYS_statfs, SYS_fstatfs, SYS_fsync, SYS_fdatasync,
	SYS_utimensat, SYS_futimesat, SYS_utimes, SYS_utime, SYS_sendfile,
	SYS_copy_file_range, SYS_splice, SYS_msync, SYS_madvise, SYS_mremap, SYS_mmap,
	SYS_getxattr, SYS_lgetxattr, SYS_listxattr, SYS_setxattr, SYS_umount2,
	SYS_sync_file_range, SYS_syncfs, SYS_close_range, SYS_openat2, SYS_ioctl,
};

int main(int argc, char **argv)
{
	state = argc > 1 ? strtoull(argv[1], NULL, 0) * 2654435761ULL + 1 : 1;
	long n = argc > 2 ? atol(argv[2]) : 2000;
	page = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* the results go to fd 200; what the calls write goes nowhere */
	int out = dup2(1, 200);
	int null = open("/dev/null", O_RDWR);
	dup2(null, 1);
	dup2(null, 2);
	close(null);
	mkdir("/scratch", 0777);
	chdir("/scratch");
	int fds[4];
	fds[0] = open("file", O_RDWR | O_CREAT, 0644);
	write(fds[0], "some data\n", 10);
	fds[1] = open(".", O_RDONLY | O_DIRECTORY);
	fds[2] = open("/proc/self/stat", O_RDONLY);
	fds[3] = open("file", O_PATH);
	for (long i = 0; i < n; i++) {
		/* a short path name at the start of the page, sometimes */
		static const char *names[] = {"file", "dir", "sym", "..", "/", "", "/proc/self/fd/3",
					      "dir/x", "/proc/1/cwd/scratch", "nonexistent/x"};
		if (rnd() % 2)
			strcpy(page, names[rnd() % (sizeof names / sizeof *names)]);
		int nr = calls[rnd() % (sizeof calls / sizeof *calls)];
		long a[6];
		for (int k = 0; k < 6; k++) {
			a[k] = arg();
			if (rnd() % 3 == 0) a[k] = fds[rnd() % 4];
		}
		if (nr == SYS_close || nr == SYS_close_range || nr == SYS_dup2 || nr == SYS_dup3) {
			if (a[0] < 5) a[0] = 99;         /* keep stdout and our fds */
			if (nr != SYS_close) a[1] = a[1] < 10 ? 99 : a[1];
			if (nr == SYS_close_range) { a[2] &= 4; if ((unsigned long)a[1] > 150) a[1] = 150; }
		}
		if (nr == SYS_mmap || nr == SYS_mremap || nr == SYS_madvise || nr == SYS_msync) {
			if (a[0] == (long)page || (a[0] & ~4095L) == (long)page) a[0] = 0x10000;
			a[0] &= 0xfffffff;               /* not over the program itself */
			a[1] &= 0xffff;
			if (nr == SYS_mremap) a[4] &= 0xfffffff;
		}
		if (nr == SYS_fcntl && (a[1] == 7 || a[1] == 38 || a[1] == 14))
			a[1] = 6;                        /* no waiting for locks */
		if (nr == SYS_flock)
			a[1] |= 4;                       /* LOCK_NB */
		if (nr == SYS_read || nr == SYS_readv || nr == SYS_splice || nr == SYS_sendfile ||
		    nr == SYS_copy_file_range)
			if (a[0] == 0) a[0] = fds[0];    /* never read the console */
		if (nr == SYS_umount2)
			a[0] = (long)"/scratch/nothing";
		if (argc > 3)
			dprintf(out, "%ld: %d(%lx, %lx, %lx, %lx, %lx, %lx)\n", i, nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		/* the program must keep its page and stdout */
		if (fcntl(1, F_GETFD) < 0 || fcntl(2, F_GETFD) < 0) {
			int fd = open("/dev/null", O_RDWR);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2) close(fd);
		}
		mkdir("/scratch", 0777);
		if (chdir("/scratch") < 0) chdir("/");
	}
	dprintf(out, "survived %ld calls\n", n);
	return 0;
}
