/*
 * tests/guest/kmsg.c - the kernel log from a program: syslog(2) (klogctl),
 * /dev/kmsg and /proc/kmsg.
 *
 *   kmsg probe     what can be asked without changing anything: errors
 *                  for bad arguments, /dev/kmsg's seeks and short reads,
 *                  what an unprivileged user may do (run natively too)
 *   kmsg write     write records through /dev/kmsg and find them with
 *                  both readers (under pyuml only: natively it would
 *                  write into the host's log)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *err(long r)
{
	static char buf[32];
	if (r >= 0) {
		snprintf(buf, sizeof buf, "ok");
		return buf;
	}
	switch (errno) {
	case EINVAL: return "EINVAL";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EAGAIN: return "EAGAIN";
	case ESPIPE: return "ESPIPE";
	case EPIPE: return "EPIPE";
	case EFAULT: return "EFAULT";
	}
	snprintf(buf, sizeof buf, "errno %d", errno);
	return buf;
}

static void probe(void)
{
	char buf[8192];
	int fd, st;
	long r;

	r = klogctl(10, NULL, 0);
	printf("size_buffer positive: %d\n", r > 0);
	printf("read_all len 0: %ld\n", (long)klogctl(3, buf, 0));
	printf("read_all NULL: %s\n", err(klogctl(3, NULL, 10)));
	printf("read_all len -1: %s\n", err(klogctl(3, buf, -1)));
	r = klogctl(3, buf, sizeof buf);
	printf("read_all starts with <: %d\n", r > 0 && buf[0] == '<');
	printf("read NULL: %s\n", err(klogctl(2, NULL, 10)));
	printf("console_level 0: %s\n", err(klogctl(8, NULL, 0)));
	printf("console_level 9: %s\n", err(klogctl(8, NULL, 9)));
	printf("action 11: %s\n", err(klogctl(11, buf, 10)));
	printf("action -1: %s\n", err(klogctl(-1, buf, 10)));
	printf("open/close: %ld %ld\n", (long)klogctl(1, NULL, 0), (long)klogctl(0, NULL, 0));

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	printf("open /dev/kmsg: %s\n", err(fd));
	r = read(fd, buf, 1);
	printf("read 1 byte: %s\n", err(r));
	r = read(fd, buf, sizeof buf);
	printf("record has ;: %d\n", r > 0 && memchr(buf, ';', r) != NULL);
	printf("record ends in newline: %d\n", r > 0 && buf[r - 1] == '\n');
	printf("lseek 1: %s\n", err(lseek(fd, 1, SEEK_SET)));
	printf("lseek cur: %s\n", err(lseek(fd, 0, SEEK_CUR)));
	printf("lseek data: %s\n", err(lseek(fd, 0, SEEK_DATA)));
	printf("lseek set: %s\n", err(lseek(fd, 0, SEEK_SET)));
	r = read(fd, buf, sizeof buf);
	printf("first record seq 0 or later: %d\n", r > 0 && strchr(buf, ',') != NULL);
	printf("lseek end: %s\n", err(lseek(fd, 0, SEEK_END)));
	printf("read at end: %s\n", err(read(fd, buf, sizeof buf)));
	close(fd);

	fflush(stdout);
	if (fork() == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(1);
		printf("user read_all: %s\n", err(klogctl(3, buf, sizeof buf)));
		printf("user size_buffer: %s\n", err(klogctl(10, NULL, 0)));
		printf("user console_level: %s\n", err(klogctl(8, NULL, 4)));
		printf("user open /dev/kmsg rdonly: %s\n", err(open("/dev/kmsg", O_RDONLY)));
		printf("user open /proc/kmsg: %s\n", err(open("/proc/kmsg", O_RDONLY)));
		fflush(stdout);
		_exit(0);
	}
	wait(&st);
}

static void write_and_find(void)
{
	char buf[1 << 16];
	int fd, rfd, found = 0;
	long r;
	const char *msg = "<13>kmsg-test: hello\n";

	rfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	lseek(rfd, 0, SEEK_END);
	fd = open("/dev/kmsg", O_WRONLY);
	r = write(fd, msg, strlen(msg));
	printf("write: %ld\n", r);
	r = write(fd, "plain\n", 6);
	r = read(rfd, buf, sizeof buf - 1);
	buf[r > 0 ? r : 0] = 0;
	/* 13 = facility user (1) * 8 + level notice (5) */
	printf("record 1: %s", strncmp(buf, "13,", 3) == 0 ? strstr(buf, ";") : buf);
	r = read(rfd, buf, sizeof buf - 1);
	buf[r > 0 ? r : 0] = 0;
	printf("record 2: %s", strncmp(buf, "12,", 3) == 0 ? strstr(buf, ";") : buf);
	printf("then: %s\n", err(read(rfd, buf, sizeof buf)));
	r = klogctl(3, buf, sizeof buf - 1);
	buf[r > 0 ? r : 0] = 0;
	found = strstr(buf, "<13>[") != NULL && strstr(buf, "] kmsg-test: hello\n") != NULL;
	printf("syslog read_all has it: %d\n", found);
	printf("clear: %ld\n", (long)klogctl(5, NULL, 0));
	printf("read_all after clear: %ld\n", (long)klogctl(3, buf, sizeof buf));
	printf("size_unread positive: %d\n", klogctl(9, NULL, 0) > 0);
	/* /proc/kmsg and SYSLOG_ACTION_READ consume the same records */
	fd = open("/proc/kmsg", O_RDONLY | O_NONBLOCK);
	while ((r = read(fd, buf, sizeof buf)) > 0)
		;
	printf("proc/kmsg drained: %s\n", err(r));
	printf("size_unread: %ld\n", (long)klogctl(9, NULL, 0));
	write(open("/dev/kmsg", O_WRONLY), "<14>again", 9);
	r = read(fd, buf, sizeof buf - 1);
	buf[r > 0 ? r : 0] = 0;
	printf("proc/kmsg: %s", strchr(buf, ']') ? strchr(buf, ']') + 2 : buf);
	printf("console_level 8: %ld\n", (long)klogctl(8, NULL, 8));
	/* a reader left behind while the ring wraps: EPIPE, once */
	{
		int old = open("/dev/kmsg", O_RDONLY | O_NONBLOCK), w = open("/dev/kmsg", O_WRONLY), i;
		char line[128];
		struct pollfd pfd = { old, POLLIN, 0 };

		klogctl(8, NULL, 1);            /* keep them off the console */
		for (i = 0; i < 5000; i++) {
			snprintf(line, sizeof line, "<7>filler %04d ........................................", i);
			write(w, line, strlen(line));
		}
		poll(&pfd, 1, 0);
		printf("poll after overrun: %s%s%s\n", pfd.revents & POLLIN ? "IN " : "",
		       pfd.revents & POLLPRI ? "PRI " : "", pfd.revents & POLLERR ? "ERR" : "");
		printf("read after overrun: %s\n", err(read(old, buf, sizeof buf)));
		r = read(old, buf, sizeof buf - 1);
		buf[r > 0 ? r : 0] = 0;
		printf("then the oldest kept, a filler: %d\n", strstr(buf, ";filler ") != NULL);
		lseek(old, 0, SEEK_END);
		pfd.revents = 0;
		poll(&pfd, 1, 0);
		printf("poll at the end: %d\n", pfd.revents);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	/* a bare initramfs (pyuml): the files come with devtmpfs and proc */
	if (access("/dev/kmsg", F_OK) < 0)
		mount("dev", "/dev", "devtmpfs", 0, NULL);
	if (access("/proc/kmsg", F_OK) < 0) {
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	if (argc > 1 && !strcmp(argv[1], "write"))
		write_and_find();
	else
		probe();
	return 0;
}
