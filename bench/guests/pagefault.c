/* pagefault: first touch of fresh anonymous pages, per page. */
#include <sys/mman.h>
#include "bench.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000;
	char *p = mmap(0, (n + 1) * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		p[i * 4096] = 1;
	report(t0, n);
	return 0;
}
