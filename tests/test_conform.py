"""Kernel interfaces the Linux Test Project (make ltp) found missing or
wrong, each compared with the host kernel by tests/guest/conform.c."""

import pytest

from conftest import differential, guest, run


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
