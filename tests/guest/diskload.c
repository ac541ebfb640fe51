/* diskload: a file-system workload whose transcript depends only on what
 * the file system stores: data written in odd sizes and at odd offsets,
 * sparse files (past 4 GiB), truncation down and up, O_APPEND, shared
 * mmap writes, hard and symbolic links (short and long), renames over
 * files and directories, many names in one directory, a large file's
 * checksum.  Run in a scratch directory argv[1]: natively on tmpfs and
 * under pyuml on a mounted ext2 image; the outputs must be the same.
 *
 * diskload DIR OP...: instead, run the operations given (hypothesis makes
 * them, tests/test_disk.py), one result line each, then the tree:
 *   c:P create   w:P:OFF:LEN:SEED write   t:P:LEN truncate   r:A:B rename
 *   l:A:B link   u:P unlink   m:P mkdir   d:P rmdir   s:T:P symlink */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t fnv(const unsigned char *p, size_t n, uint32_t h)
{
	while (n--) { h ^= *p++; h *= 16777619u; }
	return h;
}

static void fill(unsigned char *buf, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = seed >> 16;
	}
}

static void show(const char *p)
{
	struct stat st;
	if (lstat(p, &st) < 0) { printf("%s: %s\n", p, strerror(errno)); return; }
	printf("%s mode=%o nlink=%lu", p, st.st_mode, (unsigned long)st.st_nlink);
	if (!S_ISDIR(st.st_mode))               /* a directory's size is the fs's business */
		printf(" size=%lld", (long long)st.st_size);
	if (S_ISREG(st.st_mode)) {
		int fd = open(p, O_RDONLY);
		unsigned char buf[65536];
		uint32_t h = 2166136261u;
		ssize_t n;
		long long total = 0;
		while ((n = read(fd, buf, sizeof buf)) > 0) {
			h = fnv(buf, n, h);
			total += n;
			if (total > (16 << 20)) break;          /* sparse giants: the head */
		}
		close(fd);
		printf(" fnv=%08x", h);
	} else if (S_ISLNK(st.st_mode)) {
		char t[5000];
		ssize_t n = readlink(p, t, sizeof t - 1);
		t[n < 0 ? 0 : n] = 0;
		printf(" -> %.40s(%zd)", t, n);
	}
	printf("\n");
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) { printf("opendir %s: %s\n", dir, strerror(errno)); return; }
	char *names[4096];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 4096)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, cmp);
	for (int i = 0; i < n; i++) {
		char p[4096];
		struct stat st;
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		show(p);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			tree(p);
		free(names[i]);
	}
}

#define CHECK(x) do { if ((x) < 0) printf("%d %s: %s\n", __LINE__, #x, strerror(errno)); } while (0)

static unsigned char buf[1 << 20];

static int script(int n, char **ops)
{
	for (int i = 0; i < n; i++) {
		char op[512], *f[6] = {0};
		int k = 0;
		snprintf(op, sizeof op, "%s", ops[i]);
		for (char *p = strtok(op, ":"); p && k < 6; p = strtok(NULL, ":"))
			f[k++] = p;
		int r = -1, fd;
		errno = 0;
		switch (op[0]) {
		case 'c': r = fd = open(f[1], O_CREAT | O_WRONLY, 0644); if (fd >= 0) close(fd); break;
		case 'w': {
			size_t len = strtoul(f[3], 0, 0);
			if (len > sizeof buf) len = sizeof buf;
			fill(buf, len, atoi(f[4]));
			r = fd = open(f[1], O_WRONLY);
			if (fd >= 0) { r = pwrite(fd, buf, len, strtoll(f[2], 0, 0)); close(fd); }
			break;
		}
		case 't': r = truncate(f[1], strtoll(f[2], 0, 0)); break;
		case 'r': r = rename(f[1], f[2]); break;
		case 'l': r = link(f[1], f[2]); break;
		case 'u': r = unlink(f[1]); break;
		case 'm': r = mkdir(f[1], 0755); break;
		case 'd': r = rmdir(f[1]); break;
		case 's': r = symlink(f[1], f[2]); break;
		}
		printf("%s -> %s\n", ops[i], r < 0 ? strerror(errno) : "ok");
	}
	tree(".");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || mkdir(argv[1], 0755) < 0 || chdir(argv[1]) < 0) {
		perror("scratch dir");
		return 2;
	}
	umask(022);
	if (argc > 2)
		return script(argc - 2, argv + 2);
	/* data in odd sizes at odd offsets */
	int fd = open("data", O_CREAT | O_RDWR, 0644);
	for (int i = 0; i < 40; i++) {
		size_t n = (i * 7919) % 70000 + 1;
		fill(buf, n, i);
		CHECK(pwrite(fd, buf, n, (off_t)i * 33333));
	}
	close(fd);
	/* a sparse file with data past 4 GiB, and holes between */
	fd = open("sparse", O_CREAT | O_RDWR, 0600);
	fill(buf, 5000, 99);
	CHECK(pwrite(fd, buf, 5000, 1 << 20));
	CHECK(pwrite(fd, buf, 5000, (5LL << 30) + 123));
	off_t end = lseek(fd, 0, SEEK_END);
	memset(buf, 1, 100);
	CHECK(pread(fd, buf, 100, (3LL << 30)));
	printf("sparse end=%lld hole-byte=%d\n", (long long)end, buf[50]);
	CHECK(pread(fd, buf, 10, (5LL << 30) + 123));
	printf("sparse far %02x%02x\n", buf[0], buf[9]);
	close(fd);
	/* truncate down into a block, then grow again: the tail reads zeros */
	fd = open("trunc", O_CREAT | O_RDWR, 0644);
	fill(buf, 300000, 7);
	CHECK(write(fd, buf, 300000));
	CHECK(ftruncate(fd, 5000));
	CHECK(ftruncate(fd, 200000));
	CHECK(pwrite(fd, "end", 3, 199997));
	close(fd);
	CHECK(truncate("trunc", 150001));
	/* O_APPEND */
	fd = open("log", O_CREAT | O_WRONLY | O_APPEND, 0644);
	for (int i = 0; i < 500; i++) {
		char line[64];
		int n = snprintf(line, sizeof line, "line %d\n", i);
		CHECK(write(fd, line, n));
		if (i == 250) CHECK(lseek(fd, 0, SEEK_SET));
	}
	close(fd);
	/* shared mmap writes reach the file */
	fd = open("mapped", O_CREAT | O_RDWR, 0644);
	CHECK(ftruncate(fd, 3 * 4096 + 100));
	char *m = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m != MAP_FAILED) {
		for (int i = 0; i < 3 * 4096 + 100; i += 97) m[i] = 'a' + i % 26;
		CHECK(msync(m, 4 * 4096, MS_SYNC));
		munmap(m, 4 * 4096);
	}
	close(fd);
	/* links */
	CHECK(link("data", "data.hard"));
	CHECK(symlink("data", "short.link"));
	char target[1000];         /* a slow symlink that fits a 1 KiB block */
	memset(target, 'x', sizeof target - 1);
	target[sizeof target - 1] = 0;
	CHECK(symlink(target, "long.link"));
	/* directories, renames */
	CHECK(mkdir("a", 0755));
	CHECK(mkdir("a/b", 0700));
	CHECK(mkdir("c", 0755));
	CHECK(rename("log", "a/b/log"));
	CHECK(rename("a/b", "c/b"));
	fd = open("c/victim", O_CREAT | O_WRONLY, 0644);
	CHECK(write(fd, "victim", 6));
	close(fd);
	CHECK(rename("trunc", "c/victim"));
	CHECK(mkdir("c/emptydir", 0755));
	CHECK(mkdir("a/over", 0755));
	CHECK(rename("a/over", "c/emptydir"));
	int r = rmdir("c");
	printf("rmdir c: %d %s\n", r, strerror(errno));
	r = rename("a", "c");
	printf("rename onto nonempty: %d %s\n", r, strerror(errno));
	/* many names in one directory, half of them removed again */
	CHECK(mkdir("many", 0755));
	for (int i = 0; i < 400; i++) {
		char p[64];
		snprintf(p, sizeof p, "many/file-with-a-longish-name-%04d", i);
		fd = open(p, O_CREAT | O_WRONLY, 0644);
		if (i % 3 == 0) CHECK(write(fd, p, strlen(p)));
		close(fd);
	}
	for (int i = 0; i < 400; i += 2) {
		char p[64];
		snprintf(p, sizeof p, "many/file-with-a-longish-name-%04d", i);
		CHECK(unlink(p));
	}
	for (int i = 0; i < 100; i++) {
		char p[64];
		snprintf(p, sizeof p, "many/n%d", i);
		CHECK(mkdir(p, 0755));
	}
	/* a file larger than the 12 direct + the first indirect blocks */
	fd = open("big", O_CREAT | O_WRONLY, 0644);
	for (int i = 0; i < 12; i++) {
		fill(buf, sizeof buf, 1000 + i);
		CHECK(write(fd, buf, sizeof buf));
	}
	CHECK(fsync(fd));
	close(fd);
	CHECK(unlink("data"));
	struct stat st;
	CHECK(stat("data.hard", &st));
	printf("data.hard nlink=%lu\n", (unsigned long)st.st_nlink);
	tree(".");
	return 0;
}
