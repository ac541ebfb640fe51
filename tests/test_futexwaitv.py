"""futex_waitv(2) (kernel/futex.py), differential against the host kernel,
64-bit and i386 (whose call takes a 64-bit timespec): argument checks, the
index of the woken word, EAGAIN, absolute timeouts, shared memory, signals."""

import pytest

from conftest import differential, guest
from test_i386 import LIBS32, files32


@pytest.mark.parametrize("libc", ["musl", "glibc"] + LIBS32)
def test_futex_waitv(libc):
    n, u = differential(guest("futexwaitv", libc), files=files32(libc) if "32" in libc else None)
    assert "waitv(wv, 3, 0, &ts, CLOCK_MONOTONIC) -> 2" in u.out     # the thread woke [2]
    assert "waitv(wv, 2, 0, NULL, 0) -> 1" in u.out                   # the process woke [1]
