/*
 * uaccess: which guest pages the kernel may read or write on a system
 * call's behalf.  x86 cannot map a page write-only or execute-only, so
 * Linux lets copy_from_user read a PROT_WRITE or PROT_EXEC page (the fault
 * path accepts a read of any VM_READ|VM_WRITE|VM_EXEC vma); PROT_NONE and
 * writes into read-only pages are EFAULT.  Each buffer is untouched before
 * the call, so the kernel has to fault it in itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char *fresh(int prot)
{
	char *p = mmap(NULL, 8192, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void result(const char *what, long r)
{
	if (r < 0)
		printf("%s: -1 %s\n", what, strerror(errno));
	else
		printf("%s: %ld\n", what, r);
}

int main(void)
{
	static const char *names[] = {"PROT_NONE", "PROT_READ", "PROT_WRITE", "PROT_READ|PROT_WRITE",
				      "PROT_EXEC", "PROT_READ|PROT_EXEC", "PROT_WRITE|PROT_EXEC", "all"};
	int fds[2];
	char line[96];
	if (pipe2(fds, O_NONBLOCK))
		return 1;
	for (int prot = 0; prot < 8; prot++) {
		/* the kernel reads the buffer (write to a pipe) */
		char *p = fresh(prot);
		snprintf(line, sizeof line, "write from untouched %s", names[prot]);
		result(line, write(fds[1], p + 100, 300));
		char sink[512];
		while (read(fds[0], sink, sizeof sink) > 0)
			;
		/* the kernel writes it (read from a pipe) */
		char *q = fresh(prot);
		if (write(fds[1], "0123456789", 10) != 10)
			return 1;
		snprintf(line, sizeof line, "read into untouched %s", names[prot]);
		long r = read(fds[0], q + 4090, 10);    /* straddles a page boundary */
		result(line, r);
		while (read(fds[0], sink, sizeof sink) > 0)
			;
		if (r == 10 && (prot & PROT_READ))
			printf("  bytes arrived: %.10s\n", q + 4090);
		/* a path name in the page (the kernel reads a string) */
		char *s = fresh(prot);
		snprintf(line, sizeof line, "open of a name in untouched %s", names[prot]);
		errno = 0;
		int fd = open(s, O_RDONLY);
		result(line, fd < 0 ? -1 : 0);
		if (fd >= 0)
			close(fd);
		munmap(p, 8192);
		munmap(q, 8192);
		munmap(s, 8192);
	}
	return 0;
}
