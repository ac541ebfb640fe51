/* fsetown: which owners F_SETOWN and F_SETOWN_EX take.  Linux asks only
 * that the number names a pid it knows (find_vpid): a thread that is not
 * its group's leader, a zombie not yet reaped, a process id given as a
 * process group; ESRCH once nothing has it.  F_GETOWN says 0 while no
 * task of the owner's kind has the number (pid_task). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int fd;
static pid_t tid;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int done;

static void show(const char *what, int r)
{
	printf("%s -> %s\n", what, r < 0 ? strerror(errno) : "0");
}

static void getown(pid_t who)
{
	int r = fcntl(fd, F_GETOWN);
	printf("  F_GETOWN: %s\n", r == who ? "that one" : r == 0 ? "0" : "another");
}

static void setown_ex(const char *what, int type, pid_t pid)
{
	struct f_owner_ex o = { .type = type, .pid = pid };
	show(what, fcntl(fd, F_SETOWN_EX, &o));
}

static void *thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	tid = syscall(SYS_gettid);
	pthread_cond_broadcast(&c);
	while (!done)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	return NULL;
}

int main(void)
{
	int p[2];
	pipe(p);
	fd = p[0];

	pthread_t th;
	pthread_create(&th, NULL, thread, NULL);
	pthread_mutex_lock(&m);
	while (!tid)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	show("F_SETOWN a thread's tid", fcntl(fd, F_SETOWN, tid));
	getown(tid);
	setown_ex("F_SETOWN_EX TID of the thread", F_OWNER_TID, tid);
	getown(tid);
	setown_ex("F_SETOWN_EX PID of the thread's tid", F_OWNER_PID, tid);
	pthread_mutex_lock(&m);
	done = 1;
	pthread_cond_broadcast(&c);
	pthread_mutex_unlock(&m);
	pthread_join(th, NULL);

	pid_t z = fork();
	if (z == 0)
		_exit(0);
	siginfo_t si;
	waitid(P_PID, z, &si, WEXITED | WNOWAIT);      /* a zombie now */
	show("F_SETOWN a zombie", fcntl(fd, F_SETOWN, z));
	getown(z);
	setown_ex("F_SETOWN_EX PID of a zombie", F_OWNER_PID, z);
	waitpid(z, NULL, 0);
	getown(z);
	show("F_SETOWN it reaped", fcntl(fd, F_SETOWN, z));
	setown_ex("F_SETOWN_EX PGRP of it reaped", F_OWNER_PGRP, z);

	show("F_SETOWN -getpid()", fcntl(fd, F_SETOWN, -getpid()));
	getown(getpgrp() == getpid() ? -getpid() : 0);
	show("F_SETOWN 0", fcntl(fd, F_SETOWN, 0));
	printf("done\n");
	return 0;
}
