/* memfd: memfd_create and file seals.  The file's name in /proc (fd links
 * and maps), read/write/ftruncate/mmap on it, a parent and a forked child
 * sharing it through the descriptor and through MAP_SHARED, the errors of
 * memfd_create, and every seal: what it forbids (EPERM), F_SEAL_WRITE
 * refused while a shared writable mapping exists (EBUSY), F_SEAL_SEAL,
 * F_SEAL_FUTURE_WRITE, F_SEAL_EXEC.  One result per line; compared with
 * the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif
#define MFD_CLOEXEC_ 0x1
#define MFD_ALLOW_SEALING_ 0x2
#define MFD_NOEXEC_SEAL_ 0x8
#define MFD_EXEC_ 0x10
#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 1
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 2
#endif

#define PG 4096
#define T(expr) do { errno = 0; long _r = (long)(expr); \
	if (_r < 0) printf("%s = -1 %s\n", #expr, strerror(errno)); \
	else printf("%s = %ld\n", #expr, _r); } while (0)
#define TX(expr) do { errno = 0; long _r = (long)(expr); \
	if (_r < 0) printf("%s = -1 %s\n", #expr, strerror(errno)); \
	else printf("%s = %#lx\n", #expr, _r); } while (0)
#define TP(expr) do { errno = 0; void *_p = (expr); \
	if (_p == MAP_FAILED) printf("%s = MAP_FAILED %s\n", #expr, strerror(errno)); \
	else printf("%s = ok\n", #expr); } while (0)

static int memfd(const char *name, unsigned flags)
{
	return syscall(SYS_memfd_create, name, flags);
}

static void show_link(int fd)
{
	char p[64], l[512];
	snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(p, l, sizeof l - 1);
	if (n < 0) { printf("readlink: %s\n", strerror(errno)); return; }
	l[n] = 0;
	printf("fd link: %s\n", l);
}

/* the perms and the name of the maps line for addr */
static void show_map(void *addr)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f) { printf("maps: %s\n", strerror(errno)); return; }
	while (fgets(line, sizeof line, f)) {
		unsigned long s, e;
		char perms[8];
		int name = 0;
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &s, &e, perms, &name) < 3)
			continue;
		if (s != (unsigned long)addr)
			continue;
		line[strcspn(line, "\n")] = 0;
		printf("map: %s %lu pages '%s'\n", perms, (e - s) / PG, name ? line + name : "");
	}
	fclose(f);
}

static char rd(int fd, off_t off)
{
	char c = '?';
	pread(fd, &c, 1, off);
	return c;
}

static void errors(void)
{
	char name[300];
	T(memfd("x", 0x100));
	T(memfd("x", MFD_EXEC_ | MFD_NOEXEC_SEAL_));
	T(memfd((char *)1, 0));
	memset(name, 'n', sizeof name);
	name[249] = 0;
	int fd = memfd(name, 0);
	printf("249-byte name: %s\n", fd >= 0 ? "ok" : strerror(errno));
	close(fd);
	name[249] = 'n';
	name[250] = 0;
	T(memfd(name, 0));
	T(fcntl(0 + 100, F_GET_SEALS));
	int p[2];
	pipe(p);
	T(fcntl(p[0], F_GET_SEALS));
	T(fcntl(p[1], F_ADD_SEALS, F_SEAL_WRITE));
	close(p[0]);
	close(p[1]);
}

static void basics(void)
{
	struct stat st;
	char buf[16] = {0};
	int fd = memfd("test", MFD_CLOEXEC_ | MFD_ALLOW_SEALING_);
	printf("memfd: %s\n", fd >= 0 ? "ok" : strerror(errno));
	T(fcntl(fd, F_GETFD));
	TX(fcntl(fd, F_GETFL));
	fstat(fd, &st);
	printf("fstat: reg %d mode %o nlink %ld size %ld uid %d\n", S_ISREG(st.st_mode),
	       st.st_mode & 07777, (long)st.st_nlink, (long)st.st_size, (int)st.st_uid);
	show_link(fd);
	T(write(fd, "hello", 5));
	T(lseek(fd, 0, SEEK_CUR));
	T(pread(fd, buf, sizeof buf, 1));
	printf("read back: %s\n", buf);
	T(ftruncate(fd, 3 * PG));
	fstat(fd, &st);
	printf("size %ld blocks %ld\n", (long)st.st_size, (long)st.st_blocks);
	T(fcntl(fd, F_GET_SEALS));

	char *m = mmap(0, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	printf("mmap shared: %s\n", m != MAP_FAILED ? "ok" : strerror(errno));
	show_map(m);
	printf("map sees: %.5s\n", m);
	m[PG] = 'M';
	printf("pread sees store: %c\n", rd(fd, PG));

	/* a forked child shares both the descriptor and the mapping */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child sees %c, seals %d\n", m[PG], fcntl(fd, F_GET_SEALS));
		pwrite(fd, "C", 1, 2 * PG);
		m[0] = 'c';
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("parent: map %c file %c\n", m[2 * PG], rd(fd, 0));

	/* reopened through /proc: the same file, another open */
	char p[64];
	snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
	int ro = open(p, O_RDONLY);
	printf("reopen: %s, reads %c\n", ro >= 0 ? "ok" : strerror(errno), rd(ro, 2 * PG));
	T(fcntl(ro, F_ADD_SEALS, F_SEAL_GROW));
	T(write(ro, "x", 1));

	/* F_SEAL_WRITE: not while anything maps it shared and writable */
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	munmap(m, 3 * PG);
	m = mmap(0, PG, PROT_READ, MAP_SHARED, fd, 0);
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));        /* mprotect could make it writable */
	munmap(m, PG);
	char *priv = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	T(fcntl(fd, F_GET_SEALS));
	T(write(fd, "x", 1));
	T(pwrite(fd, "x", 1, 0));
	{
		int src = memfd("src", 0);
		write(src, "abc", 3);
		off_t o = 0;
		T(sendfile(fd, src, &o, 3));
		loff_t lo = 0;
		T(copy_file_range(src, &lo, fd, NULL, 3, 0));
		struct iovec iov = { "v", 1 };
		T(writev(fd, &iov, 1));
		close(src);
	}
	T(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, PG));
	priv[0] = 'P';
	printf("private copy %c, file %c\n", priv[0], rd(fd, 0));
	TP(mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	m = mmap(0, PG, PROT_READ, MAP_SHARED, fd, 0);
	printf("read-only shared map: %s, sees %c\n", m != MAP_FAILED ? "ok" : strerror(errno), m[0]);
	T(mprotect(m, PG, PROT_READ | PROT_WRITE));
	show_map(m);
	/* growing and shrinking are still allowed */
	T(ftruncate(fd, 4 * PG));
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW));
	T(ftruncate(fd, PG));
	T(ftruncate(fd, 8 * PG));
	T(ftruncate(fd, 4 * PG));
	T(fallocate(fd, 0, 0, 8 * PG));
	T(fcntl(fd, F_GET_SEALS));
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	T(fcntl(fd, F_ADD_SEALS, 0));
	T(fcntl(fd, F_GET_SEALS));
	close(ro);
	close(fd);
	printf("mapping outlives the fd: %c\n", m[0]);
	munmap(m, PG);
	munmap(priv, PG);
}

static void more_seals(void)
{
	struct stat st;
	/* no MFD_ALLOW_SEALING: sealed shut from the start */
	int fd = memfd("plain", 0);
	T(fcntl(fd, F_GET_SEALS));
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	T(fcntl(fd, F_GETFD));
	close(fd);

	fd = memfd("s", MFD_ALLOW_SEALING_);
	T(fcntl(fd, F_ADD_SEALS, 0x1000));
	/* F_SEAL_GROW: a write stops at the first page step that would grow */
	T(ftruncate(fd, PG + 10));
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	static char big[2 * PG];
	memset(big, 'g', sizeof big);
	T(pwrite(fd, big, 20, PG + 5));
	T(pwrite(fd, big, 2 * PG, 0));
	T(pwrite(fd, big, 10, PG));
	T(lseek(fd, 0, SEEK_END));
	T(write(fd, big, 1));
	T(fallocate(fd, 0, 0, 4 * PG));
	T(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, PG));
	close(fd);

	/* F_SEAL_FUTURE_WRITE spares the writable mappings already there */
	fd = memfd("future", MFD_ALLOW_SEALING_);
	ftruncate(fd, PG);
	char *m = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
	m[1] = 'F';
	printf("old mapping still writes: %c\n", rd(fd, 1));
	T(write(fd, "x", 1));
	TP(mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	munmap(m, PG);
	close(fd);

	/* F_SEAL_EXEC: on an executable memfd it seals writing too */
	fd = memfd("exec", MFD_ALLOW_SEALING_ | MFD_EXEC_);
	fstat(fd, &st);
	printf("exec memfd mode %o\n", st.st_mode & 07777);
	T(fchmod(fd, 0755));
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_EXEC));
	T(fcntl(fd, F_GET_SEALS));
	T(fchmod(fd, 0644));
	T(fchmod(fd, 0711));
	T(write(fd, "x", 1));
	close(fd);

	fd = memfd("noexec", MFD_NOEXEC_SEAL_);
	fstat(fd, &st);
	printf("noexec memfd mode %o\n", st.st_mode & 07777);
	T(fcntl(fd, F_GET_SEALS));
	T(fchmod(fd, 0755));
	T(fchmod(fd, 0600));
	T(write(fd, "ok", 2));
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	T(fcntl(fd, F_GET_SEALS));
	close(fd);
}

/* a program run from memory: this one, copied into a memfd */
static void exec_from_memfd(void)
{
	static char buf[1 << 16];
	int exe = open("/proc/self/exe", O_RDONLY);
	int fd = memfd("exe", MFD_CLOEXEC_ | MFD_EXEC_);
	int nx = memfd("noexec", MFD_NOEXEC_SEAL_);
	ssize_t n;
	while ((n = read(exe, buf, sizeof buf)) > 0) {
		write(fd, buf, n);
		write(nx, buf, n);
	}
	close(exe);
	char *argv[] = { "from-memfd", "exec-child", NULL };
	char *envp[] = { NULL };
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		syscall(SYS_execveat, nx, "", argv, envp, AT_EMPTY_PATH);
		printf("execveat of a MFD_NOEXEC_SEAL memfd: %s\n", strerror(errno));
		syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
		printf("execveat: %s\n", strerror(errno));
		_exit(1);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("exec'd memfd exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	close(fd);
	close(nx);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && strcmp(argv[1], "exec-child") == 0) {
		char l[256];
		ssize_t n = readlink("/proc/self/exe", l, sizeof l - 1);
		l[n > 0 ? n : 0] = 0;
		printf("running from memory as %s: exe %s\n", argv[0], l);
		return 7;
	}
	if (access("/proc/self", F_OK) < 0) {
		mkdir("/proc", 0555);
		if (mount("proc", "/proc", "proc", 0, NULL) < 0) { perror("mount"); return 1; }
	}
	errors();
	basics();
	more_seals();
	exec_from_memfd();
	printf("done\n");
	return 0;
}
