/*
 * tests/guest/sysvipc.c - System V IPC (ipc/), compared with the host kernel.
 *
 *   sysvipc shm     shared memory: attach, fork inheritance, SHM_RND,
 *                   SHM_RDONLY, IPC_RMID while attached, exec detaches
 *   sysvipc sem     semaphores: values, atomic arrays, blocking and waking,
 *                   SEM_UNDO, EINTR, EIDRM, timeouts
 *   sysvipc counter a parent/child counter in shm locked by a semaphore
 *   sysvipc msg     message queues: types, MSG_EXCEPT, E2BIG, MSG_NOERROR,
 *                   blocking both ways on msg_qbytes, EIDRM, EINTR
 *   sysvipc perm    EACCES/EPERM for another user, keys and EEXIST/ENOENT
 *   sysvipc errors  bad arguments and bad pointers
 *   sysvipc direct  (i386) the direct system calls instead of ipc(2)
 *
 * Objects are IPC_PRIVATE (or under a key made from the pid) and removed
 * at the end, so a native run leaves nothing behind.  Nothing printed
 * depends on ids, addresses or times.
 */
#define _GNU_SOURCE
#include "procs.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sched.h>
#include <time.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

#define BAD ((void *)16)

#ifdef __GLIBC__
#define PERM_KEY(p) ((p).__key)
#else
#define PERM_KEY(p) ((p).__ipc_perm_key)
#endif

/* 32-bit glibc converts the *_ds structures and timespecs in user space:
 * a bad pointer to one faults there, before any system call */
#if defined(__i386__) && defined(__GLIBC__)
#define LIBC_COPIES 1
#else
#define LIBC_COPIES 0
#endif

static const char *self_exe;

/* a child's end: its output first (stdout is fully buffered) */
static void quit(int code)
{
	fflush(stdout);
	_exit(code);
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* wait until pid sleeps in the kernel (it is blocked in its IPC call) */
static void wait_sleeping(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 100000; i++) {
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			return;
		ssize_t n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			char *p = strrchr(buf, ')');
			if (p && p[1] == ' ' && p[2] == 'S')
				return;
			if (p && p[1] == ' ' && p[2] == 'Z') {
				printf("wait_sleeping: it exited\n");
				return;
			}
		}
		msleep(1);
	}
	printf("wait_sleeping: timed out\n");
}

/* wait until GETNCNT or GETZCNT of a semaphore reaches n */
static void wait_cnt(int id, int num, int cmd, int n)
{
	for (int i = 0; i < 100000; i++) {
		if (semctl(id, num, cmd) >= n)
			return;
		msleep(1);
	}
	printf("wait_cnt: timed out\n");
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void sem_add(int id, int num, int op, int flg)
{
	struct sembuf b = { num, op, flg };
	if (semop(id, &b, 1) < 0)
		printf("semop(%d, %d, %#x): %s\n", num, op, flg, strerror(errno));
}

/* the maps line holding addr: permissions, whether the inode number is the
 * segment's id (as Linux numbers them), and the name (not the device: our
 * internal shm mount is not the first anonymous device, Linux's is) */
static void show_map(void *addr, int id)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		unsigned long s, e, off, ino;
		char perms[8], dev[16];
		if (sscanf(line, "%lx-%lx %7s %lx %15s %lu", &s, &e, perms, &off, dev, &ino) != 6)
			continue;
		if ((unsigned long)addr >= s && (unsigned long)addr < e) {
			char *name = strchr(line, '/');
			printf("map: %s ino-is-id %d %s", perms, ino == (unsigned long)id,
			       name ? name : "(anonymous)\n");
		}
	}
	fclose(f);
}

static long nattch(int id)
{
	struct shmid_ds ds;
	if (shmctl(id, IPC_STAT, &ds) < 0)
		return -errno;
	return (long)ds.shm_nattch;
}

/* -- shared memory ---------------------------------------------------------------- */

static int test_shm(void)
{
	struct shmid_ds ds;
	int id = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600);
	CHECK(id >= 0, "shmget");
	SHOW(shmctl(id, IPC_STAT, &ds));
	printf("segsz %lu nattch %lu mode %o key %d cpid-is-me %d lpid %d\n",
	       (unsigned long)ds.shm_segsz, (unsigned long)ds.shm_nattch,
	       ds.shm_perm.mode & 0777, (int)PERM_KEY(ds.shm_perm), ds.shm_cpid == getpid(),
	       ds.shm_lpid);

	char *p = shmat(id, NULL, 0);
	CHECK(p != (void *)-1, "shmat");
	CHECK(((uintptr_t)p & 4095) == 0, "aligned");
	printf("nattch after shmat %ld\n", nattch(id));
	shmctl(id, IPC_STAT, &ds);
	printf("lpid-is-me %d\n", ds.shm_lpid == getpid());
	printf("fresh memory is zero: %d\n", p[0] == 0 && p[9999] == 0);
	strcpy(p, "written by the parent");
	p[9999] = 'z';
	show_map(p, id);

	char *r = shmat(id, NULL, SHM_RDONLY);
	CHECK(r != (void *)-1 && r != p, "second attach");
	printf("read-only view: %s %c\n", r, r[9999]);
	show_map(r, id);
	printf("nattch %ld\n", nattch(id));

	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		printf("child sees: %s, nattch %ld\n", p, nattch(id));
		strcpy(p + 100, "written by the child");
		fflush(stdout);
		r[0] = 'X';             /* read-only: SIGSEGV */
		quit(0);
	}
	wait_describe("child writing the read-only view", c);
	printf("parent sees: %s\n", p + 100);
	printf("nattch after the child exited %ld\n", nattch(id));

	/* exec detaches: the new program sees only the parent's attachments */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		char arg[32];
		snprintf(arg, sizeof arg, "%d", id);
		execl(self_exe, "sysvipc", "nattch", arg, (char *)NULL);
		quit(99);
	}
	wait_describe("exec'd child", c);

	SHOW(shmdt(r));
	SHOW(shmdt(r));
	SHOW(shmdt(p + 4096));
	SHOW(shmdt(p + 1));
	printf("nattch %ld\n", nattch(id));

	/* a given address: exact, unaligned (EINVAL), SHM_RND, occupied */
	SHOW(shmdt(p));
	char *q = shmat(id, p, 0);
	printf("at the given address %d, data kept: %s\n", q == p, q);
	SHOW(shmat(id, p + 5, 0) == (void *)-1);
	SHOW(shmat(id, p + 4096, 0) == (void *)-1);
	SHOW(shmdt(p));
	q = shmat(id, p + 5, SHM_RND);
	printf("SHM_RND rounds down %d\n", q == p);
	q = shmat(id, p, SHM_REMAP);
	printf("SHM_REMAP replaces %d, nattch %ld\n", q == p, nattch(id));
	SHOW(shmat(id, NULL, SHM_REMAP) == (void *)-1);

	/* a partial munmap leaves the attachment; fork inherits both parts */
	SHOW(munmap(p + 4096, 4096));
	printf("nattch after splitting %ld\n", nattch(id));
	printf("still there: %s\n", p);

	/* IPC_RMID while attached: SHM_DEST, key private, gone at the last detach */
	SHOW(shmctl(id, IPC_RMID, NULL));
	SHOW(shmctl(id, IPC_STAT, &ds));
	printf("dest %d key %d nattch %lu\n", !!(ds.shm_perm.mode & SHM_DEST),
	       (int)PERM_KEY(ds.shm_perm), (unsigned long)ds.shm_nattch);
	strcpy(p, "still usable");
	printf("%s\n", p);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		SHOW(shmdt(p));
		printf("child detached, nattch %ld\n", nattch(id));
		quit(0);
	}
	wait_describe("child", c);
	SHOW(shmdt(p));
	SHOW(shmctl(id, IPC_STAT, &ds));
	SHOW(shmctl(id, IPC_RMID, NULL));

	/* the last page of a segment that is not a page multiple */
	id = shmget(IPC_PRIVATE, 100, 0600);
	p = shmat(id, NULL, 0);
	p[4095] = 1;
	printf("last page byte %d\n", p[4095]);
	SHOW(shmctl(id, IPC_RMID, NULL));
	SHOW(shmctl(id, IPC_STAT, &ds) >= 0);   /* still there: attached */
	/* exit detaches the rest (and destroys it) */
	return 0;
}

/* -- a counter in shared memory, locked by a semaphore ------------------------------ */

static int test_counter(void)
{
	int shm = shmget(IPC_PRIVATE, sizeof(long), 0600);
	int sem = semget(IPC_PRIVATE, 1, 0600);
	volatile long *n = shmat(shm, NULL, 0);
	union semun u = { .val = 1 };
	SHOW(semctl(sem, 0, SETVAL, u));
	enum { ROUNDS = 300, WORKERS = 3 };
	fflush(stdout);
	pid_t kids[WORKERS];
	for (int w = 0; w < WORKERS; w++) {
		kids[w] = fork();
		if (kids[w] == 0) {
			for (int i = 0; i < ROUNDS; i++) {
				sem_add(sem, 0, -1, SEM_UNDO);
				long v = *n;
				if (i % 50 == 0)
					sched_yield();  /* give the others a try at the lock */
				*n = v + 1;
				sem_add(sem, 0, 1, SEM_UNDO);
			}
			quit(0);
		}
	}
	for (int i = 0; i < ROUNDS; i++) {
		sem_add(sem, 0, -1, 0);
		long v = *n;
		*n = v + 1;
		sem_add(sem, 0, 1, 0);
	}
	for (int w = 0; w < WORKERS; w++)
		wait_describe("worker", kids[w]);
	printf("counter %ld (expected %d), semaphore %d\n", *n, ROUNDS * (WORKERS + 1),
	       semctl(sem, 0, GETVAL));
	SHOW(shmdt((void *)n));
	SHOW(shmctl(shm, IPC_RMID, NULL));
	SHOW(semctl(sem, 0, IPC_RMID));
	return 0;
}

/* -- semaphores -------------------------------------------------------------------- */

static int thread_sem;

static void *undo_thread(void *arg)
{
	sem_add(thread_sem, 3, 2, SEM_UNDO);
	return arg;
}

static void show_sems(int id)
{
	unsigned short v[4];
	union semun u = { .array = v };
	if (semctl(id, 0, GETALL, u) < 0) {
		printf("GETALL: %s\n", strerror(errno));
		return;
	}
	printf("sems %d %d %d %d\n", v[0], v[1], v[2], v[3]);
}

static int test_sem(void)
{
	struct semid_ds ds;
	union semun u;
	SHOW(semget(IPC_PRIVATE, 0, 0600));
	SHOW(semget(IPC_PRIVATE, 40000, 0600));
	int id = semget(IPC_PRIVATE, 4, IPC_CREAT | 0600);
	CHECK(id >= 0, "semget");
	u.buf = &ds;
	SHOW(semctl(id, 0, IPC_STAT, u));
	printf("nsems %lu mode %o\n", (unsigned long)ds.sem_nsems, ds.sem_perm.mode & 0777);
	show_sems(id);
	unsigned short init[4] = { 1, 2, 0, 5 };
	u.array = init;
	SHOW(semctl(id, 0, SETALL, u));
	show_sems(id);
	u.val = 7;
	SHOW(semctl(id, 2, SETVAL, u));
	u.val = 40000;
	SHOW(semctl(id, 2, SETVAL, u));
	u.val = -1;
	SHOW(semctl(id, 2, SETVAL, u));
	SHOW(semctl(id, 2, GETVAL));
	SHOW(semctl(id, 4, GETVAL));
	SHOW(semctl(id, -1, GETVAL));
	printf("GETPID is me %d\n", semctl(id, 2, GETPID) == getpid());
	SHOW(semctl(id, 0, GETNCNT));
	SHOW(semctl(id, 0, GETZCNT));
	SHOW(semctl(id, 0, 99));

	/* all or nothing */
	struct sembuf two[2] = { { 0, -1, 0 }, { 1, -3, IPC_NOWAIT } };
	SHOW(semop(id, two, 2));
	show_sems(id);
	two[1].sem_op = -2;
	SHOW(semop(id, two, 2));
	show_sems(id);
	struct sembuf z = { 1, 0, IPC_NOWAIT };
	SHOW(semop(id, &z, 1));
	z.sem_num = 3;
	SHOW(semop(id, &z, 1));
	struct sembuf big = { 3, 32767, 0 };
	SHOW(semop(id, &big, 1));
	/* the same semaphore twice in one array: in order */
	struct sembuf dup[2] = { { 3, -5, 0 }, { 3, 2, 0 } };
	SHOW(semop(id, dup, 2));
	show_sems(id);
	struct timespec ts = { 0, 20000000 };
	struct sembuf wait0 = { 2, -100, 0 };
	SHOW(semtimedop(id, &wait0, 1, &ts));
	ts.tv_nsec = 2000000000L;
	SHOW(semtimedop(id, &wait0, 1, &ts));

	/* a sleeper woken by another process: decrement */
	u.val = 0;
	semctl(id, 0, SETVAL, u);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		struct sembuf b = { 0, -2, 0 };
		SHOW(semop(id, &b, 1));
		printf("child: GETPID is me %d\n", semctl(id, 0, GETPID) == getpid());
		quit(0);
	}
	wait_cnt(id, 0, GETNCNT, 1);
	SHOW(semctl(id, 0, GETNCNT));
	sem_add(id, 0, 1, 0);           /* not enough yet */
	SHOW(semctl(id, 0, GETVAL));
	SHOW(semctl(id, 0, GETNCNT));
	sem_add(id, 0, 1, 0);
	wait_describe("decrementing child", c);
	show_sems(id);
	SHOW(semctl(id, 0, GETNCNT));

	/* wait for zero */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		struct sembuf b[2] = { { 2, 0, 0 }, { 0, 1, 0 } };
		SHOW(semop(id, b, 2));
		quit(0);
	}
	wait_cnt(id, 2, GETZCNT, 1);
	SHOW(semctl(id, 2, GETZCNT));
	SHOW(semctl(id, 0, GETNCNT));
	u.val = 0;
	SHOW(semctl(id, 2, SETVAL, u));
	wait_describe("zero-waiting child", c);
	show_sems(id);

	/* first come, first served: two sleepers, the values arrive one by one */
	fflush(stdout);
	pid_t a = fork();
	if (a == 0) {
		struct sembuf b = { 1, -1, 0 };
		semop(id, &b, 1);
		printf("first sleeper done\n");
		quit(0);
	}
	wait_cnt(id, 1, GETNCNT, 1);
	pid_t b2 = fork();
	if (b2 == 0) {
		struct sembuf b = { 1, -1, 0 };
		semop(id, &b, 1);
		printf("second sleeper done\n");
		quit(0);
	}
	wait_cnt(id, 1, GETNCNT, 2);
	SHOW(semctl(id, 1, GETNCNT));
	sem_add(id, 1, 1, 0);
	wait_describe("first sleeper", a);
	sem_add(id, 1, 1, 0);
	wait_describe("second sleeper", b2);

	/* SEM_UNDO: reverted at exit, clamped, cleared by SETVAL */
	u.val = 3;
	semctl(id, 3, SETVAL, u);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		sem_add(id, 3, -1, SEM_UNDO);
		sem_add(id, 3, 4, SEM_UNDO);
		sem_add(id, 3, -1, 0);
		printf("child: sem3 %d\n", semctl(id, 3, GETVAL));
		quit(0);
	}
	wait_describe("undo child", c);
	SHOW(semctl(id, 3, GETVAL));
	int pfd[2];
	if (pipe(pfd) < 0)
		return 1;
	fflush(stdout);
	c = fork();
	if (c == 0) {
		char x;
		close(pfd[1]);
		sem_add(id, 3, 2, SEM_UNDO);
		sem_add(id, 0, 2, SEM_UNDO);
		sem_add(id, 1, 1, SEM_UNDO);
		read(pfd[0], &x, 1);
		quit(0);
	}
	close(pfd[0]);
	wait_cnt(id, 1, GETVAL, 1);
	sem_add(id, 3, -3, 0);          /* its undo of -2 would go below 0 */
	u.val = 10;
	semctl(id, 0, SETVAL, u);       /* clears its adjustment of sem 0 */
	show_sems(id);
	close(pfd[1]);
	wait_describe("undo child 2", c);
	show_sems(id);
	printf("GETPID after undo is the child %d\n", semctl(id, 1, GETPID) == c);

	/* threads share the undo list (CLONE_SYSVSEM): a thread's exit does not
	 * revert its operations, the process's does */
	u.val = 0;
	semctl(id, 3, SETVAL, u);
	thread_sem = id;
	fflush(stdout);
	c = fork();
	if (c == 0) {
		pthread_t th;
		pthread_create(&th, NULL, undo_thread, NULL);
		pthread_join(th, NULL);
		printf("child: after its thread sem3 %d\n", semctl(id, 3, GETVAL));
		sem_add(id, 3, 1, SEM_UNDO);
		quit(0);
	}
	wait_describe("threaded child", c);
	SHOW(semctl(id, 3, GETVAL));

	/* a signal interrupts semop (EINTR even with SA_RESTART) */
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	sigaction(SIGUSR1, &sa, NULL);
	u.val = 0;
	semctl(id, 2, SETVAL, u);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		struct sembuf b = { 2, -1, SEM_UNDO };
		SHOW(semop(id, &b, 1));
		SHOW(semctl(id, 2, GETNCNT));
		quit(0);
	}
	wait_cnt(id, 2, GETNCNT, 1);
	kill(c, SIGUSR1);
	wait_describe("interrupted child", c);
	SHOW(semctl(id, 2, GETNCNT));

	/* removed while sleeping: EIDRM */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		struct sembuf b = { 2, -1, 0 };
		SHOW(semop(id, &b, 1));
		SHOW(semctl(id, 2, GETVAL));
		quit(0);
	}
	wait_cnt(id, 2, GETNCNT, 1);
	u.buf = &ds;
	ds.sem_perm.mode = 0640;
	SHOW(semctl(id, 0, IPC_SET, u));
	SHOW(semctl(id, 0, IPC_STAT, u));
	printf("mode now %o\n", ds.sem_perm.mode & 0777);
	SHOW(semctl(id, 0, IPC_RMID));
	wait_describe("child of a removed set", c);
	SHOW(semctl(id, 0, IPC_RMID));
	SHOW(semop(id, &z, 1));
	return 0;
}

/* -- message queues --------------------------------------------------------------- */

struct msg {
	long mtype;
	char mtext[200];
};

static void snd(int id, long type, const char *text, int flg)
{
	struct msg m = { type };
	strcpy(m.mtext, text);
	if (msgsnd(id, &m, strlen(text) + 1, flg) < 0)
		printf("msgsnd(%ld, %s): %s\n", type, text, strerror(errno));
}

static void rcv(int id, size_t size, long type, int flg)
{
	struct msg m;
	memset(&m, 0, sizeof m);
	ssize_t n = msgrcv(id, &m, size, type, flg);
	if (n < 0)
		printf("msgrcv(%zu, %ld, %#x): %s\n", size, type, flg, strerror(errno));
	else
		printf("msgrcv(%zu, %ld, %#x) -> %zd: type %ld \"%.*s\"\n", size, type, flg, n,
		       m.mtype, (int)n, m.mtext);
}

static void show_q(int id)
{
	struct msqid_ds ds;
	if (msgctl(id, IPC_STAT, &ds) < 0) {
		printf("IPC_STAT: %s\n", strerror(errno));
		return;
	}
	printf("qnum %lu cbytes %lu qbytes %lu lspid-me %d lrpid-me %d\n",
	       (unsigned long)ds.msg_qnum, (unsigned long)ds.__msg_cbytes,
	       (unsigned long)ds.msg_qbytes, ds.msg_lspid == getpid(), ds.msg_lrpid == getpid());
}

static int test_msg(void)
{
	struct msqid_ds ds;
	int id = msgget(IPC_PRIVATE, 0600);
	CHECK(id >= 0, "msgget");
	show_q(id);
	snd(id, 3, "three", 0);
	snd(id, 1, "one", 0);
	snd(id, 2, "two", 0);
	snd(id, 1, "one again", 0);
	snd(id, 5, "five", 0);
	show_q(id);
	rcv(id, 100, 0, 0);
	rcv(id, 100, 2, 0);
	rcv(id, 100, -4, 0);
	rcv(id, 100, -4, 0);
	rcv(id, 100, 1, MSG_EXCEPT);
	rcv(id, 100, 0, IPC_NOWAIT);
	rcv(id, 100, 7, IPC_NOWAIT);
	show_q(id);
	snd(id, 9, "a longer message", 0);
	rcv(id, 4, 0, IPC_NOWAIT);
	show_q(id);
	rcv(id, 4, 0, MSG_NOERROR);
	rcv(id, 4, -1, IPC_NOWAIT | MSG_NOERROR);
	snd(id, 0, "type zero", 0);
	snd(id, -3, "negative type", 0);
	struct msg m = { 1 };
	SHOW(msgsnd(id, &m, 8193, 0));
	SHOW(msgsnd(id, &m, -1, 0));
	SHOW(msgsnd(id, &m, 0, 0));
	SHOW(msgrcv(id, &m, -1, 0, 0));
	SHOW(msgrcv(id, &m, 0, 0, IPC_NOWAIT));
	SHOW(msgsnd(id, BAD, 10, 0));
	show_q(id);

	/* a small queue: msgsnd blocks until there is room */
	SHOW(msgctl(id, IPC_STAT, &ds));
	ds.msg_qbytes = 100;
	SHOW(msgctl(id, IPC_SET, &ds));
	show_q(id);
	char text[61];
	memset(text, 'a', 60);
	text[59] = 0;
	snd(id, 1, text, 0);
	text[0] = 'b';
	snd(id, 2, text, IPC_NOWAIT);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		snd(id, 2, text, 0);
		printf("child: sent after waiting\n");
		quit(0);
	}
	wait_sleeping(c);
	show_q(id);
	rcv(id, 10, 0, MSG_NOERROR);
	wait_describe("blocked sender", c);
	rcv(id, 10, 0, MSG_NOERROR);
	show_q(id);

	/* msgrcv blocks until a message of its type comes */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		rcv(id, 100, 7, 0);
		rcv(id, 100, -3, 0);
		quit(0);
	}
	wait_sleeping(c);
	snd(id, 6, "six", 0);
	snd(id, 7, "seven", 0);
	wait_sleeping(c);
	snd(id, 3, "three", 0);
	wait_describe("blocked receiver", c);
	rcv(id, 100, 0, IPC_NOWAIT);

	/* sleeping receivers are served in the order they came, each with the
	 * first message it wants; one whose buffer is too small gets E2BIG */
	fflush(stdout);
	pid_t r1 = fork();
	if (r1 == 0) {
		rcv(id, 100, 0, 0);
		quit(0);
	}
	wait_sleeping(r1);
	pid_t r2 = fork();
	if (r2 == 0) {
		rcv(id, 100, 0, 0);
		quit(0);
	}
	wait_sleeping(r2);
	snd(id, 4, "for the first", 0);
	wait_describe("first receiver", r1);
	snd(id, 4, "for the second", 0);
	wait_describe("second receiver", r2);
	fflush(stdout);
	r1 = fork();
	if (r1 == 0) {
		rcv(id, 100, 2, 0);
		quit(0);
	}
	wait_sleeping(r1);
	r2 = fork();
	if (r2 == 0) {
		rcv(id, 5, -9, 0);
		rcv(id, 100, -9, 0);
		quit(0);
	}
	wait_sleeping(r2);
	snd(id, 1, "type one is long", 0);     /* E2BIG, then it is queued */
	wait_describe("second receiver", r2);
	show_q(id);
	snd(id, 2, "two", 0);
	wait_describe("first receiver", r1);
	rcv(id, 100, 0, IPC_NOWAIT);
	show_q(id);

	/* a signal: EINTR (msgrcv is not restarted after a handler) */
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	sigaction(SIGUSR1, &sa, NULL);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		rcv(id, 100, 0, 0);
		quit(0);
	}
	wait_sleeping(c);
	kill(c, SIGUSR1);
	wait_describe("interrupted receiver", c);

	/* removed while a receiver waits, then while a sender waits: EIDRM */
	fflush(stdout);
	pid_t r = fork();
	if (r == 0) {
		rcv(id, 100, 42, 0);
		quit(0);
	}
	wait_sleeping(r);
	SHOW(msgctl(id, IPC_RMID, NULL));
	wait_describe("receiver of a removed queue", r);
	SHOW(msgctl(id, IPC_RMID, NULL));
	snd(id, 1, "x", 0);
	id = msgget(IPC_PRIVATE, 0600);
	msgctl(id, IPC_STAT, &ds);
	ds.msg_qbytes = 100;
	SHOW(msgctl(id, IPC_SET, &ds));
	snd(id, 1, text, 0);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		snd(id, 1, text, 0);
		quit(0);
	}
	wait_sleeping(c);
	show_q(id);
	SHOW(msgctl(id, IPC_RMID, NULL));
	wait_describe("sender to a removed queue", c);
	snd(id, 1, "x", 0);
	return 0;
}

/* -- permissions and keys ---------------------------------------------------------- */

static int test_perm(void)
{
	key_t key = 0x5e000000 | (getpid() & 0xffffff);
	SHOW(shmget(key, 4096, 0600));
	int shm = shmget(key, 4096, IPC_CREAT | 0600);
	CHECK(shm >= 0, "shmget key");
	printf("same key, same id %d\n", shmget(key, 4096, 0) == shm);
	printf("same key with IPC_CREAT %d\n", shmget(key, 100, IPC_CREAT | 0600) == shm);
	SHOW(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600));
	SHOW(shmget(key, 8192, 0));
	int sem = semget(key, 2, IPC_CREAT | 0600);
	SHOW(semget(key, 3, 0));
	printf("fewer is fine %d\n", semget(key, 1, 0) == sem);
	SHOW(semget(key, 2, IPC_CREAT | IPC_EXCL));
	int msq = msgget(key, IPC_CREAT | 0640);
	SHOW(msgget(key, IPC_CREAT | IPC_EXCL | 0600));
	printf("msgget by key %d\n", msgget(key, 0) == msq);
	int shm2 = shmget(IPC_PRIVATE, 4096, 0644);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		struct shmid_ds ds;
		struct sembuf b = { 0, 1, 0 };
		struct msg m = { 1 };
		if (setgid(65534) < 0 || setuid(65534) < 0)
			printf("setuid: %s\n", strerror(errno));
		SHOW(shmget(key, 4096, 0600));
		SHOW(shmget(key, 4096, 0) == shm);
		SHOW(shmat(shm, NULL, 0) == (void *)-1);
		SHOW(shmctl(shm, IPC_STAT, &ds));
		SHOW(shmctl(shm, IPC_RMID, NULL));
		SHOW(shmat(shm2, NULL, 0) == (void *)-1);
		void *p = shmat(shm2, NULL, SHM_RDONLY);
		printf("read-only attach allowed %d\n", p != (void *)-1);
		SHOW(shmdt(p));
		SHOW(semop(sem, &b, 1));
		SHOW(semctl(sem, 0, GETVAL));
		SHOW(semctl(sem, 0, IPC_RMID));
		SHOW(msgsnd(msq, &m, 1, IPC_NOWAIT));
		SHOW(msgrcv(msq, &m, 1, 0, IPC_NOWAIT));
		SHOW(msgctl(msq, IPC_RMID, NULL));
		quit(0);
	}
	wait_describe("other user", c);
	/* give the segment away: the new owner may remove it */
	struct shmid_ds ds;
	shmctl(shm2, IPC_STAT, &ds);
	ds.shm_perm.uid = 65534;
	ds.shm_perm.mode = 0600;
	SHOW(shmctl(shm2, IPC_SET, &ds));
	SHOW(shmctl(shm2, IPC_STAT, &ds));
	printf("uid %d cuid %d mode %o\n", (int)ds.shm_perm.uid, (int)ds.shm_perm.cuid,
	       ds.shm_perm.mode & 0777);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		if (setuid(65534) < 0)
			printf("setuid: %s\n", strerror(errno));
		void *p = shmat(shm2, NULL, 0);
		printf("owner attaches %d\n", p != (void *)-1);
		SHOW(shmctl(shm2, IPC_RMID, NULL));
		quit(0);
	}
	wait_describe("new owner", c);
	SHOW(shmctl(shm2, IPC_STAT, &ds));
	SHOW(shmctl(shm, IPC_RMID, NULL));
	SHOW(shmget(key, 4096, 0));
	SHOW(semctl(sem, 0, IPC_RMID));
	SHOW(msgctl(msq, IPC_RMID, NULL));
	SHOW(semget(key, 1, 0));
	SHOW(msgget(key, 0));
	return 0;
}

/* -- bad arguments ------------------------------------------------------------------ */

static int test_errors(void)
{
	SHOW(shmget(IPC_PRIVATE, 0, 0600));
	SHOW(shmat(-1, NULL, 0) == (void *)-1);
	SHOW(shmat(0x7fff0000, NULL, 0) == (void *)-1);
	SHOW(shmctl(-1, IPC_STAT, NULL));
	SHOW(shmdt(NULL));
	int shm = shmget(IPC_PRIVATE, 4096, 0600);
	if (!LIBC_COPIES) {
		SHOW(shmctl(shm, IPC_STAT, BAD));
		SHOW(shmctl(shm, IPC_SET, BAD));
	}
	SHOW(shmctl(shm, 77, NULL));
	SHOW(shmctl(shm, IPC_RMID, NULL));
	SHOW(shmctl(shm, IPC_RMID, NULL));

	int sem = semget(IPC_PRIVATE, 2, 0600);
	struct sembuf b = { 0, 1, 0 };
	SHOW(semop(sem, &b, 0));
	SHOW(semop(sem, BAD, 1));
	static struct sembuf many[501];
	SHOW(semop(sem, many, 501));
	b.sem_num = 2;
	SHOW(semop(sem, &b, 1));
	SHOW(semop(-1, &b, 1));
	b.sem_num = 0;
	if (!LIBC_COPIES)
		SHOW(semtimedop(sem, &b, 1, BAD));
	struct timespec ts = { 0, -1 };
	SHOW(semtimedop(sem, &b, 1, &ts));
	union semun u = { .buf = BAD };
	if (!LIBC_COPIES)
		SHOW(semctl(sem, 0, IPC_STAT, u));
	SHOW(semctl(sem, 0, GETALL, u));
	SHOW(semctl(sem, 0, SETALL, u));
	unsigned short v[2] = { 1, 40000 };
	u.array = v;
	SHOW(semctl(sem, 0, SETALL, u));
	SHOW(semctl(sem, 0, IPC_RMID));
	SHOW(semctl(sem, 0, GETVAL));

	int msq = msgget(IPC_PRIVATE, 0600);
	if (!LIBC_COPIES) {
		SHOW(msgctl(msq, IPC_STAT, BAD));
		SHOW(msgctl(msq, IPC_SET, BAD));
	}
	snd(msq, 1, "hello", 0);
	SHOW(msgrcv(msq, BAD, 100, 0, 0));   /* the message is lost, as on Linux */
	SHOW(msgrcv(msq, BAD, 100, 0, IPC_NOWAIT));
	SHOW(msgctl(msq, 99, NULL));
	SHOW(msgctl(msq, IPC_RMID, NULL));
	msq = msgget(IPC_PRIVATE, 0600);
	SHOW(msq >= 0);
	SHOW(msgctl(msq, IPC_RMID, NULL));
	return 0;
}

/* the limits: as the host's defaults (/proc/sys/kernel/{shm,sem,msg}*) */
static int test_info(void)
{
	struct shminfo si;
	SHOW(shmctl(0, IPC_INFO, (struct shmid_ds *)&si) >= 0);
	printf("shmmax %#lx shmmin %lu shmmni %lu shmseg %lu shmall %#lx\n",
	       (unsigned long)si.shmmax, (unsigned long)si.shmmin, (unsigned long)si.shmmni,
	       (unsigned long)si.shmseg, (unsigned long)si.shmall);
	struct seminfo sm;
	union semun u = { .buf = (struct semid_ds *)&sm };
	SHOW(semctl(0, 0, IPC_INFO, u) >= 0);
	printf("semmap %d semmni %d semmns %d semmnu %d semmsl %d semopm %d semume %d "
	       "semusz %d semvmx %d semaem %d\n", sm.semmap, sm.semmni, sm.semmns, sm.semmnu,
	       sm.semmsl, sm.semopm, sm.semume, sm.semusz, sm.semvmx, sm.semaem);
	struct msginfo mi;
	SHOW(msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) >= 0);
	printf("msgpool %d msgmap %d msgmax %d msgmnb %d msgmni %d msgssz %d msgtql %d "
	       "msgseg %d\n", mi.msgpool, mi.msgmap, mi.msgmax, mi.msgmnb, mi.msgmni,
	       mi.msgssz, mi.msgtql, mi.msgseg);

	/* *_STAT take the index into the table and return the id */
	int shm = shmget(IPC_PRIVATE, 5000, 0640);
	int sem = semget(IPC_PRIVATE, 3, 0640);
	int msq = msgget(IPC_PRIVATE, 0640);
	struct shmid_ds sds;
	struct semid_ds mds;
	struct msqid_ds qds;
	printf("SHM_STAT %d\n", shmctl(shm & 0x7fff, SHM_STAT, &sds) == shm);
	printf("segsz %lu mode %o\n", (unsigned long)sds.shm_segsz, sds.shm_perm.mode & 0777);
	printf("SHM_STAT_ANY %d\n", shmctl(shm & 0x7fff, SHM_STAT_ANY, &sds) == shm);
	u.buf = &mds;
	printf("SEM_STAT %d\n", semctl(sem & 0x7fff, 0, SEM_STAT, u) == sem);
	printf("nsems %lu\n", (unsigned long)mds.sem_nsems);
	printf("SEM_STAT_ANY %d\n", semctl(sem & 0x7fff, 0, SEM_STAT_ANY, u) == sem);
	printf("MSG_STAT %d\n", msgctl(msq & 0x7fff, MSG_STAT, &qds) == msq);
	printf("qbytes %lu\n", (unsigned long)qds.msg_qbytes);
	printf("MSG_STAT_ANY %d\n", msgctl(msq & 0x7fff, MSG_STAT_ANY, &qds) == msq);
	SHOW(shmctl(shm, SHM_STAT, &sds) == shm);
	SHOW(shmctl(shm, IPC_RMID, NULL));
	/* a slot used again gets a new id; *_STAT finds it by the slot */
	int shm2 = shmget(IPC_PRIVATE, 5000, 0640);
	printf("new id %d, same slot %d\n", shm2 != shm, (shm2 & 0x7fff) == (shm & 0x7fff));
	printf("SHM_STAT by the new id %d\n", shmctl(shm2, SHM_STAT, &sds) == shm2);
	SHOW(shmctl(shm, IPC_STAT, &sds));
	SHOW(shmctl(shm2, IPC_RMID, NULL));
	SHOW(semctl(sem, 0, IPC_RMID));
	SHOW(msgctl(msq, IPC_RMID, NULL));
	return 0;
}

#ifdef __i386__
/* the direct i386 system calls (Linux 5.1), which glibc does not use yet */
struct ts64 {
	long long sec, nsec;
};

static int test_direct(void)
{
	int id = syscall(SYS_shmget, IPC_PRIVATE, 8192, 0600);
	CHECK(id >= 0, "SYS_shmget");
	char *p = (char *)syscall(SYS_shmat, id, 0, 0);
	CHECK(p != (void *)-1, "SYS_shmat");
	strcpy(p, "direct");
	struct shmid_ds ds;
	SHOW(syscall(SYS_shmctl, id, IPC_STAT, &ds));
	SHOW(syscall(SYS_shmctl, id, IPC_STAT | 0x100, &ds));
	printf("segsz %lu nattch %lu mode %o\n", (unsigned long)ds.shm_segsz,
	       (unsigned long)ds.shm_nattch, ds.shm_perm.mode & 0777);
	SHOW(syscall(SYS_shmdt, p));
	SHOW(syscall(SYS_shmctl, id, IPC_RMID, 0));

	int sem = syscall(SYS_semget, IPC_PRIVATE, 2, 0600);
	SHOW(syscall(SYS_semctl, sem, 1, SETVAL, 5));
	SHOW(syscall(SYS_semctl, sem, 1, GETVAL, 0));
	struct sembuf b = { 1, -6, 0 };
	struct ts64 t = { 0, 10000000 };
	SHOW(syscall(SYS_semtimedop_time64, sem, &b, 1, &t));
	b.sem_op = -5;
	SHOW(syscall(SYS_semtimedop_time64, sem, &b, 1, &t));
	struct semid_ds sds;
	SHOW(syscall(SYS_semctl, sem, 0, IPC_STAT, &sds));
	printf("nsems %lu\n", (unsigned long)sds.sem_nsems);
	SHOW(syscall(SYS_semctl, sem, 0, IPC_RMID, 0));

	int msq = syscall(SYS_msgget, IPC_PRIVATE, 0600);
	struct msg m = { 4, "four" };
	SHOW(syscall(SYS_msgsnd, msq, &m, 5, 0));
	memset(&m, 0, sizeof m);
	SHOW(syscall(SYS_msgrcv, msq, &m, 100, -5, 0));
	printf("type %ld %s\n", m.mtype, m.mtext);
	struct msqid_ds mds;
	SHOW(syscall(SYS_msgctl, msq, IPC_STAT, &mds));
	printf("qnum %lu qbytes %lu\n", (unsigned long)mds.msg_qnum,
	       (unsigned long)mds.msg_qbytes);
	SHOW(syscall(SYS_msgctl, msq, IPC_RMID, 0));
	return 0;
}
#endif

int main(int argc, char **argv)
{
	self_exe = "/proc/self/exe";
	if (access("/proc/self", F_OK) < 0) {      /* under pyuml: we are init */
		mkdir("/proc", 0555);
		if (mount("proc", "/proc", "proc", 0, NULL) < 0) {
			perror("mount");
			return 1;
		}
	}
	if (argc > 2 && strcmp(argv[1], "nattch") == 0) {
		printf("after exec: nattch %ld\n", nattch(atoi(argv[2])));
		return 0;
	}
	test_as_child();
	if (argc < 2)
		return 2;
	const char *mode = argv[1];
	int r = 2;
	if (!strcmp(mode, "shm"))
		r = test_shm();
	else if (!strcmp(mode, "sem"))
		r = test_sem();
	else if (!strcmp(mode, "counter"))
		r = test_counter();
	else if (!strcmp(mode, "msg"))
		r = test_msg();
	else if (!strcmp(mode, "perm"))
		r = test_perm();
	else if (!strcmp(mode, "errors"))
		r = test_errors();
	else if (!strcmp(mode, "info"))
		r = test_info();
#ifdef __i386__
	else if (!strcmp(mode, "direct"))
		r = test_direct();
#endif
	fflush(stdout);
	return r;
}
