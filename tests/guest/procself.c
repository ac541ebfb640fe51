/* procself: what /proc says about the reading process, checked against
 * what the process knows about itself, printed so that the host kernel
 * and pyuml give the same lines.  Mounts /proc first if it is missing. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sched.h>
#include <unistd.h>

static char buf[65536];

static int slurp(const char *p)
{
	int fd = open(p, O_RDONLY);
	if (fd < 0) return -errno;
	int n = 0, r;
	while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += r;
	close(fd);
	buf[n] = 0;
	return n;
}

static const char *field(const char *text, const char *key)
{
	static char vals[4][256];
	static int next;
	char *val = vals[next++ & 3];
	const char *p = strstr(text, key);
	if (!p) return "(missing)";
	p += strlen(key);
	while (*p == ' ' || *p == '\t') p++;
	int i = 0;
	while (*p && *p != '\n' && i < 255) val[i++] = *p++;
	val[i] = 0;
	return val;
}

static void on_term(int s) { (void)s; }

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (access("/proc/self", F_OK) < 0) {
		mkdir("/proc", 0555);
		if (mount("proc", "/proc", "proc", 0, NULL) < 0) { perror("mount"); return 1; }
	}
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	char real[PATH_MAX], link[PATH_MAX];
	realpath(execfn, real);
	const char *base = strrchr(execfn, '/') ? strrchr(execfn, '/') + 1 : execfn;

	/* cmdline and environ */
	int n = slurp("/proc/self/cmdline");
	printf("cmdline:");
	for (int i = 0; i < n; i += strlen(buf + i) + 1) printf(" [%s]", buf + i);
	printf("\n");
	n = slurp("/proc/self/environ");
	int envs = 0, match = 1;
	for (int i = 0; i < n; i += strlen(buf + i) + 1, envs++)
		if (!environ[envs] || strcmp(environ[envs], buf + i)) match = 0;
	printf("environ: %d entries, same as environ %d\n", envs, match && !environ[envs]);

	/* magic links */
	n = readlink("/proc/self/exe", link, sizeof link); link[n > 0 ? n : 0] = 0;
	printf("exe is the program: %d\n", !strcmp(link, real));
	n = readlink("/proc/self/cwd", link, sizeof link); link[n > 0 ? n : 0] = 0;
	getcwd(real, sizeof real);
	printf("cwd is getcwd: %d (%s)\n", !strcmp(link, real), link);
	chdir("/proc/self/cwd/");
	mkdir("/tmp", 01777);
	int fd = open("/tmp/procself-file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	write(fd, "data", 4);
	snprintf(real, sizeof real, "/proc/self/fd/%d", fd);
	n = readlink(real, link, sizeof link); link[n > 0 ? n : 0] = 0;
	printf("fd link: %s\n", link);
	unlink("/tmp/procself-file");
	n = readlink(real, link, sizeof link); link[n > 0 ? n : 0] = 0;
	printf("fd link after unlink: %s\n", link);
	int again = open(real, O_RDONLY);
	n = read(again, link, 10);
	printf("reopened through the link: %.*s\n", n > 0 ? n : 0, link);
	close(again);
	close(fd);
	DIR *d = opendir("/proc/self/fd");
	int fds = 0;
	struct dirent *e;
	while ((e = readdir(d))) if (e->d_name[0] != '.') fds++;
	closedir(d);
	printf("fds open while listing: %d\n", fds);

	/* signals in status */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGTERM, on_term);

	/* stat */
	slurp("/proc/self/stat");
	int pid, ppid, pgrp, sid, threads;
	char comm[64], state;
	unsigned long vsize, startcode, endcode, startstack;
	long rss;
	char *close_paren = strrchr(buf, ')');
	sscanf(buf, "%d (%63[^)])", &pid, comm);
	char *tok[64];
	int ntok = 0;
	for (char *p = strtok(close_paren + 2, " \n"); p && ntok < 64; p = strtok(NULL, " \n"))
		tok[ntok++] = p;
	/* tok[0] is field 3 (state) */
	state = tok[0][0];
	ppid = atoi(tok[1]);
	pgrp = atoi(tok[2]);
	sid = atoi(tok[3]);
	threads = atoi(tok[17]);
	vsize = strtoul(tok[20], NULL, 10);
	rss = strtol(tok[21], NULL, 10);
	startcode = strtoul(tok[23], NULL, 10);
	endcode = strtoul(tok[24], NULL, 10);
	startstack = strtoul(tok[25], NULL, 10);
	(void)pgrp; (void)sid;
	int fields = ntok + 2;
	printf("stat: %d fields, pid %d comm %d state %c ppid %d threads %d\n",
	       fields, pid == getpid(), !strncmp(comm, base, 15), state, ppid == getppid(),
	       threads);
	printf("stat: vsize %d rss %d code %d stack %d\n", vsize > 0, rss >= 0,
	       startcode <= (unsigned long)main && (unsigned long)main < endcode,
	       /* as a difference: a 32-bit stack may sit within 1 MiB of 4 GiB */
	       (long)(startstack - (unsigned long)&n) > -(1L << 20) &&
	       (long)(startstack - (unsigned long)&n) < (1L << 20));

	/* status */
	slurp("/proc/self/status");
	printf("status: Name %d State %s\n", !strncmp(field(buf, "Name:"), base, 15), field(buf, "State:"));
	printf("status: Pid %d PPid %d Tgid %d\n", atoi(field(buf, "\nPid:")) == getpid(),
	       atoi(field(buf, "PPid:")) == getppid(), atoi(field(buf, "Tgid:")) == getpid());
	printf("status: Uid %s | Gid %s | Threads %s | Umask %s\n", field(buf, "Uid:"),
	       field(buf, "Gid:"), field(buf, "Threads:"), field(buf, "Umask:"));
	/* ignored and blocked signals are inherited: look at ours only */
	printf("status: SigBlk %llx SigIgn %llx SigCgt %llx\n",
	       strtoull(field(buf, "SigBlk:"), NULL, 16) & 0x4a00,
	       strtoull(field(buf, "SigIgn:"), NULL, 16) & 0x4a00,
	       strtoull(field(buf, "SigCgt:"), NULL, 16) & 0x4a00);
	printf("status: VmRSS present %d VmSize present %d\n", strstr(buf, "VmRSS:") != NULL,
	       strstr(buf, "VmSize:") != NULL);

	/* statm, maps */
	slurp("/proc/self/statm");
	long sz, res;
	printf("statm: %d numbers\n", sscanf(buf, "%ld %ld %*d %*d %*d %*d %*d", &sz, &res) == 2);
	slurp("/proc/self/maps");
	int code_line = 0, stack_line = 0, lines = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long lo, hi;
		char perms[8], path[512] = "";
		sscanf(line, "%lx-%lx %7s %*s %*s %*s %511s", &lo, &hi, perms, path);
		lines++;
		if (lo <= (unsigned long)main && (unsigned long)main < hi)
			code_line = !strcmp(perms, "r-xp") && !strcmp(path, link) ? 1 : 2;
		if (lo <= (unsigned long)&n && (unsigned long)&n < hi)
			stack_line = !strcmp(path, "[stack]");
	}
	n = readlink("/proc/self/exe", link, sizeof link);
	printf("maps: code line %d stack line %d\n", code_line, stack_line);

	/* threads directory, other processes */
	snprintf(real, sizeof real, "/proc/self/task/%d/stat", getpid());
	printf("task dir: %d\n", access(real, R_OK) == 0);
	printf("self is pid: %d\n", readlink("/proc/self", link, sizeof link) > 0 && atoi(link) == getpid());
	pid_t child = fork();
	if (child == 0) { sleep(100); _exit(0); }
	snprintf(real, sizeof real, "/proc/%d/stat", child);
	for (int i = 0; i < 10000; i++) {          /* until it sleeps: 10 s at most */
		slurp(real);
		if (strstr(buf, ") S ")) break;
		usleep(1000);
	}
	printf("child: %s\n", strstr(buf, ") S ") ? "sleeping" : buf);
	snprintf(real, sizeof real, "/proc/%d/cmdline", child);
	n = slurp(real);
	printf("child cmdline: %s\n", buf);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	printf("reaped child gone: %d\n", slurp(real) == -ENOENT);
	printf("missing pid: %d\n", slurp("/proc/999999/stat"));

	/* machine-wide files */
	printf("meminfo: %d\n", slurp("/proc/meminfo") > 0 && strstr(buf, "MemTotal:") && strstr(buf, "MemFree:"));
	double up, idle;
	slurp("/proc/uptime");
	printf("uptime: %d\n", sscanf(buf, "%lf %lf", &up, &idle) == 2 && up > 0);
	slurp("/proc/loadavg");
	int running, total;
	printf("loadavg: %d\n", sscanf(buf, "%*f %*f %*f %d/%d", &running, &total) == 2 && total >= 1);
	printf("cpuinfo: %d\n", slurp("/proc/cpuinfo") > 0 && strstr(buf, "processor") != NULL);
	printf("filesystems: %d\n", slurp("/proc/filesystems") > 0 && strstr(buf, "\tproc\n") && strstr(buf, "\ttmpfs\n"));
	slurp("/proc/self/mounts");
	char *m = strstr(buf, " /proc proc ");
	printf("mounts: %d\n", m != NULL);
	printf("stat: %d\n", slurp("/proc/stat") > 0 && !strncmp(buf, "cpu ", 4) && strstr(buf, "btime"));
	printf("write to stat: %d\n", open("/proc/self/stat", O_WRONLY) < 0 ? errno : 0);
	printf("create in /proc: %d\n", open("/proc/newfile", O_CREAT | O_WRONLY, 0600) < 0 ? errno : 0);
	return 0;
}
