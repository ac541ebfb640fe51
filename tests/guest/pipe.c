/*
 * pipe: pipes and FIFOs.  pipe MODE [ARG]:
 *   basic     write/read, EOF when the last writer closes, read of 0 bytes
 *   nonblock  O_NONBLOCK: EAGAIN on empty, how many bytes fit (ring slots)
 *   atomic    writers of PIPE_BUF records never interleave
 *   sigpipe   SIGPIPE kills a writer with no reader; ignored -> EPIPE
 *   big       1 MiB through a pipe between two processes, blocking both ways
 *   packet    pipe2(O_DIRECT): one write, one read
 *   eintr     a blocked read interrupted by a handler: EINTR / SA_RESTART
 *   fifo PATH a named pipe opened by a reader and a writer process
 */
#include "procs.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>

static void set_nonblock(int fd, int on)
{
	ioctl(fd, FIONBIO, &on);
}

static void basic(void)
{
	int p[2];
	char buf[64];
	CHECK(pipe(p) == 0, "pipe");
	CHECK(write(p[1], "hello", 5) == 5, "write");
	CHECK(write(p[1], " world", 6) == 6, "write2");
	int n = 0;
	ioctl(p[0], FIONREAD, &n);
	printf("FIONREAD %d\n", n);
	ssize_t r = read(p[0], buf, 3);
	printf("read 3 -> %zd '%.*s'\n", r, (int)r, buf);
	r = read(p[0], buf, sizeof buf);
	printf("read rest -> %zd '%.*s'\n", r, (int)r, buf);
	printf("read 0 bytes -> %zd\n", read(p[0], buf, 0));
	struct stat st;
	fstat(p[0], &st);
	printf("fifo %d mode %o\n", S_ISFIFO(st.st_mode), st.st_mode & 0777);
	SHOW(write(p[0], "x", 1));
	SHOW(read(p[1], buf, 1));
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		close(p[0]);
		write(p[1], "from child", 10);
		_exit(0);
	}
	close(p[1]);
	r = read(p[0], buf, sizeof buf);
	printf("parent read %zd '%.*s'\n", r, (int)r, buf);
	r = read(p[0], buf, sizeof buf);
	printf("after writer exit: read %zd (EOF)\n", r);
	wait_describe("child", c);
	close(p[0]);
	CHECK(pipe2(p, O_CLOEXEC) == 0, "pipe2");
	SHOW(pipe2(p, 0x1));
	int *volatile bad = (int *)8;
	SHOW(pipe(bad));
}

static int fill(int fd, size_t chunk)
{
	static char buf[70000];
	int total = 0;
	for (;;) {
		ssize_t r = write(fd, buf, chunk);
		if (r < 0) {
			if (errno != EAGAIN)
				printf("unexpected %s\n", strerror(errno));
			return total;
		}
		total += r;
	}
}

static void nonblock(void)
{
	int p[2];
	char buf[100000];
	size_t chunks[] = {1, 100, 1000, 4096, 4097, 5000, 65536, 70000};
	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe2");
	ssize_t r;
	SHOW(read(p[0], buf, 10));
	for (unsigned i = 0; i < sizeof chunks / sizeof *chunks; i++) {
		int n = fill(p[1], chunks[i]);
		int avail = 0;
		ioctl(p[0], FIONREAD, &avail);
		printf("chunk %zu: %d bytes fit, FIONREAD %d\n", chunks[i], n, avail);
		/* half-drain, then see how much fits again */
		r = read(p[0], buf, 6000);
		int m = fill(p[1], chunks[i]);
		printf("  read %zd, then %d more fit\n", r, m);
		while (read(p[0], buf, sizeof buf) > 0)
			;
	}
	close(p[0]);
	close(p[1]);
	/* a blocking pipe with a nonblocking write end via fcntl */
	CHECK(pipe(p) == 0, "pipe");
	set_nonblock(p[1], 1);
	printf("after FIONBIO: %d bytes fit\n", fill(p[1], 512));
}

#define WRITERS 4
#define RECORDS 200

static void atomic(void)
{
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	fflush(stdout);
	for (int w = 0; w < WRITERS; w++) {
		if (fork() == 0) {
			char rec[PIPE_BUF];
			close(p[0]);
			for (int i = 0; i < RECORDS; i++) {
				memset(rec, 'a' + w, sizeof rec);
				if (write(p[1], rec, sizeof rec) != sizeof rec)
					_exit(1);
			}
			_exit(0);
		}
	}
	close(p[1]);
	char rec[PIPE_BUF];
	int counts[WRITERS] = {0}, bad = 0, total = 0;
	for (;;) {
		size_t got = 0;
		while (got < sizeof rec) {
			ssize_t r = read(p[0], rec + got, sizeof rec - got);
			if (r <= 0)
				break;
			got += r;
		}
		if (got == 0)
			break;
		if (got != sizeof rec) {
			bad++;
			break;
		}
		for (size_t i = 1; i < sizeof rec; i++)
			if (rec[i] != rec[0]) {
				bad++;
				break;
			}
		if (rec[0] >= 'a' && rec[0] < 'a' + WRITERS)
			counts[rec[0] - 'a']++;
		total++;
	}
	for (int w = 0; w < WRITERS; w++)
		printf("writer %d: %d records\n", w, counts[w]);
	printf("total %d, interleaved %d\n", total, bad);
	for (int w = 0; w < WRITERS; w++) {
		int st;
		wait(&st);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			printf("writer failed %#x\n", st);
	}
}

static void sigpipe(void)
{
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	close(p[0]);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		write(p[1], "x", 1);
		_exit(0);
	}
	wait_describe("writer with SIG_DFL", c);
	signal(SIGPIPE, SIG_IGN);
	SHOW(write(p[1], "x", 1));
	/* a blocked writer is woken by the last reader closing */
	int q[2];
	pipe(q);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		static char big[200000];
		close(q[0]);
		ssize_t r = write(q[1], big, sizeof big);
		printf("blocked writer: write -> %zd %s\n", r, r < 0 ? strerror(errno) : "");
		fflush(stdout);
		_exit(0);
	}
	close(q[1]);
	char buf[1000];
	read(q[0], buf, sizeof buf);        /* the writer is running */
	usleep(20000);
	close(q[0]);
	wait_describe("blocked writer", c);
}

static void big(void)
{
	int a[2], b[2];
	pipe(a);
	pipe(b);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		/* echo everything back, transformed */
		char buf[3000];
		ssize_t r;
		close(a[1]);
		close(b[0]);
		while ((r = read(a[0], buf, sizeof buf)) > 0) {
			for (ssize_t i = 0; i < r; i++)
				buf[i] ^= 0x5a;
			for (ssize_t off = 0; off < r;) {
				ssize_t w = write(b[1], buf + off, r - off);
				if (w <= 0)
					_exit(2);
				off += w;
			}
		}
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	/* write 1 MiB in odd chunks, reading the echo as we go */
	size_t total = 1 << 20, sent = 0, got = 0;
	unsigned long sum_out = 0, sum_in = 0;
	char out[7777], in[5000];
	set_nonblock(b[0], 1);
	while (got < total) {
		if (sent < total) {
			size_t n = total - sent < sizeof out ? total - sent : sizeof out;
			for (size_t i = 0; i < n; i++) {
				out[i] = (char)((sent + i) * 7);
				sum_out += (unsigned char)(out[i] ^ 0x5a);
			}
			for (size_t off = 0; off < n;) {
				ssize_t w = write(a[1], out + off, n - off);
				if (w <= 0) {
					printf("write failed\n");
					return;
				}
				off += w;
				/* drain echoes so the child never blocks forever */
				ssize_t r;
				while ((r = read(b[0], in, sizeof in)) > 0) {
					for (ssize_t i = 0; i < r; i++)
						sum_in += (unsigned char)in[i];
					got += r;
				}
			}
			sent += n;
			if (sent == total)
				close(a[1]);
		} else {
			set_nonblock(b[0], 0);
			ssize_t r = read(b[0], in, sizeof in);
			if (r <= 0)
				break;
			for (ssize_t i = 0; i < r; i++)
				sum_in += (unsigned char)in[i];
			got += r;
		}
	}
	printf("sent %zu got %zu sums %s\n", sent, got, sum_in == sum_out ? "match" : "DIFFER");
	wait_describe("echo child", c);
}

static void packet(void)
{
	int p[2];
	char buf[100];
	CHECK(pipe2(p, O_DIRECT) == 0, "pipe2 O_DIRECT");
	write(p[1], "one", 3);
	write(p[1], "twotwo", 6);
	ssize_t r = read(p[0], buf, sizeof buf);
	printf("read %zd '%.*s'\n", r, (int)r, buf);
	r = read(p[0], buf, 2);
	printf("read %zd '%.*s' (rest of packet dropped)\n", r, (int)r, buf);
	write(p[1], "three", 5);
	r = read(p[0], buf, sizeof buf);
	printf("read %zd '%.*s'\n", r, (int)r, buf);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void eintr(void)
{
	int p[2];
	char buf[10];
	pipe(p);
	struct sigaction sa = {0};
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	ssize_t r;
	SHOW(read(p[0], buf, sizeof buf));
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		usleep(300000);
		write(p[1], "late", 4);
		_exit(0);
	}
	struct itimerval it = {{0, 0}, {0, 100000}};
	setitimer(ITIMER_REAL, &it, NULL);
	r = read(p[0], buf, sizeof buf);
	printf("read with SA_RESTART -> %zd '%.*s'\n", r, r > 0 ? (int)r : 0, buf);
	wait_describe("writer", c);
}

static void fifo(const char *path)
{
	char buf[100];
	int fd;
	/* nonblocking writer with no reader: ENXIO; nonblocking reader: ok */
	SHOW(open(path, O_WRONLY | O_NONBLOCK));
	fd = open(path, O_RDONLY | O_NONBLOCK);
	printf("O_RDONLY|O_NONBLOCK -> %s\n", fd >= 0 ? "ok" : strerror(errno));
	ssize_t r = read(fd, buf, sizeof buf);
	printf("read with no writer yet -> %zd\n", r);
	close(fd);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		int w = open(path, O_WRONLY);   /* blocks until the reader opens */
		write(w, "through the fifo", 16);
		close(w);
		_exit(0);
	}
	fd = open(path, O_RDONLY);
	r = read(fd, buf, sizeof buf);
	printf("reader got %zd '%.*s'\n", r, (int)r, buf);
	r = read(fd, buf, sizeof buf);
	printf("then %zd (EOF)\n", r);
	close(fd);
	wait_describe("fifo writer", c);
	fd = open(path, O_RDWR);
	write(fd, "rdwr", 4);
	r = read(fd, buf, sizeof buf);
	printf("O_RDWR loopback %zd '%.*s'\n", r, (int)r, buf);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "basic";
	test_as_child();
	if (!strcmp(mode, "basic"))
		basic();
	else if (!strcmp(mode, "nonblock"))
		nonblock();
	else if (!strcmp(mode, "atomic"))
		atomic();
	else if (!strcmp(mode, "sigpipe"))
		sigpipe();
	else if (!strcmp(mode, "big"))
		big();
	else if (!strcmp(mode, "packet"))
		packet();
	else if (!strcmp(mode, "eintr"))
		eintr();
	else if (!strcmp(mode, "fifo"))
		fifo(argv[2]);
	fflush(stdout);
	return 0;
}
