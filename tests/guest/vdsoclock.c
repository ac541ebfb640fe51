/* vdsoclock: the x86_64 vDSO, found as libc finds it (AT_SYSINFO_EHDR, the
 * dynamic symbol table of the image in memory), and each of its functions
 * called directly and compared with the system call it stands for.  Prints
 * only what is the same on every Linux: which symbols exist, orderings,
 * agreement within a second, error values.
 *   argv[1] (optional): N, then N clock_gettime calls through libc. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const Elf64_Sym *symtab;
static const char *strtab;
static unsigned nsyms;
static long bias;

static int load_vdso(unsigned long base)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64)
		return -1;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	int have_load = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !have_load) {
			bias = base + ph[i].p_offset - ph[i].p_vaddr;
			have_load = 1;
		} else if (ph[i].p_type == PT_DYNAMIC) {
			dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
		}
	}
	if (!have_load || !dyn)
		return -2;
	const Elf32_Word *hash = NULL;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			symtab = (const Elf64_Sym *)(dyn->d_un.d_ptr + bias);
		else if (dyn->d_tag == DT_STRTAB)
			strtab = (const char *)(dyn->d_un.d_ptr + bias);
		else if (dyn->d_tag == DT_HASH)
			hash = (const Elf32_Word *)(dyn->d_un.d_ptr + bias);
	}
	if (!symtab || !strtab || !hash)
		return -3;
	nsyms = hash[1];			/* nchain: one per symbol */
	return 0;
}

static void *vdso_sym(const char *name)
{
	for (unsigned i = 0; i < nsyms; i++) {
		const Elf64_Sym *s = &symtab[i];
		if (s->st_shndx != SHN_UNDEF && ELF64_ST_TYPE(s->st_info) == STT_FUNC
		    && !strcmp(strtab + s->st_name, name))
			return (void *)(bias + s->st_value);
	}
	return NULL;
}

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

typedef long (*cgt_t)(long, struct timespec *);
typedef long (*gtod_t)(struct timeval *, void *);
typedef long (*time_t_fn)(time_t *);
typedef long (*getcpu_t)(unsigned *, unsigned *, void *);

int main(int argc, char **argv)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	printf("AT_SYSINFO_EHDR %s\n", base ? "present" : "absent");
	if (!base)
		return 1;
	int r = load_vdso(base);
	printf("image %d\n", r);
	if (r)
		return 1;
	static const char *names[] = { "__vdso_clock_gettime", "__vdso_gettimeofday",
		"__vdso_time", "__vdso_getcpu", "__vdso_clock_getres" };
	for (unsigned i = 0; i < sizeof names / sizeof *names; i++)
		printf("%s %s\n", names[i], vdso_sym(names[i]) ? "found" : "missing");

	cgt_t cgt = (cgt_t)vdso_sym("__vdso_clock_gettime");
	gtod_t gtod = (gtod_t)vdso_sym("__vdso_gettimeofday");
	time_t_fn vtime = (time_t_fn)vdso_sym("__vdso_time");
	getcpu_t getcpu = (getcpu_t)vdso_sym("__vdso_getcpu");
	cgt_t getres = (cgt_t)vdso_sym("__vdso_clock_getres");
	if (!cgt || !gtod || !vtime || !getcpu || !getres)
		return 1;

	/* the vDSO's clocks are the kernel's: a system call read between two
	 * vDSO reads falls between them */
	static const int clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME,
		CLOCK_MONOTONIC_RAW, CLOCK_TAI };
	static const char *cnames[] = { "REALTIME", "MONOTONIC", "BOOTTIME", "MONOTONIC_RAW", "TAI" };
	for (unsigned i = 0; i < sizeof clocks / sizeof *clocks; i++) {
		struct timespec a, s, b;
		long ra = cgt(clocks[i], &a);
		long rs = syscall(SYS_clock_gettime, clocks[i], &s);
		long rb = cgt(clocks[i], &b);
		/* within 10 ms: MONOTONIC_RAW and friends are not slewed alike */
		int ordered = ns(&a) <= ns(&b) && ns(&s) >= ns(&a) - 10000000 && ns(&s) <= ns(&b) + 10000000;
		printf("%-13s %ld %ld %ld ordered %d\n", cnames[i], ra, rs, rb, ordered);
	}
	/* coarse clocks lag the fine ones by at most a tick */
	struct timespec f, c;
	long rc = cgt(CLOCK_MONOTONIC_COARSE, &c);
	cgt(CLOCK_MONOTONIC, &f);
	printf("MONOTONIC_COARSE %ld close %d\n", rc, ns(&f) - ns(&c) < 1000000000LL && ns(&c) <= ns(&f));
	rc = cgt(CLOCK_REALTIME_COARSE, &c);
	cgt(CLOCK_REALTIME, &f);
	printf("REALTIME_COARSE %ld close %d\n", rc, ns(&f) - ns(&c) < 1000000000LL && ns(&c) <= ns(&f));
	/* a coarse clock read by the system call and by the vDSO is one clock:
	 * never backwards from one to the other (LTP clock_gettime04); its
	 * resolution is the tick's */
	static const int coarse[] = { CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE };
	for (int i = 0; i < 2 && argc == 1; i++) {	/* not when counting calls */
		int back = 0;
		for (int j = 0; j < 2000; j++) {
			struct timespec s1, v, s2;
			syscall(SYS_clock_gettime, coarse[i], &s1);
			cgt(coarse[i], &v);
			syscall(SYS_clock_gettime, coarse[i], &s2);
			back += ns(&v) < ns(&s1) || ns(&s2) < ns(&v);
		}
		struct timespec res;
		long rr = syscall(SYS_clock_getres, coarse[i], &res);
		printf("coarse clock %d: %d backwards, getres %ld %ld ns\n", coarse[i], back, rr,
		       (long)res.tv_sec * 1000000000L + res.tv_nsec);
	}
	/* CPU clocks and bad ids: what the system call says, -errno returned */
	struct timespec cpu;
	printf("PROCESS_CPUTIME %ld sane %d\n", cgt(CLOCK_PROCESS_CPUTIME_ID, &cpu),
	       cpu.tv_sec >= 0 && cpu.tv_nsec >= 0 && cpu.tv_nsec < 1000000000);
	printf("THREAD_CPUTIME %ld\n", cgt(CLOCK_THREAD_CPUTIME_ID, &cpu));
	printf("clock 100: %ld\n", cgt(100, &cpu));
	printf("clock -1000: %ld\n", cgt(-1000, &cpu));

	struct timeval tv;
	long rg = gtod(&tv, NULL);
	time_t t1;
	long rt = vtime(&t1);
	/* time() reads the coarse clock, which may trail gettimeofday's by a
	 * tick: just after a second begins it can still say the last one */
	printf("gettimeofday %ld time %d agree %d\n", rg, rt == t1, t1 - tv.tv_sec >= -1 && t1 - tv.tv_sec <= 1);
	printf("gettimeofday NULL %ld\n", gtod(NULL, NULL));
	printf("time NULL agrees %d\n", vtime(NULL) - t1 <= 1);

	unsigned cpun = 9999, node = 9999;
	long rcpu = getcpu(&cpun, &node, NULL);
	printf("getcpu %ld cpu in range %d node %u\n", rcpu,
	       cpun < (unsigned)sysconf(_SC_NPROCESSORS_ONLN), node);
	printf("getcpu NULL %ld\n", getcpu(NULL, NULL, NULL));

	struct timespec rv, rs;
	long rr = getres(CLOCK_MONOTONIC, &rv);
	syscall(SYS_clock_getres, CLOCK_MONOTONIC, &rs);
	printf("getres %ld same %d\n", rr, rv.tv_sec == rs.tv_sec && rv.tv_nsec == rs.tv_nsec);
	printf("getres bad %ld\n", getres(100, &rv));

	/* through libc, many times: never backwards */
	long n = argc > 1 ? atol(argv[1]) : 10000, back = 0;
	struct timespec prev, now;
	clock_gettime(CLOCK_MONOTONIC, &prev);
	for (long i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		back += ns(&now) < ns(&prev);
		prev = now;
	}
	printf("%ld reads, %ld backwards\n", n, back);
	return 0;
}
