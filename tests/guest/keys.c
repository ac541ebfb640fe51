/* keys: the key retention service (add_key, request_key, keyctl) compared
 * with the host kernel.  Serial numbers are random on both, so keys are
 * printed by name; /proc/keys lines by label, without the usage count.
 *
 *   keys basic    add, describe, read, update, search, link, unlink,
 *                 revoke, invalidate, clear, timeouts, /proc/keys
 *   keys errors   the errnos of bad types, payloads, ids and pointers
 *   keys perms    another user: permissions, possession, setperm, chown
 *   keys quota    /proc/key-users and EDQUOT for an unprivileged user
 *   keys special  thread, process and session keyrings across fork,
 *                 threads and exec, request_key's destinations
 *
 * Each test starts in a new anonymous session keyring.
 */
#include "procs.h"
#include <pthread.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

typedef int32_t key_serial_t;
#define KEY_SPEC_THREAD_KEYRING -1
#define KEY_SPEC_PROCESS_KEYRING -2
#define KEY_SPEC_SESSION_KEYRING -3
#define KEY_SPEC_USER_KEYRING -4
#define KEY_SPEC_USER_SESSION_KEYRING -5
#define KEYCTL_GET_KEYRING_ID 0
#define KEYCTL_JOIN_SESSION_KEYRING 1
#define KEYCTL_UPDATE 2
#define KEYCTL_REVOKE 3
#define KEYCTL_CHOWN 4
#define KEYCTL_SETPERM 5
#define KEYCTL_DESCRIBE 6
#define KEYCTL_CLEAR 7
#define KEYCTL_LINK 8
#define KEYCTL_UNLINK 9
#define KEYCTL_SEARCH 10
#define KEYCTL_READ 11
#define KEYCTL_INSTANTIATE 12
#define KEYCTL_SET_REQKEY_KEYRING 14
#define KEYCTL_SET_TIMEOUT 15
#define KEYCTL_GET_SECURITY 17
#define KEYCTL_INVALIDATE 21
#define KEYCTL_GET_PERSISTENT 22
#define KEYCTL_MOVE 30

static void *volatile bad_ptr = (void *)8;

static long add_key(const char *type, const char *desc, const void *p, size_t n, key_serial_t r)
{
	return syscall(__NR_add_key, type, desc, p, n, r);
}

static long request_key(const char *type, const char *desc, const char *callout, key_serial_t r)
{
	return syscall(__NR_request_key, type, desc, callout, r);
}

static long keyctl(int op, unsigned long a, unsigned long b, unsigned long c, unsigned long d)
{
	return syscall(__NR_keyctl, op, a, b, c, d);
}

/* names for the serials this test made */
#define MAXK 64
static key_serial_t serials[MAXK];
static const char *names[MAXK];
static int nkeys;

static void name_key(long serial, const char *name)
{
	if (serial > 0 && nkeys < MAXK) {
		serials[nkeys] = serial;
		names[nkeys++] = name;
	}
}

static const char *key_name(long serial)
{
	static char buf[32];
	for (int i = 0; i < nkeys; i++)
		if (serials[i] == serial)
			return names[i];
	snprintf(buf, sizeof buf, "%s", serial > 0 ? "(other)" : "(none)");
	return buf;
}

#define NAMED(name, expr) do {						\
	errno = 0;							\
	long _r = (expr);						\
	if (_r < 0)							\
		printf("%s = %s -> %s\n", name, #expr, strerror(errno));	\
	else {								\
		name_key(_r, name);					\
		printf("%s = %s -> ok\n", name, #expr);		\
	}								\
} while (0)

/* SHOW, with a serial number printed as the key's name */
#define SHOWK(expr) do {						\
	errno = 0;							\
	long _r = (long)(expr);						\
	int _e = errno;							\
	if (_r < 0)							\
		printf("%s -> %ld (%s)\n", #expr, _r, strerror(_e));	\
	else if (_r < 3)						\
		printf("%s -> %ld\n", #expr, _r);			\
	else								\
		printf("%s -> key %s\n", #expr, key_name(_r));		\
} while (0)

static key_serial_t K(const char *name)
{
	for (int i = nkeys - 1; i >= 0; i--)
		if (!strcmp(names[i], name))
			return serials[i];
	return 0;
}

static void describe(const char *name, key_serial_t k)
{
	char buf[256];
	long n = keyctl(KEYCTL_DESCRIBE, k, (unsigned long)buf, sizeof buf, 0);
	if (n < 0)
		printf("describe %s -> %s\n", name, strerror(errno));
	else
		printf("describe %s -> %ld %s\n", name, n, buf);
}

static void readkey(const char *name, key_serial_t k)
{
	char buf[256];
	long n = keyctl(KEYCTL_READ, k, (unsigned long)buf, sizeof buf, 0);
	if (n < 0) {
		printf("read %s -> %s\n", name, strerror(errno));
		return;
	}
	printf("read %s -> %ld:", name, n);
	for (long i = 0; i < n && i < (long)sizeof buf; i++)
		printf(" %02x", (unsigned char)buf[i]);
	printf("\n");
}

/* the keys in a keyring, by name */
static void list(const char *name, key_serial_t ring)
{
	key_serial_t buf[64];
	long n = keyctl(KEYCTL_READ, ring, (unsigned long)buf, sizeof buf, 0);
	if (n < 0) {
		printf("list %s -> %s\n", name, strerror(errno));
		return;
	}
	/* the order is the kernel's hash order: print sorted names */
	const char *sorted[64];
	int m = 0;
	for (long i = 0; i < n / 4 && i < 64; i++)
		sorted[m++] = key_name(buf[i]);
	for (int i = 1; i < m; i++)
		for (int j = i; j > 0 && strcmp(sorted[j - 1], sorted[j]) > 0; j--) {
			const char *x = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = x;
		}
	printf("list %s -> %ld:", name, n / 4);
	for (int i = 0; i < m; i++)
		printf(" %s", sorted[i]);
	printf("\n");
}

/* our keys' /proc/keys lines: flags, expiry, perm, uid, gid, type, description */
static void proc_keys(void)
{
	FILE *f = fopen("/proc/keys", "r");
	char line[512];
	static char out[64][512];       /* sorted by name: serials are random */
	int nout = 0;
	if (!f) {
		printf("/proc/keys: %s\n", strerror(errno));
		return;
	}
	while (fgets(line, sizeof line, f)) {
		unsigned serial;
		char flags[16], expiry[16], rest[400];
		int usage;
		if (sscanf(line, "%x %15s %d %15s %399[^\n]", &serial, flags, &usage, expiry, rest) != 5)
			continue;
		const char *n = key_name(serial);
		/* r1 was replaced: Linux frees it (and u0 in it) when its
		 * garbage collector runs, so whether they are still listed
		 * is a matter of timing */
		if (n[0] == '(' || !strcmp(n, "r1") || !strcmp(n, "u0"))
			continue;
		if (nout < 64)
			snprintf(out[nout++], 512, "proc %s: %s %s %s\n", n, flags,
				 strcmp(expiry, "perm") && strcmp(expiry, "expd") ? "timed" : expiry, rest);
	}
	fclose(f);
	qsort(out, nout, 512, (int (*)(const void *, const void *))strcmp);
	for (int i = 0; i < nout; i++)
		fputs(out[i], stdout);
}

static void new_session(void)
{
	NAMED("ses", keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0));
}

static void basic(void)
{
	char big[40000];
	memset(big, 'x', sizeof big);
	new_session();
	describe("ses", K("ses"));
	NAMED("u1", add_key("user", "u1", "hello", 5, KEY_SPEC_SESSION_KEYRING));
	NAMED("l1", add_key("logon", "svc:l1", "secret", 6, KEY_SPEC_SESSION_KEYRING));
	NAMED("r1", add_key("keyring", "r1", NULL, 0, KEY_SPEC_SESSION_KEYRING));
	NAMED("u2", add_key("user", "u2", big, 32767, KEY_SPEC_SESSION_KEYRING));
	NAMED("u0", add_key("user", "u0", "in r1", 5, K("r1")));
	describe("u1", K("u1"));
	describe("l1", K("l1"));
	describe("r1", K("r1"));
	readkey("u1", K("u1"));
	readkey("l1", K("l1"));
	list("ses", K("ses"));
	list("r1", K("r1"));
	printf("read u2 -> %ld\n", keyctl(KEYCTL_READ, K("u2"), 0, 0, 0));
	/* a buffer too small: the length, nothing copied */
	char small[3] = "..";
	printf("read u1 small -> %ld %s\n", keyctl(KEYCTL_READ, K("u1"), (unsigned long)small, 2, 0), small);
	printf("describe u1 small -> %ld\n", keyctl(KEYCTL_DESCRIBE, K("u1"), (unsigned long)small, 2, 0));
	/* add_key of an existing user key updates it (same serial) */
	long again = add_key("user", "u1", "world!", 6, KEY_SPEC_SESSION_KEYRING);
	printf("re-add u1 same serial: %d\n", again == K("u1"));
	readkey("u1", K("u1"));
	SHOWK(keyctl(KEYCTL_UPDATE, K("u1"), (unsigned long)"upd", 3, 0));
	readkey("u1", K("u1"));
	SHOWK(keyctl(KEYCTL_UPDATE, K("r1"), (unsigned long)"x", 1, 0));
	SHOWK(keyctl(KEYCTL_UPDATE, K("u1"), 0, 0, 0));
	/* a second keyring of the same name replaces the first */
	NAMED("r1b", add_key("keyring", "r1", NULL, 0, KEY_SPEC_SESSION_KEYRING));
	printf("r1b new serial: %d\n", K("r1b") != K("r1"));
	list("ses", K("ses"));
	/* search */
	NAMED("found", keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (unsigned long)"user",
			      (unsigned long)"u1", 0));
	printf("found is u1: %d\n", K("found") == K("u1"));
	SHOWK(keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (unsigned long)"user",
		    (unsigned long)"nothere", 0));
	SHOWK(keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (unsigned long)"logon",
		    (unsigned long)"svc:l1", K("r1b")));
	list("r1b", K("r1b"));
	NAMED("u3", add_key("user", "u3", "deep", 4, K("r1b")));
	NAMED("found3", keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (unsigned long)"user",
			       (unsigned long)"u3", 0));
	printf("found3 is u3: %d\n", K("found3") == K("u3"));
	/* link, unlink, loops */
	SHOWK(keyctl(KEYCTL_LINK, K("u1"), K("r1b"), 0, 0));
	list("r1b", K("r1b"));
	SHOWK(keyctl(KEYCTL_UNLINK, K("u1"), K("r1b"), 0, 0));
	SHOWK(keyctl(KEYCTL_UNLINK, K("u1"), K("r1b"), 0, 0));
	SHOWK(keyctl(KEYCTL_LINK, K("r1b"), K("r1b"), 0, 0));
	SHOWK(keyctl(KEYCTL_LINK, K("ses"), K("r1b"), 0, 0));
	SHOWK(keyctl(KEYCTL_LINK, K("u1"), K("u3"), 0, 0));
	SHOWK(keyctl(KEYCTL_MOVE, K("u3"), K("r1b"), KEY_SPEC_SESSION_KEYRING, 0));
	list("ses", K("ses"));
	list("r1b", K("r1b"));
	/* get_security: no LSM, an empty string */
	char sec[8] = "zz";
	SHOWK(keyctl(KEYCTL_GET_SECURITY, K("u1"), (unsigned long)sec, sizeof sec, 0));
	printf("security '%s'\n", sec);
	/* setperm: possession still reads */
	SHOWK(keyctl(KEYCTL_SETPERM, K("u1"), 0x3f010000 & ~0x02000000, 0, 0));
	describe("u1", K("u1"));
	readkey("u1", K("u1"));
	/* timeouts */
	SHOWK(keyctl(KEYCTL_SET_TIMEOUT, K("u3"), 1, 0, 0));
	SHOWK(keyctl(KEYCTL_SET_TIMEOUT, K("l1"), 1000, 0, 0));
	proc_keys();
	sleep(2);
	readkey("u3", K("u3"));
	describe("u3", K("u3"));
	SHOWK(keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (unsigned long)"user",
		    (unsigned long)"u3", 0));
	SHOWK(request_key("user", "u3", NULL, 0));
	/* revoke, invalidate, clear */
	SHOWK(keyctl(KEYCTL_REVOKE, K("u2"), 0, 0, 0));
	readkey("u2", K("u2"));
	describe("u2", K("u2"));
	SHOWK(keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (unsigned long)"user",
		    (unsigned long)"u2", 0));
	SHOWK(request_key("user", "u2", NULL, 0));
	NAMED("u4", add_key("user", "u4", "4", 1, KEY_SPEC_SESSION_KEYRING));
	NAMED("req", request_key("user", "u4", NULL, 0));
	printf("req is u4: %d\n", K("req") == K("u4"));
	proc_keys();
	/* until Linux's garbage collector has run, an invalidated key is
	 * still linked: only what holds either way is compared */
	SHOWK(keyctl(KEYCTL_INVALIDATE, K("u1"), 0, 0, 0));
	describe("u1", K("u1"));
	SHOWK(keyctl(KEYCTL_INVALIDATE, K("u1"), 0, 0, 0));
	SHOWK(keyctl(KEYCTL_CLEAR, K("u4"), 0, 0, 0));
	SHOWK(keyctl(KEYCTL_CLEAR, KEY_SPEC_SESSION_KEYRING, 0, 0, 0));
	list("ses", K("ses"));
}

static void errors(void)
{
	char big[40000];
	memset(big, 'x', sizeof big);
	new_session();
	SHOWK(add_key("", "x", "p", 1, KEY_SPEC_SESSION_KEYRING));
	SHOWK(add_key(".user", "x", "p", 1, KEY_SPEC_SESSION_KEYRING));
	SHOWK(add_key("nosuchtype", "x", "p", 1, KEY_SPEC_SESSION_KEYRING));
	SHOWK(add_key("user", "x", "p", 0, KEY_SPEC_SESSION_KEYRING));
	SHOWK(add_key("user", "x", big, 32768, KEY_SPEC_SESSION_KEYRING));
	SHOWK(add_key("user", "x", big, 1 << 20, KEY_SPEC_SESSION_KEYRING));
	SHOWK(add_key("logon", "nocolon", "p", 1, KEY_SPEC_SESSION_KEYRING));
	SHOWK(add_key("logon", ":x", "p", 1, KEY_SPEC_SESSION_KEYRING));
	SHOWK(add_key("keyring", "x", "p", 1, KEY_SPEC_SESSION_KEYRING));
	SHOWK(add_key("user", "", "p", 1, KEY_SPEC_SESSION_KEYRING));
	SHOWK(add_key("user", NULL, "p", 1, KEY_SPEC_SESSION_KEYRING));
	SHOWK(add_key(bad_ptr, "x", "p", 1, KEY_SPEC_SESSION_KEYRING));
	SHOWK(add_key("user", bad_ptr, "p", 1, KEY_SPEC_SESSION_KEYRING));
	SHOWK(add_key("user", "x", bad_ptr, 1, KEY_SPEC_SESSION_KEYRING));
	SHOWK(add_key("user", "x", NULL, 1, KEY_SPEC_SESSION_KEYRING));
	SHOWK(add_key("user", "x", "p", 1, 0));
	SHOWK(add_key("user", "x", "p", 1, -100));
	SHOWK(add_key("user", "x", "p", 1, 12345));
	NAMED("u", add_key("user", "u", "p", 1, KEY_SPEC_SESSION_KEYRING));
	SHOWK(add_key("user", "x", "p", 1, K("u")));
	SHOWK(keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 0, 0, 0));
	SHOWK(keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 0, 0, 0));
	SHOWK(keyctl(KEYCTL_GET_KEYRING_ID, -6, 0, 0, 0));
	SHOWK(keyctl(KEYCTL_GET_KEYRING_ID, -7, 0, 0, 0));
	SHOWK(keyctl(KEYCTL_GET_KEYRING_ID, -100, 0, 0, 0));
	NAMED("thr", keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 1, 0, 0));
	describe("thr", K("thr"));
	SHOWK(keyctl(KEYCTL_READ, 12345, 0, 0, 0));
	SHOWK(keyctl(KEYCTL_DESCRIBE, K("u"), (unsigned long)bad_ptr, 100, 0));
	SHOWK(keyctl(KEYCTL_READ, K("u"), (unsigned long)bad_ptr, 100, 0));
	SHOWK(keyctl(KEYCTL_SETPERM, K("u"), 0x40000000, 0, 0));
	SHOWK(keyctl(KEYCTL_INSTANTIATE, K("u"), 0, 0, 0));
	SHOWK(keyctl(9999, 0, 0, 0, 0));
	SHOWK(keyctl(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long)".dot", 0, 0, 0));
	SHOWK(keyctl(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long)bad_ptr, 0, 0, 0));
	SHOWK(keyctl(KEYCTL_SEARCH, K("u"), (unsigned long)"user", (unsigned long)"u", 0));
	SHOWK(keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (unsigned long)"nosuch",
		    (unsigned long)"u", 0));
	SHOWK(keyctl(KEYCTL_SET_REQKEY_KEYRING, 99, 0, 0, 0));
	SHOWK(keyctl(KEYCTL_SET_REQKEY_KEYRING, -1, 0, 0, 0));
	SHOWK(request_key("user", "missing", NULL, 0));
	SHOWK(request_key(".user", "missing", NULL, 0));
	SHOWK(request_key(bad_ptr, "missing", NULL, 0));
	SHOWK(request_key("user", bad_ptr, NULL, 0));
	SHOWK(request_key("user", "missing", bad_ptr, 0));
	SHOWK(request_key("nosuch", "missing", NULL, 0));
	SHOWK(request_key("user", "missing", NULL, 12345));
	/* with callout information: no helper makes it, a negative key stays */
	NAMED("neg", request_key("user", "pyuml-test:never", "info", KEY_SPEC_SESSION_KEYRING));
	SHOWK(request_key("user", "pyuml-test:never", NULL, 0));
	list("ses", K("ses"));
}

static void as_other(void)
{
	/* the root-owned session keyring: inherited but not searchable */
	readkey("u", K("u"));
	describe("u", K("u"));
	describe("ses", K("ses"));
	describe("open", K("open"));
	readkey("open", K("open"));
	SHOWK(keyctl(KEYCTL_UPDATE, K("open"), (unsigned long)"new", 3, 0));
	SHOWK(keyctl(KEYCTL_SETPERM, K("open"), 0x3f3f0000, 0, 0));
	SHOWK(keyctl(KEYCTL_REVOKE, K("u"), 0, 0, 0));
	SHOWK(keyctl(KEYCTL_LINK, K("u"), KEY_SPEC_SESSION_KEYRING, 0, 0));
	SHOWK(keyctl(KEYCTL_CHOWN, K("mine"), 0, -1, 0));
	SHOWK(keyctl(KEYCTL_CHOWN, K("mine"), -1, 7, 0));
	describe("mine", K("mine"));
	readkey("mine", K("mine"));
	SHOWK(add_key("user", "x", "p", 1, KEY_SPEC_SESSION_KEYRING));
	NAMED("own", keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0));
	describe("own", K("own"));
	NAMED("x", add_key("user", "x", "p", 1, KEY_SPEC_SESSION_KEYRING));
	describe("x", K("x"));
	SHOWK(keyctl(KEYCTL_SETPERM, K("x"), 0, 0, 0));
	describe("x", K("x"));
	readkey("x", K("x"));
	SHOWK(keyctl(KEYCTL_SETPERM, K("x"), 0x3f3f0000, 0, 0));
	describe("user keyring", keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 1, 0, 0));
	describe("user session keyring", keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_SESSION_KEYRING, 1, 0, 0));
}

static void perms(void)
{
	new_session();
	NAMED("u", add_key("user", "u", "root's", 6, KEY_SPEC_SESSION_KEYRING));
	NAMED("open", add_key("user", "open", "all", 3, KEY_SPEC_SESSION_KEYRING));
	SHOWK(keyctl(KEYCTL_SETPERM, K("open"), 0x3f00003f, 0, 0));
	NAMED("mine", add_key("user", "mine", "child's", 7, KEY_SPEC_SESSION_KEYRING));
	SHOWK(keyctl(KEYCTL_SETPERM, K("mine"), 0x3f3f0000, 0, 0));
	SHOWK(keyctl(KEYCTL_CHOWN, K("mine"), 65534, 65534, 0));
	describe("mine", K("mine"));
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(99);
		as_other();
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	printf("child %d\n", st);
}

static void key_user_line(uid_t uid, int *v)
{
	FILE *f = fopen("/proc/key-users", "r");
	char line[256];
	memset(v, 0, 6 * sizeof *v);
	while (f && fgets(line, sizeof line, f)) {
		unsigned u;
		int usage;
		if (sscanf(line, "%u: %d %d/%d %d/%d %d/%d", &u, &usage, &v[0], &v[1], &v[2], &v[3],
			   &v[4], &v[5]) == 8 && u == uid)
			break;
		memset(v, 0, 6 * sizeof *v);
	}
	if (f)
		fclose(f);
}

static void quota(void)
{
	char big[20000];
	int a[6], b[6];
	memset(big, 'q', sizeof big);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		if (setgid(4242) || setuid(4242))
			_exit(99);
		key_user_line(4242, a);
		new_session();
		key_user_line(4242, b);
		printf("session: keys +%d/+%d quota +%d bytes +%d, max %d %d\n",
		       b[0] - a[0], b[1] - a[1], b[2] - a[2], b[4] - a[4], b[3], b[5]);
		a[0] = b[0], a[2] = b[2], a[4] = b[4];
		NAMED("k", add_key("user", "abc", "12345", 5, KEY_SPEC_SESSION_KEYRING));
		key_user_line(4242, b);
		printf("user key: keys +%d quota +%d bytes +%d\n", b[0] - a[0], b[2] - a[2], b[4] - a[4]);
		add_key("user", "abc", "1", 1, KEY_SPEC_SESSION_KEYRING);
		key_user_line(4242, a);
		printf("update: bytes %+d\n", a[4] - b[4]);
		SHOWK(add_key("user", "big", big, 20000, KEY_SPEC_SESSION_KEYRING));
		int room = b[5] - a[4] - 8 - 4;
		NAMED("fit", add_key("user", "fit", big, room, KEY_SPEC_SESSION_KEYRING));
		key_user_line(4242, b);
		printf("full: %d of %d\n", b[4], b[5]);
		SHOWK(add_key("user", "one", "1", 1, KEY_SPEC_SESSION_KEYRING));
		SHOWK(keyctl(KEYCTL_UPDATE, K("k"), (unsigned long)"123", 3, 0));
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	/* a fresh user runs out of keys before bytes */
	c = fork();
	if (c == 0) {
		if (setgid(4243) || setuid(4243))
			_exit(99);
		new_session();
		int i, made = 0;
		char d[16];
		for (i = 0; i < 300; i++) {
			snprintf(d, sizeof d, "n%d", i);
			if (add_key("user", d, "1", 1, KEY_SPEC_SESSION_KEYRING) < 0)
				break;
			made++;
		}
		key_user_line(4243, b);
		printf("made %d more, then %s; keys %d of %d\n", made, strerror(errno), b[2], b[3]);
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
}

static void *thread_fn(void *arg)
{
	(void)arg;
	printf("thread: thread keyring %s\n",
	       key_name(keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 0, 0, 0)));
	printf("thread: process keyring %s\n",
	       key_name(keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 0, 0, 0)));
	printf("thread: session keyring %s\n",
	       key_name(keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0, 0)));
	return NULL;
}

static void special(char *self)
{
	new_session();
	NAMED("thr", keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 1, 0, 0));
	NAMED("proc", keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 1, 0, 0));
	describe("thr", K("thr"));
	describe("proc", K("proc"));
	NAMED("t1", add_key("user", "t1", "t", 1, KEY_SPEC_THREAD_KEYRING));
	NAMED("p1", add_key("user", "p1", "p", 1, KEY_SPEC_PROCESS_KEYRING));
	SHOWK(keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 1, 0, 0) == K("thr"));
	SHOWK(request_key("user", "t1", NULL, 0) == K("t1"));
	SHOWK(request_key("user", "p1", NULL, 0) == K("p1"));
	pthread_t th;
	fflush(stdout);
	pthread_create(&th, NULL, thread_fn, NULL);
	pthread_join(th, NULL);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		thread_fn(NULL);
		SHOWK(request_key("user", "p1", NULL, 0));
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	/* the request-key default destination */
	SHOWK(keyctl(KEYCTL_SET_REQKEY_KEYRING, 1, 0, 0, 0));
	SHOWK(keyctl(KEYCTL_SET_REQKEY_KEYRING, -1, 0, 0, 0));
	SHOWK(keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 0, 0, 0) == K("thr"));
	NAMED("neg", request_key("user", "pyuml-test:never2", "info", 0));
	list("thr", K("thr"));
	SHOWK(keyctl(KEYCTL_SET_REQKEY_KEYRING, 3, 0, 0, 0));
	NAMED("neg2", request_key("user", "pyuml-test:never3", "info", 0));
	list("ses", K("ses"));
	/* exec drops thread and process keyrings */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		execl("/prog", "/prog", "afterexec", NULL);     /* pyuml */
		execl("/proc/self/exe", self, "afterexec", NULL);
		_exit(98);
	}
	waitpid(c, NULL, 0);
	/* named session keyrings */
	NAMED("named", keyctl(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long)"pyuml-named", 0, 0, 0));
	describe("named", K("named"));
	NAMED("named2", keyctl(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long)"pyuml-named", 0, 0, 0));
	printf("joined the same: %d\n", K("named") == K("named2"));
}

static void afterexec(void)
{
	printf("exec: thread %s\n", strerror(keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING,
						     0, 0, 0) < 0 ? errno : 0));
	printf("exec: process %s\n", strerror(keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING,
						      0, 0, 0) < 0 ? errno : 0));
	char buf[64];
	long n = keyctl(KEYCTL_DESCRIBE, KEY_SPEC_SESSION_KEYRING, (unsigned long)buf, sizeof buf, 0);
	printf("exec: session %s\n", n > 0 ? buf : strerror(errno));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "afterexec")) {
		afterexec();
		return 0;
	}
	if (access("/proc/keys", R_OK)) {       /* pyuml's initramfs: no /proc yet */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	test_as_child();
	if (!strcmp(argv[1], "basic"))
		basic();
	else if (!strcmp(argv[1], "errors"))
		errors();
	else if (!strcmp(argv[1], "perms"))
		perms();
	else if (!strcmp(argv[1], "quota"))
		quota();
	else if (!strcmp(argv[1], "special"))
		special(argv[0]);
	fflush(stdout);
	return 0;
}
