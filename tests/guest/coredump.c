/* coredump: a child dies of a core-dumping signal; the parent reports the
 * wait status and reads the "core" file the kernel wrote in the child's
 * working directory: an ELF core with the child's pid, signal, registers,
 * command name, and its memory (a marker it left on the heap and the
 * stack).  Run in an empty scratch directory given as argv[1].
 *   argv[2]: "abort", "segv" (a fault at a known address), "limit0"
 *   (RLIMIT_CORE 0: no file, no WCOREDUMP), "small" (RLIMIT_CORE 64 KiB: the
 *   file stops there), "thread" (a second thread: two NT_PRSTATUS). */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#if UINTPTR_MAX == 0xffffffffu
typedef Elf32_Ehdr Ehdr;
typedef Elf32_Phdr Phdr;
#define PRSTATUS_PID 24
#define PRSTATUS_REG 72
#define PRSTATUS_SIZE 144
#define REG_IP (12 * 4)
#define PRPSINFO_FNAME 28
#else
typedef Elf64_Ehdr Ehdr;
typedef Elf64_Phdr Phdr;
#define PRSTATUS_PID 32
#define PRSTATUS_REG 112
#define PRSTATUS_SIZE 336
#define REG_IP (16 * 8)
#define PRPSINFO_FNAME 40
#endif

static const char MARK[] = "pyuml-core-marker-7d1e";
static volatile uintptr_t fault_ip;

static void *sleeper(void *arg)
{
	pause();
	return arg;
}

static void child(const char *mode)
{
	char *heap = malloc(100000);
	memset(heap, 'h', 100000);
	strcpy(heap + 5000, MARK);
	char stack[256];
	snprintf(stack, sizeof stack, "%s-stack", MARK);
	/* a huge untouched mapping must cost nothing in the file */
	mmap(NULL, (size_t)1 << 30, PROT_READ | PROT_WRITE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!strcmp(mode, "thread")) {
		pthread_t th;
		pthread_create(&th, NULL, sleeper, NULL);
		usleep(10000);
	}
	asm volatile("" : : "r"(stack) : "memory");
	if (!strcmp(mode, "segv"))
		*(volatile int *)16 = 1;
	abort();
}

static const char *prog;

static int read_core(const char *mode, pid_t pid)
{
	int fd = open("core", O_RDONLY);
	if (fd < 0) {
		printf("core: %s\n", strerror(errno));
		return 1;
	}
	struct stat st;
	fstat(fd, &st);
	printf("core: regular %d mode %o\n", S_ISREG(st.st_mode), st.st_mode & 07777);
	char *buf = malloc(st.st_size + 1);
	long n = 0, r;
	while (n < st.st_size && (r = read(fd, buf + n, st.st_size - n)) > 0)
		n += r;
	close(fd);
	if (!strcmp(mode, "small")) {
		/* the data stops at the limit (Linux may leave a hole after it) */
		printf("data %d, at most 64 KiB of it: %d\n", n > 0, st.st_blocks * 512 <= 65536);
		return 0;
	}
	Ehdr *eh = (Ehdr *)buf;
	printf("ELF %d type %d (ET_CORE %d) machine %d\n", !memcmp(eh->e_ident, ELFMAG, SELFMAG),
	       eh->e_type, ET_CORE, eh->e_machine);
	Phdr *ph = (Phdr *)(buf + eh->e_phoff);
	int loads = 0, marker = 0, stackmark = 0, threads = 0, sig = 0, pidok = 0, fname = 0;
	int siginfo = 0, auxv = 0, files = 0, ipok = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD) {
			loads++;
			if (ph[i].p_filesz > ph[i].p_memsz || ph[i].p_offset + ph[i].p_filesz > (uint64_t)n)
				printf("segment %d out of the file\n", i);
			else if (memmem(buf + ph[i].p_offset, ph[i].p_filesz, MARK, sizeof MARK))
				marker = 1;
			if (ph[i].p_filesz && memmem(buf + ph[i].p_offset, ph[i].p_filesz, "-stack", 6))
				stackmark = 1;
			continue;
		}
		if (ph[i].p_type != PT_NOTE)
			continue;
		char *p = buf + ph[i].p_offset, *end = p + ph[i].p_filesz;
		while (p + 12 <= end) {
			uint32_t namesz = ((uint32_t *)p)[0], descsz = ((uint32_t *)p)[1], type = ((uint32_t *)p)[2];
			char *name = p + 12, *desc = name + ((namesz + 3) & ~3);
			if (!strcmp(name, "CORE")) {
				if (type == NT_PRSTATUS && descsz == PRSTATUS_SIZE) {
					if (threads++ == 0) {
						sig = *(short *)(desc + 12);
						pidok = *(int *)(desc + PRSTATUS_PID) == pid;
						uintptr_t ip = *(uintptr_t *)(desc + PRSTATUS_REG + REG_IP);
						ipok = ip != 0;
					}
				} else if (type == NT_PRPSINFO) {
					fname = !strncmp(desc + PRPSINFO_FNAME, prog, 15);
				} else if (type == NT_SIGINFO) {
					siginfo = *(int *)desc;
				} else if (type == NT_AUXV) {
					auxv = descsz > 0;
				} else if (type == NT_FILE) {
					files = memmem(desc, descsz, prog, strlen(prog)) != NULL;
				}
			}
			p = desc + ((descsz + 3) & ~3);
		}
	}
	printf("notes: %d thread(s), signal %d, pid ok %d, ip set %d, fname %d, siginfo signo %d, auxv %d, files %d\n",
	       threads, sig, pidok, ipok, fname, siginfo, auxv, files);
	printf("loads > 3: %d, heap marker %d, stack marker %d, under 16 MiB on disk %d\n",
	       loads > 3, marker, stackmark, st.st_blocks * 512 < (16 << 20));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3 || chdir(argv[1]) < 0)
		return 2;
	const char *mode = argv[2];
	prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	if (!strcmp(mode, "limit0"))
		rl.rlim_cur = 0;
	if (!strcmp(mode, "small"))
		rl.rlim_cur = 65536;
	setrlimit(RLIMIT_CORE, &rl);
	setvbuf(stdout, NULL, _IONBF, 0);
	pid_t pid = fork();
	if (pid == 0)
		child(mode);
	int status;
	waitpid(pid, &status, 0);
	printf("signaled %d signal %d core %d\n", WIFSIGNALED(status), WTERMSIG(status),
	       WCOREDUMP(status) ? 1 : 0);
	if (!strcmp(mode, "limit0")) {
		printf("core file: %s\n", access("core", F_OK) ? "none" : "exists");
		return 0;
	}
	return read_core(mode, pid);
}
