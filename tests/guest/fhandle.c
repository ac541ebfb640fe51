/* fhandle: name_to_handle_at and open_by_handle_at on tmpfs, compared
 * with the host kernel (DIR: /dev/shm natively). */
#define _GNU_SOURCE
#include "procs.h"
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static void *volatile bad = (void *)8;

int main(int argc, char **argv)
{
	char dir[256];
	if (argc < 2)
		return 2;
	if (access("/proc/self", R_OK)) {        /* pyuml's initramfs */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	test_as_child();
	mkdir(argv[1], 01777);
	snprintf(dir, sizeof dir, "%s/fh-%d", argv[1], getpid());
	mkdir(dir, 0755);
	chdir(dir);
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	write(fd, "content", 7);
	mkdir("d", 0755);
	symlink("f", "l");
	int mnt;
	struct file_handle *fh = malloc(sizeof *fh + 128);
	fh->handle_bytes = 0;
	SHOW(name_to_handle_at(AT_FDCWD, "f", fh, &mnt, 0));
	printf("needed %u type %d\n", fh->handle_bytes, fh->handle_type);
	SHOW(name_to_handle_at(AT_FDCWD, "f", fh, &mnt, 0));
	printf("type %d bytes %u\n", fh->handle_type, fh->handle_bytes);
	int o = open_by_handle_at(AT_FDCWD, fh, O_RDONLY);
	char buf[16] = { 0 };
	printf("open_by_handle_at: %s '%s'\n", o >= 0 ? "ok" : strerror(errno),
	       o >= 0 && read(o, buf, 15) > 0 ? buf : "");
	struct stat a, b;
	fstat(o, &a);
	stat("f", &b);
	printf("same inode %d\n", a.st_ino == b.st_ino);
	close(o);
	fh->handle_bytes = 128;
	SHOW(name_to_handle_at(AT_FDCWD, "l", fh, &mnt, 0));
	SHOW(open_by_handle_at(AT_FDCWD, fh, O_RDONLY));
	SHOW(open_by_handle_at(AT_FDCWD, fh, O_PATH) >= 0);
	fflush(stdout);
	if (fork() == 0) {	/* root without CAP_DAC_READ_SEARCH in its effective set */
		struct { unsigned version; int pid; } h = {0x20080522, 0};
		struct { unsigned eff, perm, inh; } caps[2];
		syscall(SYS_capget, &h, caps);
		caps[0].eff &= ~(1u << 2);
		SHOW(syscall(SYS_capset, &h, caps));
		SHOW(open_by_handle_at(AT_FDCWD, fh, O_RDONLY));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	fh->handle_bytes = 128;
	SHOW(name_to_handle_at(AT_FDCWD, "l", fh, &mnt, AT_SYMLINK_FOLLOW));
	fh->handle_bytes = 128;
	SHOW(name_to_handle_at(AT_FDCWD, "d", fh, &mnt, 0));
	o = open_by_handle_at(AT_FDCWD, fh, O_RDONLY | O_DIRECTORY);
	printf("dir by handle: %s\n", o >= 0 ? "ok" : strerror(errno));
	fh->handle_bytes = 128;
	SHOW(name_to_handle_at(fd, "", fh, &mnt, AT_EMPTY_PATH));
	fh->handle_bytes = 129;
	SHOW(name_to_handle_at(AT_FDCWD, "f", fh, &mnt, 0));
	fh->handle_bytes = 128;
	SHOW(name_to_handle_at(AT_FDCWD, "f", fh, &mnt, 0x8000));
	SHOW(name_to_handle_at(AT_FDCWD, "f", bad, &mnt, 0));
	SHOW(name_to_handle_at(AT_FDCWD, "f", fh, bad, 0));
	SHOW(name_to_handle_at(AT_FDCWD, "missing", fh, &mnt, 0));
	SHOW(name_to_handle_at(-1, "f", fh, &mnt, 0));
	SHOW(name_to_handle_at(AT_FDCWD, "/proc/self/status", fh, &mnt, 0));
	fh->handle_bytes = 128;
	SHOW(name_to_handle_at(AT_FDCWD, "f", fh, &mnt, 0x200 | 2));
	fh->handle_bytes = 128;
	SHOW(name_to_handle_at(AT_FDCWD, "f", fh, &mnt, 0));
	/* AT_HANDLE_MNT_ID_UNIQUE: the 64-bit id statx gives for STATX_MNT_ID_UNIQUE */
	unsigned long long umnt = 0, sx_id = 0;
	unsigned char sx[256] = { 0 };
	fh->handle_bytes = 128;
	SHOW(name_to_handle_at(AT_FDCWD, "f", fh, (int *)&umnt, 1));
	syscall(SYS_statx, AT_FDCWD, "f", 0, 0x4000, sx);
	memcpy(&sx_id, sx + 0x90, 8);
	printf("unique mount id as statx's %d, not the old one %d\n", umnt == sx_id,
	       umnt != (unsigned long long)mnt);
	fh->handle_bytes = 128;
	SHOW(name_to_handle_at(AT_FDCWD, "f", fh, &mnt, 1 | 0x200));
	/* gone: ESTALE */
	unlink("f");
	close(fd);
	SHOW(open_by_handle_at(AT_FDCWD, fh, O_RDONLY));
	fh->handle_bytes = 0;
	SHOW(open_by_handle_at(AT_FDCWD, fh, O_RDONLY));
	fh->handle_bytes = 200;
	SHOW(open_by_handle_at(AT_FDCWD, fh, O_RDONLY));
	SHOW(open_by_handle_at(-1, fh, O_RDONLY));
	SHOW(open_by_handle_at(AT_FDCWD, bad, O_RDONLY));
	fflush(stdout);
	if (fork() == 0) {
		setuid(65534);
		fh->handle_bytes = 12;
		SHOW(open_by_handle_at(AT_FDCWD, fh, O_RDONLY));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	unlink("l");
	rmdir("d");
	chdir("/");
	rmdir(dir);
	return 0;
}
