/*
 * forkseq: run a script of fork / write / exit / wait steps across a tree
 * of processes (tests/test_process_props.py generates the scripts).
 *
 *   forkseq STEP...     each STEP is one of
 *     f:P:C     worker P forks; the child becomes worker C
 *     w:P:G:V   worker P writes V into page G of its private region and
 *               reports a checksum of the whole region (copy-on-write must
 *               keep every process's view its own)
 *     x:P       worker P exits (with status P)
 *     r:P:C     worker P reaps its child C
 *     R:C       the root reaps C (its child, or reparented to it)
 *
 * The root (this program) drives worker 0 and its descendants through one
 * command pipe per worker slot; each step is acknowledged before the next.
 * After every step the root calls waitid(WNOHANG|WNOWAIT), which reaps
 * nothing: under pyuml's check_mm boot option every wait recounts all
 * frame references, so the kernel log says after each step whether the
 * page tables and reference counts still agree.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXW 8
#define PAGES 16

struct cmd {
	char op;
	int a, b;
	long v;
	pid_t pid;
};

static int cmdp[MAXW][2], ackp[2];
static long *region;

static void ack(long v)
{
	if (write(ackp[1], &v, sizeof v) != sizeof v)
		_exit(99);
}

static void worker(int slot)
{
	struct cmd c;
	for (;;) {
		if (read(cmdp[slot][0], &c, sizeof c) != sizeof c)
			_exit(98);
		switch (c.op) {
		case 'f': {
			pid_t p = fork();
			if (p == 0) {
				slot = c.b;
				continue;
			}
			ack(p);
			break;
		}
		case 'w': {
			region[c.a * 512 + (c.v & 511)] = c.v;
			long sum = 0;
			for (int i = 0; i < PAGES * 512; i++)
				sum = sum * 31 + region[i];
			ack(sum);
			break;
		}
		case 'x':
			ack(0);
			_exit(slot);
		case 'r': {
			int st = 0;
			pid_t w = waitpid(c.pid, &st, 0);
			ack(w == c.pid ? st : -errno);
			break;
		}
		}
	}
}

static long send(int slot, struct cmd c)
{
	long v;
	if (write(cmdp[slot][1], &c, sizeof c) != sizeof c)
		return -1;
	if (read(ackp[0], &v, sizeof v) != sizeof v)
		return -2;
	return v;
}

int main(int argc, char **argv)
{
	pid_t pids[MAXW] = {0};
	siginfo_t si;
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	for (int i = 0; i < MAXW; i++)
		pipe(cmdp[i]);
	pipe(ackp);
	region = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < PAGES * 512; i++)
		region[i] = i;
	fflush(stdout);
	pids[0] = fork();
	if (pids[0] == 0)
		worker(0);
	for (int i = 1; i < argc; i++) {
		struct cmd c = {0};
		char op;
		int a = 0, b = 0;
		long v = 0;
		sscanf(argv[i], "%c:%d:%d:%ld", &op, &a, &b, &v);
		c.op = op;
		printf("step %d %s: ", i, argv[i]);
		if (op == 'f') {
			c.b = b;
			pids[b] = send(a, c);
			printf("forked %d\n", pids[b] > 0);
		} else if (op == 'w') {
			c.a = b;
			c.v = v;
			printf("sum %ld\n", send(a, c));
		} else if (op == 'x') {
			printf("ack %ld\n", send(a, c));
		} else if (op == 'r') {
			c.pid = pids[b];
			long st = send(a, c);
			printf("reaped: %s %ld\n", st >= 0 && WIFEXITED(st) ? "exit" : "?",
			       st >= 0 ? (long)WEXITSTATUS(st) : st);
		} else if (op == 'R') {
			int st;
			pid_t w;
			while ((w = waitpid(pids[a], &st, 0)) < 0 && errno == EINTR)
				;
			printf("root reaped: %d exit %d\n", w == pids[a], WEXITSTATUS(st));
		}
		memset(&si, 0, sizeof si);
		waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT);
	}
	/* whatever is left: the script ends with every worker reaped */
	int left = 0;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		left++;
	printf("done, %d left over\n", left);
	fflush(stdout);
	return 0;
}
