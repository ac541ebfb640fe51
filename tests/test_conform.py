"""Kernel interfaces the Linux Test Project (make ltp) found missing or
wrong, each compared with the host kernel by tests/guest/conform.c."""

import gzip
import os

import pytest

from conftest import LINUX, boot, differential, guest, run
from kernel import configs
from arch.x86_64.syscall_table import SYSCALL_NAMES
from kernel.syscall import syscall_handler
from test_i386 import files32


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_oom_score_adj(libc):
    """/proc/PID/oom_score_adj is written and read back (LTP's library
    protects its processes through it), with Linux's range and rule."""
    n, u = differential(guest("conform", libc), ["oom"])
    assert "/proc/self/oom_score_adj: 500" in u.out


def test_oom_score_adj_root():
    """Root may protect a process from the OOM killer (pyuml only: root on
    this host lacks CAP_SYS_RESOURCE)."""
    r = run(guest("conform"), ["oommin"])
    assert r.out.splitlines() == [
        'write_file("/proc/self/oom_score_adj", "-1000") -> 5',
        "/proc/self/oom_score_adj: -1000", "/proc/self/oom_score: 0",
        'write_file("/proc/self/oom_score_adj", "-500") -> 4',
        'write_file("/proc/self/oom_score_adj", "-501") -> -1 (Permission denied)',
        'write_file("/proc/self/oom_score_adj", "-400") -> 4',
        'write_file("/proc/self/oom_score_adj", "-500") -> 4',
        "/proc/self/oom_score_adj: -500"], r.out


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_priority(libc):
    """getpriority/setpriority name a thread, a process group or a user's
    processes, and refuse bad arguments and missing privilege as Linux."""
    n, u = differential(guest("conform", libc), ["prio"])
    assert "getpriority(-1, 0) -> -1 (Invalid argument)" in u.out


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_text_busy(libc):
    """ETXTBSY: no writing a running program, no running a file being
    written (LTP's creat07, execve04)."""
    n, u = differential(guest("conform", libc), ["txtbsy"])
    assert "open(prog, O_WRONLY) -> -1 (Text file busy)" in u.out


@pytest.mark.parametrize("libc", ["musl", "glibc"])
@pytest.mark.parametrize("mode", ["noatime", "nullargv", "pipesz", "rw2", "caps", "syncaff", "madv", "openat2", "resolve", "sigpend", "closerange", "sticky", "msgcopy"])
def test_open_exec_details(libc, mode):
    """O_NOATIME is the owner's (LTP open02); an empty argv becomes
    {""} (LTP execve06); F_SETPIPE_SZ's rounding and errors (LTP pipe2_04,
    fcntl37); positional I/O's errors and appending (LTP preadv02,
    preadv202, pwritev202, pwrite04); capabilities (LTP capget*, capset*,
    and the tests that drop one: fcntl37, prctl); fsync, sync_file_range
    and CPU affinity errors (LTP fsync03, fdatasync02, sync_file_range01,
    sched_getaffinity01, sched_setaffinity01); fork's MADV_WIPEONFORK and
    MADV_DONTFORK (LTP madvise02, madvise10); openat2's checks (openat203); RLIMIT_SIGPENDING (tgkill02);
    close_range(CLOSE_RANGE_UNSHARE) (close_range02); STICKY_TIMEOUTS
    (personality02); msgrcv(MSG_COPY) (msgrcv03)."""
    differential(guest("conform", libc), [mode])


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_negative_iov_len(libc):
    """An iov_len with its sign bit set is EINVAL for readv, writev,
    preadv and pwritev; a 32-bit program's is a compat_ssize_t, so there
    bit 31 is the sign (LTP readv02, writev01, preadv02, pwritev02 and
    their v2 forms on i386)."""
    n, u = differential(guest("conform", libc), ["iovlen"])
    assert u.out.count("(Invalid argument)") == 8, u.out


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32", "glibc32dyn"])
def test_mmap_layout_follows_rlimit_stack(libc):
    """exec lays mappings out as RLIMIT_STACK says: top-down below the
    stack's gap, or bottom-up from a third of the address space when the
    stack is unlimited; a dynamic program's loader no longer lands inside
    the stack (LTP execl01 runs with an unlimited stack)."""
    n, u = differential(guest("conform", libc), ["layout"], files=files32(libc))
    assert u.out.count("status 0\n") == 4 and "bottom-up, at a third" in u.out, u.out


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_growsdown_mapping_grows(libc):
    """A MAP_GROWSDOWN mapping grows down to an address touched below it,
    by the program or by a system call writing there, but not to within
    the guard gap of a mapping below it nor past RLIMIT_STACK (LTP mmap18)."""
    n, u = differential(guest("conform", libc), ["growsdown"])
    assert "after read(2) 6 pages below: 7 pages" in u.out, u.out
    assert "free below: exit 0" in u.out, u.out


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_signal_frame_fits_small_altstack(libc):
    """A signal frame holds the xsave area without AMX's tile data (a
    dynamic feature nobody asked for), as Linux's: it fits an 8 KiB
    alternate stack, and its size words are the host's (LTP sigaltstack01)."""
    n, u = differential(guest("conform", libc), ["altstack"])
    assert "canary below it intact 1" in u.out, u.out


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_posix_lock_deadlock_found_after_a_wakeup(libc):
    """A waiter whose first blocker unlocks finds the next one: if that
    owner waits for it, F_SETLKW is EDEADLK (LTP fcntl17)."""
    n, u = differential(guest("conform", libc), ["deadlock"])
    assert "F_SETLKW, F_WRLCK, 0, 30) -> -35 (" in u.out, u.out      # EDEADLK


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_seek_data_and_hole_in_shmem(libc):
    """SEEK_DATA and SEEK_HOLE in a memory file see its pages: written ones
    are data, the others holes (LTP lseek11)."""
    n, u = differential(guest("conform", libc), ["seekhole"])
    assert "from 0: lseek(fd, offs[i], SEEK_DATA) -> 8192" in u.out, u.out


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_shared_futex_needs_the_page(libc):
    """A shared futex key names a page, so its word must be readable:
    unmapped, PROT_NONE and past-EOF words are EFAULT for FUTEX_WAKE and
    FUTEX_CMP_REQUEUE; a private key is only an address (LTP futex_wake05,
    futex_cmp_requeue03)."""
    n, u = differential(guest("conform", libc), ["futexfault"])
    assert u.out.count("(Bad address)") == 4, u.out


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_get_robust_list_of_another_needs_access(libc):
    """get_robust_list of another process is for who may ptrace it: after
    setuid(1), the root parent's is EPERM (LTP get_robust_list01)."""
    n, u = differential(guest("conform", libc), ["robust"])
    assert "parent, &head, &len) -> -1 (" in u.out, u.out


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_settime_checks_the_time_first(libc):
    """settimeofday and clock_settime: a bad time is EINVAL even without
    the privilege, which is EPERM (LTP settimeofday02).  Run as uid 1:
    natively nothing is set."""
    n, u = differential(guest("conform", libc), ["settime"])
    assert "settimeofday {0, -1}: syscall(SYS_settimeofday, &tvs[i], NULL) -> -1 (Invalid" in u.out, u.out


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_statx_mask_and_sync_flags(libc):
    """statx refuses the reserved mask bit and contradictory sync flags
    with EINVAL, before looking at the file (LTP statx03)."""
    n, u = differential(guest("conform", libc), ["statxmask"])
    assert u.out.count("(Invalid argument)") == 4, u.out


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_execveat_flags(libc):
    """execveat: unknown flags are EINVAL, AT_SYMLINK_NOFOLLOW on a
    symlink is ELOOP (LTP execveat02)."""
    n, u = differential(guest("conform", libc), ["execveatfl"])
    assert "AT_SYMLINK_NOFOLLOW) -> -1 (" in u.out, u.out


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_seccomp_filter_errors_in_linux_order(libc):
    """Installing a filter without the right: the struct's EFAULT and the
    length's EINVAL come before EACCES (LTP prctl02); run as uid 1."""
    n, u = differential(guest("conform", libc), ["seccompord"])
    assert "(void *)8, 0, 0) -> -1 (Bad address)" in u.out, u.out


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_readlinkat_empty_name(libc):
    """readlinkat(fd, "") reads the symlink an O_PATH fd refers to, and is
    ENOENT for other files (LTP readlinkat01)."""
    n, u = differential(guest("conform", libc), ["rlempty"])
    assert "target: some/target" in u.out, u.out


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_msync_invalidate_locked(libc):
    """msync(MS_INVALIDATE) of mlocked pages is EBUSY (LTP msync03)."""
    n, u = differential(guest("conform", libc), ["msyncbusy"])
    assert u.out.count("MS_INVALIDATE) -> -1 (") == 2, u.out      # EBUSY


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_mmap_dev_zero(libc):
    """/dev/zero maps as anonymous memory: shared with a child when
    MAP_SHARED, writable only if opened for writing (LTP mprotect01)."""
    n, u = differential(guest("conform", libc), ["devzero"])
    assert "after the child's writes: shared 42, private 0" in u.out, u.out


@pytest.mark.parametrize("libc", ["glibc", "glibc32"])
def test_max_map_count(libc):
    """vm.max_map_count bounds an mm's VMAs: mmap beyond it, and a munmap
    or mprotect that would split a VMA at it, fail with ENOMEM, as Linux
    (LTP munmap04).  pyuml only: natively this changes the host."""
    r = run(guest("conform", libc), ["mapcount"])
    lines = r.out.splitlines()
    assert lines[1].startswith("mappings made: 6 more than "), r.out
    assert lines[1].endswith("then Cannot allocate memory"), r.out
    assert lines[2:] == [
        "munmap(m[0] + 4096, 4096) -> -1 (Cannot allocate memory)",
        "mprotect(m[0] + 4096, 4096, PROT_READ) -> -1 (Cannot allocate memory)",
        "mprotect(m[0], 3 * 4096, PROT_READ) -> 0",
        "munmap(m[0], 3 * 4096) -> 0",
        "munmap(m[1] + 4096, 4096) -> -1 (Cannot allocate memory)",
        "munmap(m[2], 3 * 4096) -> 0",
        "munmap(m[1] + 4096, 4096) -> 0",
        'write_file("/proc/sys/vm/max_map_count", "65530") > 0 -> 1'], r.out


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_rdtsc_and_cpuid_faulting(libc):
    """prctl(PR_SET_TSC) and arch_prctl(ARCH_SET_CPUID) make rdtsc and
    cpuid raise SIGSEGV (SI_KERNEL) in the calling thread only; fork keeps
    both modes, exec only the TSC one (LTP prctl10, arch_prctl01)."""
    n, u = differential(guest("cpufault", libc), [])
    assert "thread: rdtsc -1" in u.out and "main after thread: rdtsc 0" in u.out, u.out
    assert "after exec: PR_GET_TSC 2, ARCH_GET_CPUID 1" in u.out, u.out


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_proc_pid_as_pidfd(libc):
    """An open /proc/PID is a pidfd to pidfd_send_signal (LTP
    pidfd_send_signal01-03); wait4(INT_MIN) is ESRCH (LTP wait403)."""
    n, u = differential(guest("conform", libc), ["procpidfd"])
    assert "got SIGUSR1: 1" in u.out


def test_next_ids():
    """Checkpoint/restore's knobs: the next IPC id and the next pid
    (LTP msgget05, shmget06, pidfd_send_signal03); an fd table above
    fs.nr_open cannot be copied (unshare03).  pyuml only: natively
    other processes take ids and pids meanwhile."""
    r = run(guest("conform", "glibc"), ["nextid"])
    assert r.out.splitlines() == [
        "msg_next_id -1",
        'write_file("/proc/sys/kernel/msg_next_id", "98308") -> 5',
        "msgget: 98308, then msg_next_id -1",
        'write_file("/proc/sys/kernel/msg_next_id", "98308") -> 5',
        "msgget again: 98309",
        'write_file("/proc/sys/kernel/shm_next_id", "7") -> 1',
        "shmget: 7",
        'write_file("/proc/sys/kernel/sem_next_id", "5") -> 1',
        "semget: 5",
        'write_file("/proc/sys/kernel/sem_next_id", "-2") -> -1 (Invalid argument)',
        'write_file("/proc/sys/kernel/ns_last_pid", "4999") -> 4',
        "child pid 5000",
        "child pid 5000, same inode: no",
        'write_file("/proc/sys/fs/nr_open", "1024") -> 4',
        "fork: Too many open files",
        'write_file("/proc/sys/fs/nr_open", "1048576") -> 7'], r.out


def test_proc_sysvipc():
    """/proc/sysvipc/* in Linux's columns (LTP semctl09 counts them)."""
    r = run(guest("conform", "glibc"), ["sysvipc"])
    lines = [l.split() for l in r.out.splitlines()]
    assert lines[0][:2] == ["key", "shmid"] and lines[0][-2:] == ["rss", "swap"], r.out
    t = lines[1]
    assert t[0] == str(0x1234) and t[2] == "640" and t[3] == "8192" and t[6] == "1", r.out
    assert t[7:11] == ["0", "0", "0", "0"] and t[-2:] == ["4096", "0"], r.out
    assert lines[2][:3] == ["key", "msqid", "perms"], r.out
    assert lines[3][0] == "0" and lines[3][2:5] == ["600", "5", "1"], r.out
    assert lines[4][:3] == ["key", "semid", "perms"], r.out
    assert lines[5][0] == "-2" and lines[5][2:4] == ["666", "3"], r.out
    assert len(lines) == 7 and lines[6][:2] == ["key", "shmid"], r.out


def read_config(text):
    opts = {}
    for line in text.splitlines():
        if line.startswith("CONFIG_"):
            k, v = line[len("CONFIG_"):].split("=", 1)
            opts[k] = v
        elif line.startswith("# CONFIG_") and line.endswith(" is not set"):
            opts[line.split()[1][len("CONFIG_"):]] = None
    return opts


def test_proc_config_gz():
    """/proc/config.gz is the gzip'd .config (zcat reads it) and tells the
    truth: an option that stands for system calls is set exactly when the
    running kernel answers none of them with ENOSYS."""
    r = boot(["quiet", "mem=64M", "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro",
              "init=/bin/sh", "--", "-c",
              "mount -t proc proc /proc && zcat /proc/config.gz && ls -l /proc/config.gz"])
    assert r.status == 0, r.stderr.decode()
    opts = read_config(r.out)
    assert opts["IKCONFIG_PROC"] == "y" and opts["PROC_FS"] == "y" and opts["X86_64"] == "y"
    assert opts["USER_NS"] == "y" and opts["NET_NS"] is None   # kernel/nsproxy.py
    nr = {name: n for n, name in SYSCALL_NAMES.items()}
    wanted = sorted({nr[c] for calls in configs.SYSCALLS.values() for c in calls if c in nr})
    u = run(guest("conform", "glibc"), ["enosys"] + [str(n) for n in wanted])
    answered = dict(line.split() for line in u.out.splitlines())
    for opt, calls in configs.SYSCALLS.items():
        works = all(c in nr and answered[str(nr[c])] == "implemented" for c in calls)
        assert (opts[opt] == "y") == works, (opt, calls, opts[opt])
    assert any(v is None for v in opts.values()) and any(v == "y" for v in opts.values())


# The Linux release that brought each of the newest system calls (and
# behaviours) a kernel may implement: uname -r must be at least the newest
# one pyuml has, or programs (LTP above all) skip what it does; and not much
# newer, or they test what it lacks.
SINCE = {
    "epoll_pwait2": (5, 11), "landlock_create_ruleset": (5, 13), "memfd_secret": (5, 14),
    "process_mrelease": (5, 15), "futex_waitv": (5, 16), "set_mempolicy_home_node": (5, 17),
    "cachestat": (6, 5), "fchmodat2": (6, 6), "map_shadow_stack": (6, 6),
    "futex_wake": (6, 7), "futex_wait": (6, 7), "futex_requeue": (6, 7),
    "statmount": (6, 8), "listmount": (6, 8), "lsm_get_self_attr": (6, 8),
    "mseal": (6, 10), "setxattrat": (6, 13), "open_tree_attr": (6, 15),
    "file_getattr": (6, 17),
}


def test_uname_release():
    """uname's release matches the system-call level pyuml implements:
    not older than its newest call or behaviour (PIDFD_THREAD is 6.9),
    and no newer than 6.10 unless a call of a later release lands."""
    r = run(guest("conform", "glibc"), ["uname"])
    out = dict(line.split(" ", 1) for line in r.out.splitlines())
    rel = tuple(int(x) for x in out["release"].split("-")[0].split(".")[:2])
    have = [v for name, v in SINCE.items() if syscall_handler(name) is not None]
    if out["pidfd_thread"] == "yes":
        have.append((6, 9))
    assert rel >= max(have), (rel, have)
    newest_missing_below = [v for name, v in SINCE.items()
                            if syscall_handler(name) is None and v <= rel and v > (6, 10)]
    assert not newest_missing_below, (rel, newest_missing_below)
