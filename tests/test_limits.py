"""Resource limits and running out: rlimits differential against the host;
a fork bomb and a memory hog under pyuml only (natively they would be the
real thing), where the kernel, the guest's parent and a bystander process
must all carry on."""

import re

import pytest

from conftest import differential, guest, run

LIBCS = ["musl", "glibc"]


@pytest.mark.parametrize("libc", LIBCS)
def test_rlimits(libc):
    n, u = differential(guest("limits", libc), ["rlimit"], timeout=30)
    assert "NPROC 3: made 2 children" in u.out


def _clean_log(r):
    log = r.stderr.decode(errors="replace")
    assert "Oops" not in log and "BUG" not in log and "Traceback" not in log, log
    return log


def test_fork_bomb_gets_eagain():
    r = run(guest("limits", "musl"), ["forkbomb"], mem="32M", timeout=120)
    _clean_log(r)
    assert r.status == 0
    assert r.out == ("fork refused after 50 children: Resource temporarily unavailable\n"
                     "bystander answers during the bomb: 1\n"
                     "bystander answers after: 1\n"
                     "fork works again: exited 3\n"
                     "bystander: exited 0\n")


def test_memory_hog_is_oom_killed():
    r = run(guest("limits", "glibc"), ["oom"], mem="32M", timeout=120)
    log = _clean_log(r)
    assert r.status == 0
    assert r.out == ("memory hog: killed by Killed\n"
                     "bystander answers after: 1\n"
                     "16 MiB afterwards: exited 7\n"
                     "bystander: exited 0\n")
    # logged the way Linux's OOM killer does
    assert re.search(r"Out of memory: Killed process \d+ \(prog\) total-vm:\d+kB, "
                     r"anon-rss:\d+kB, file-rss:\d+kB, shmem-rss:\d+kB, UID:0 "
                     r"pgtables:\d+kB oom_score_adj:0", log), log


@pytest.mark.parametrize("libc", LIBCS + ["glibc32"])
def test_rlimit_cpu(libc):
    """RLIMIT_CPU: SIGXCPU at the soft limit and each second after (the
    soft limit read back grows), SIGKILL at the hard limit."""
    n, u = differential(guest("rlimitcpu", libc), timeout=90)
    assert "soft 1 hard 3: killed by signal 9, 2 SIGXCPU, soft limits seen: 2 3" in u.out
    assert "soft 1 default action: killed by signal 24" in u.out
