/* The LSM system calls (Linux 6.8): lsm_list_modules' errnos and its
 * size protocol, lsm_get_self_attr / lsm_set_self_attr with no module
 * that keeps task attributes.  Which modules run differs between kernels,
 * so the list itself is printed last, after "modules:", for the caller. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LSM_GET 459
#define LSM_SET 460
#define LSM_LIST 461

static void show(const char *what, long r)
{
    printf("%-40s %ld %s\n", what, r < 0 ? -1L : r > 0 ? 1L : 0L, r < 0 ? strerror(errno) : "");
}

int main(void)
{
    uint64_t ids[32];
    uint32_t size = sizeof ids, small = 0;
    show("list flags 1", syscall(LSM_LIST, ids, &size, 1));
    show("list size NULL", syscall(LSM_LIST, ids, NULL, 0));
    show("list ids NULL", syscall(LSM_LIST, NULL, &size, 0));
    printf("size after: a multiple of 8: %d\n", size % 8 == 0 && size > 0);
    show("list size 0", syscall(LSM_LIST, ids, &small, 0));
    printf("size 0 told the size: %d\n", small == size);
    size = sizeof ids;
    long n = syscall(LSM_LIST, ids, &size, 0);
    printf("list: %d, size %d\n", n > 0, size == 8 * n);
    int cap = 0, landlock = 0;
    for (long i = 0; i < n; i++) {
        cap += ids[i] == 100;
        landlock += ids[i] == 110;
    }
    printf("capability %d landlock %d\n", cap, landlock);

    char buf[4096];
    size = sizeof buf;
    show("get CURRENT", syscall(LSM_GET, 100, buf, &size, 0));
    printf("size written: %u\n", size);
    show("get attr 0", syscall(LSM_GET, 0, buf, &size, 0));
    show("get size NULL", syscall(LSM_GET, 100, buf, NULL, 0));
    show("get flags 2", syscall(LSM_GET, 100, buf, &size, 2));
    show("get SINGLE ctx NULL", syscall(LSM_GET, 100, NULL, &size, 1));
    struct { uint64_t id, flags, len, ctx_len; char c[8]; } c = {0, 0, 40, 8, "x"};
    show("get SINGLE id 0", syscall(LSM_GET, 100, &c, &size, 1));
    c.id = 110;
    show("get SINGLE landlock", syscall(LSM_GET, 100, &c, &size, 1));
    show("set landlock", syscall(LSM_SET, 100, &c, 40, 0));
    show("set flags 1", syscall(LSM_SET, 100, &c, 40, 1));
    show("set size 8", syscall(LSM_SET, 100, &c, 8, 0));
    show("set size 8192", syscall(LSM_SET, 100, &c, 8192, 0));
    c.len = 100;
    show("set len > size", syscall(LSM_SET, 100, &c, 40, 0));
    show("set ctx unreadable", syscall(LSM_SET, 100, (void *)8, 40, 0));
    printf("modules:");
    for (long i = 0; i < n; i++)
        printf(" %llu", (unsigned long long)ids[i]);
    printf("\n");
    return 0;
}
