/* statustest: what /proc/self/status says about this process (lab procstatus).
 *
 * statustest MODE prints lines of its own status file next to what the
 * process knows of itself, the same natively and under pyuml; under pyuml
 * it also asks /dev/kstate for the kernel's view (labs/kstate.h), which the
 * grader compares with the file.
 *
 *   ids      Name, Umask, State; Pid, Tgid, PPid, Uid, Gid against the calls
 *   signals  blocked, ignored and caught signals, one pending for the thread
 *            and one for the process: SigPnd ShdPnd SigBlk SigIgn SigCgt
 *   threads  four threads, each blocking its own signal: Threads, and each
 *            /proc/self/task/TID/status's Pid, Tgid and SigBlk
 *   rss      VmRSS as 100 pages of a fresh mapping are touched and unmapped
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "kstate.h"

static char buf[8192];

/* The status file of the thread tid (0: the process), read in one go into
 * buf, which is touched beforehand so that reading it faults nothing in. */
static const char *status(pid_t tid)
{
	char path[64];
	int fd, n;

	if (tid)
		snprintf(path, sizeof path, "/proc/self/task/%d/status", tid);
	else
		snprintf(path, sizeof path, "/proc/self/status");
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

/* The value of field KEY in a status text, or "(missing)". */
static const char *field(const char *text, const char *key)
{
	static char val[256];
	size_t k = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, k) && p[k] == ':') {
			p += k + 1;
			while (*p == '\t' || *p == ' ')
				p++;
			size_t n = strcspn(p, "\n");
			if (n >= sizeof val)
				n = sizeof val - 1;
			memcpy(val, p, n);
			val[n] = 0;
			return val;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return "(missing)";
}

static long field_num(const char *text, const char *key)
{
	return strtol(field(text, key), NULL, 10);
}

static void show(const char *text, const char *key)
{
	printf("%s: %s\n", key, field(text, key));
}

static int ids(void)
{
	umask(027);
	const char *s = status(0);
	show(s, "Name");
	show(s, "Umask");
	show(s, "State");
	printf("Pid is getpid: %d\n", field_num(s, "Pid") == getpid());
	printf("Tgid is getpid: %d\n", field_num(s, "Tgid") == getpid());
	printf("PPid is getppid: %d\n", field_num(s, "PPid") == getppid());
	char want[128];
	snprintf(want, sizeof want, "%d\t%d\t%d\t%d", getuid(), geteuid(), geteuid(), geteuid());
	printf("Uid is the ids: %d\n", !strcmp(field(s, "Uid"), want));
	snprintf(want, sizeof want, "%d\t%d\t%d\t%d", getgid(), getegid(), getegid(), getegid());
	printf("Gid is the ids: %d\n", !strcmp(field(s, "Gid"), want));
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
}

static int signals(void)
{
	sigset_t set;
	struct sigaction sa;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, 40);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGWINCH, SIG_IGN);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(50, &sa, NULL);
	raise(SIGUSR1);                 /* for this thread: SigPnd */
	kill(getpid(), 40);             /* for the process: ShdPnd */
	kill(getpid(), SIGHUP);
	kstate("@signals task self");
	const char *s = status(0);
	show(s, "SigPnd");
	show(s, "ShdPnd");
	show(s, "SigBlk");
	show(s, "SigIgn");
	show(s, "SigCgt");
	return 0;
}

#define NTHREADS 3
static pthread_barrier_t ready, done;
static pid_t tids[NTHREADS];

static void *thread(void *arg)
{
	int i = (int)(long)arg;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, 41 + i);        /* each thread its own signal */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	tids[i] = syscall(SYS_gettid);
	pthread_barrier_wait(&ready);
	pthread_barrier_wait(&done);
	return NULL;
}

static int threads(void)
{
	pthread_t th[NTHREADS];

	pthread_barrier_init(&ready, NULL, NTHREADS + 1);
	pthread_barrier_init(&done, NULL, NTHREADS + 1);
	for (long i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, thread, (void *)i);
	pthread_barrier_wait(&ready);
	printf("process: Threads: %s\n", field(status(0), "Threads"));
	for (int i = 0; i < NTHREADS; i++) {
		kstate("@thread-%d task %d", i, tids[i]);
		const char *s = status(tids[i]);
		int pid_ok = field_num(s, "Pid") == tids[i];
		int tgid_ok = field_num(s, "Tgid") == getpid();
		printf("thread %d: Pid is its tid: %d, Tgid is getpid: %d, Threads: %s\n", i,
		       pid_ok, tgid_ok, field(s, "Threads"));
		printf("thread %d: SigBlk: %s\n", i, field(s, "SigBlk"));
	}
	pthread_barrier_wait(&done);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	printf("after the joins: Threads: %s\n", field(status(0), "Threads"));
	return 0;
}

#define NPAGES 256
#define TOUCH 100

static int rss(void)
{
	char *p = mmap(NULL, NPAGES * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memset(buf, 1, sizeof buf);
	kstate("@warm-up mem");         /* every path below has run once */
	long before = field_num(status(0), "VmRSS");
	kstate("@rss-before task self");
	before = field_num(status(0), "VmRSS");
	for (int i = 0; i < TOUCH; i++)
		p[i * 4096] = 1;
	kstate("@rss-touched task self");
	long touched = field_num(status(0), "VmRSS");
	munmap(p, NPAGES * 4096);
	kstate("@rss-unmapped task self");
	long unmapped = field_num(status(0), "VmRSS");
	printf("VmRSS before is some kB: %d\n", before > 0);
	printf("VmRSS after touching %d pages: grew by %ld kB\n", TOUCH, touched - before);
	printf("VmRSS after munmap: %ld kB below that\n", touched - unmapped);
	printf("raw: VmRSS %ld %ld %ld kB\n", before, touched, unmapped);
	return 0;
}

/* Ignored signals and the blocked mask are inherited across execve: a
 * grader started from a background job (SIGINT, SIGQUIT ignored) would see
 * other masks natively than in the guest.  Reset every signal with the raw
 * calls, which reach the ones the C libraries keep for themselves too. */
static void reset_signals(void)
{
	struct { unsigned long handler, flags, restorer, mask; } dfl = {0, 0, 0, 0};
	unsigned long none = 0;

	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, 8);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	reset_signals();
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(mode, "ids"))
		return ids();
	if (!strcmp(mode, "signals"))
		return signals();
	if (!strcmp(mode, "threads"))
		return threads();
	if (!strcmp(mode, "rss"))
		return rss();
	fprintf(stderr, "usage: statustest ids|signals|threads|rss\n");
	return 2;
}
