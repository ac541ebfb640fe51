"""Threads and futexes: pthread programs (glibc and musl), raw clone with
every thread flag, the futex operations, per-thread signals, exit and exec
with threads, robust mutexes, per-thread FP state - differential."""

import pytest

from conftest import differential, guest

LIBCS = ["musl", "glibc"]
MODES = ["pthread", "raw", "futex", "signals", "exit", "robust", "fpu", "fpustub", "stop"]


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("mode", MODES)
def test_thread(libc, mode):
    prog = guest("thread", libc)
    n, u = differential(prog, [mode, prog], files={prog: prog}, timeout=60)
    assert "FAIL" not in u.out
