/* labs/kstate.h - ask the kernel for a snapshot of its state (graders).
 *
 * Under pyuml booted with kstate=FILE, /dev/kstate takes requests such as
 * "@after-fork mm self" (drivers/kstate.py lists them) and the kernel
 * writes its answer where the grader reads it.  Natively, or without the
 * option, there is no /dev/kstate and kstate() does nothing: the same
 * program runs on the host for comparison. */
#ifndef LABS_KSTATE_H
#define LABS_KSTATE_H
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int kstate_fd = -2;

static int kstate(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (kstate_fd == -2)
		kstate_fd = open("/dev/kstate", O_WRONLY | O_CLOEXEC);
	if (kstate_fd < 0)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	buf[n++] = '\n';
	return write(kstate_fd, buf, n) == n ? 0 : -1;
}

#endif
