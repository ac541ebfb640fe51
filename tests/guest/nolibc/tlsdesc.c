/*
 * tlsdesc: set_thread_area with the descriptors given on the command line,
 * each "entry,base,limit,flags" in hex (entry ffffffff: any free one), then
 * what get_thread_area reads back for the three TLS entries.  No libc, so
 * no entry is taken before we start.  i386 numbers (x86_64's build calls
 * its own numbers for the same calls).
 */
#include "nolibc.h"

#if defined(__i386__)
#define SYS_set_thread_area 243
#define SYS_get_thread_area 244
#else
#define SYS_set_thread_area 205
#define SYS_get_thread_area 211
#endif

struct user_desc { unsigned int entry, base, limit, flags; };

static unsigned int hex(const char **s)
{
	unsigned int v = 0;
	for (;; (*s)++) {
		char c = **s;
		if (c >= '0' && c <= '9') v = v * 16 + c - '0';
		else if (c >= 'a' && c <= 'f') v = v * 16 + c - 'a' + 10;
		else break;
	}
	if (**s == ',') (*s)++;
	return v;
}

static void put_signed(long v)
{
	if (v < 0) { puts_("-"); v = -v; }
	putnum(v);
}

int main(int argc, char **argv, char **envp)
{
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		struct user_desc d;
		d.entry = hex(&s); d.base = hex(&s); d.limit = hex(&s); d.flags = hex(&s);
		long r = sys3(SYS_set_thread_area, (long)&d, 0, 0);
		puts_("set "); put_signed(r); puts_(" entry "); putnum(d.entry); puts_("\n");
	}
	for (unsigned int e = 11; e <= 15; e++) {
		struct user_desc d = { e, 1, 2, 3 };
		long r = sys3(SYS_get_thread_area, (long)&d, 0, 0);
		puts_("get "); putnum(e); puts_(": "); put_signed(r);
		if (r == 0) {
			puts_(" base "); puthex(d.base); puts_(" limit "); puthex(d.limit);
			puts_(" flags "); puthex(d.flags);
		}
		puts_("\n");
	}
	return 0;
}
