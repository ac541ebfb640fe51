/* sysctl: /proc/sys read and written, and each write taking effect where
 * the kernel uses the value: uname's nodename, the core file's name, the
 * pipe size a user may ask for, the overcommit policy, inotify's instance
 * limit.  Needs /proc mounted (it mounts it) and /tmp. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static char buf[4096];

/* errno names: musl's and glibc's strerror texts differ */
static const char *en(int e)
{
	static char other[16];
	switch (e) {
	case ENOMEM: return "ENOMEM";
	case EMFILE: return "EMFILE";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	}
	snprintf(other, sizeof other, "errno %d", e);
	return other;
}

static const char *get(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		snprintf(buf, sizeof buf, "open: %s", en(errno));
		return buf;
	}
	long n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = 0;
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return buf;
}

static const char *put(const char *path, const char *val)
{
	static char res[128];
	int fd = open(path, O_WRONLY);
	if (fd < 0) {
		snprintf(res, sizeof res, "open %s", en(errno));
		return res;
	}
	long n = write(fd, val, strlen(val));
	snprintf(res, sizeof res, "%s", n < 0 ? en(errno) : "ok");
	close(fd);
	return res;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);

	static const char *show[] = { "kernel/ostype", "kernel/ngroups_max", "kernel/cap_last_cap",
		"kernel/overflowuid", "kernel/core_pattern", "kernel/core_uses_pid", "kernel/pid_max",
		"kernel/msgmax", "kernel/msgmnb", "kernel/sem", "vm/overcommit_memory",
		"vm/mmap_min_addr", "fs/nr_open", "fs/pipe-max-size",
		"fs/inotify/max_user_instances", "fs/inotify/max_queued_events",
		"net/core/somaxconn" };
	char path[256];
	for (unsigned i = 0; i < sizeof show / sizeof *show; i++) {
		snprintf(path, sizeof path, "/proc/sys/%s", show[i]);
		printf("%s = %s\n", show[i], get(path));
	}
	char id[64];
	strcpy(id, get("/proc/sys/kernel/random/boot_id"));
	printf("boot_id stable %d, 36 chars %d\n",
	       !strcmp(id, get("/proc/sys/kernel/random/boot_id")), (int)strlen(id) == 36);
	strcpy(id, get("/proc/sys/kernel/random/uuid"));
	printf("uuid changes %d\n", strcmp(id, get("/proc/sys/kernel/random/uuid")) != 0);

	/* writes that take effect */
	struct utsname u;
	printf("hostname := guest-7: %s\n", put("/proc/sys/kernel/hostname", "guest-7\n"));
	uname(&u);
	printf("uname nodename %s, file %s\n", u.nodename, get("/proc/sys/kernel/hostname"));
	sethostname("via-call", 8);
	printf("after sethostname: %s\n", get("/proc/sys/kernel/hostname"));

	printf("core_pattern := /tmp/dump.%%e.%%s: %s\n",
	       put("/proc/sys/kernel/core_pattern", "/tmp/dump.%e.%s\n"));
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	setrlimit(RLIMIT_CORE, &rl);
	pid_t pid = fork();
	if (pid == 0) {
		abort();
	}
	int st;
	waitpid(pid, &st, 0);
	char comm[64], dump[128];
	strcpy(comm, get("/proc/self/comm"));
	snprintf(dump, sizeof dump, "/tmp/dump.%s.6", comm);
	printf("child core %d, /tmp/dump.COMM.6 exists %d\n", WCOREDUMP(st) ? 1 : 0,
	       access(dump, F_OK) == 0);
	printf("core_pattern := |/bin/false: %s\n", put("/proc/sys/kernel/core_pattern", "|/bin/false"));
	pid = fork();
	if (pid == 0)
		abort();
	waitpid(pid, &st, 0);
	printf("piped pattern: core %d\n", WCOREDUMP(st) ? 1 : 0);
	put("/proc/sys/kernel/core_pattern", "core");

	/* fs.pipe-max-size binds users other than root */
	printf("pipe-max-size := 4096: %s\n", put("/proc/sys/fs/pipe-max-size", "4096"));
	pid = fork();
	if (pid == 0) {
		int p[2];
		pipe(p);
		setuid(1000);
		/* the limit binds growth only: 64 KiB is what a pipe has already */
		long r = fcntl(p[0], F_SETPIPE_SZ, 65536);
		printf("  user asks 64 KiB: %s\n", r < 0 ? en(errno) : "ok");
		r = fcntl(p[0], F_SETPIPE_SZ, 131072);
		printf("  user asks 128 KiB: %s\n", r < 0 ? en(errno) : "ok");
		r = fcntl(p[0], F_SETPIPE_SZ, 8192);
		printf("  user shrinks to 8 KiB: %s\n", r < 0 ? en(errno) : "ok");
		printf("  user writes hostname: %s\n", put("/proc/sys/kernel/hostname", "x"));
		_exit(0);
	}
	waitpid(pid, &st, 0);
	put("/proc/sys/fs/pipe-max-size", "1048576");

	/* vm.overcommit_memory: 1 lets a request bigger than the machine through */
	void *m = mmap(NULL, (size_t)1 << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("1 GiB (the machine has less) with overcommit 0: %s\n", m == MAP_FAILED ? en(errno) : "ok");
	printf("overcommit_memory := 1: %s\n", put("/proc/sys/vm/overcommit_memory", "1"));
	m = mmap(NULL, (size_t)1 << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("1 GiB (the machine has less) with overcommit 1: %s\n", m == MAP_FAILED ? en(errno) : "ok");
	if (m != MAP_FAILED)
		munmap(m, (size_t)1 << 30);
	put("/proc/sys/vm/overcommit_memory", "0");

	/* fs.inotify.max_user_instances */
	printf("max_user_instances := 1: %s\n", put("/proc/sys/fs/inotify/max_user_instances", "1"));
	int a = inotify_init1(0), b = inotify_init1(0);
	printf("two instances: %d %s\n", a >= 0, b < 0 ? en(errno) : "ok");
	close(a);
	put("/proc/sys/fs/inotify/max_user_instances", "128");

	/* what Linux refuses */
	printf("pid_max := 1: %s\n", put("/proc/sys/kernel/pid_max", "1"));
	printf("pid_max := abc: %s\n", put("/proc/sys/kernel/pid_max", "abc"));
	printf("pid_max := 5 6: %s\n", put("/proc/sys/kernel/pid_max", "5 6"));
	printf("overcommit := 3: %s\n", put("/proc/sys/vm/overcommit_memory", "3"));
	printf("ostype (read-only): %s\n", put("/proc/sys/kernel/ostype", "BSD"));
	printf("no such: %s\n", get("/proc/sys/kernel/nosuch"));
	printf("mkdir in /proc/sys: %s\n", mkdir("/proc/sys/x", 0755) ? en(errno) : "ok");
	return 0;
}
